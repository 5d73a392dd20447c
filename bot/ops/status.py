"""What `newswatch sources` and `doctor` show: source health, destinations, the outbox.

Every stored string came from outside (a feed's URL or error, a redirect, an API's reason)
and is scrubbed as it is printed: a row an older version stored may hold a terminal escape
or an echoed token.
"""

from __future__ import annotations

import time

from bot.ops.logs import scrub
from bot.store.channels import channel_statuses
from bot.store.db import Store
from bot.store.outbox import depth
from bot.store.status import SourceStatus, source_statuses
from bot.store.watches import channel_id, list_watches


def _ago(moment: float | None, now: float) -> str:
    if moment is None:
        return "never"
    delta = now - moment
    future = delta < 0
    delta = abs(delta)
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if delta >= size:
            text = f"{int(delta // size)}{unit}"
            break
    else:
        text = f"{int(delta)}s"
    return f"in {text}" if future else f"{text} ago"


def _due(next_poll: float, now: float) -> str:
    """When a source is next polled: one due already (never polled, or overdue) is "due now",
    not "1m ago"."""
    return "due now" if next_poll <= now else _ago(next_poll, now)


def sources_table(db: Store, now: float | None = None) -> str:
    """One line per source: status, last success, failures, next poll, last error."""
    clock = time.time() if now is None else now
    lines = [
        f"{'id':>4}  {'status':<18} {'last success':<13} {'fails':>5}  {'next poll':<10} source"
    ]
    for source in source_statuses(db):
        lines += _source_lines(source, clock)
    lines.append("")
    for channel in channel_statuses(db):
        shown = f"destination {channel.target}: {channel.status}" + (
            f" ({channel.reason})" if channel.reason else ""
        )
        lines.append(scrub(shown))
    pending, oldest = depth(db)
    lines.append(
        f"outbox: {pending} pending" + (f", oldest queued {_ago(oldest, clock)}" if oldest else "")
    )
    sender = sender_line(db, clock)
    return "\n".join([*lines, sender] if sender else lines)


def sender_line(db: Store, now: float) -> str | None:
    """On PostgreSQL, which newswatch holds the database's one-sender lock, since when and
    when it last ran a statement (its heartbeat); None for a SQLite file."""
    if db.on_file:
        return None
    from bot.store.pg.handle import PgStore
    from bot.store.pg.opening import INSTANCE_LOCK

    assert isinstance(db, PgStore)
    holder = db.lock_holder(INSTANCE_LOCK)
    if holder is None:
        return "sender: none (no newswatch run, poll or digest --post is using the database)"
    return scrub(
        f"sender: {holder.name}, connected {_ago(holder.since, now)}, "
        f"last statement {_ago(holder.active, now)}"
    )


def _source_lines(source: SourceStatus, clock: float) -> list[str]:
    """A source's line, and where it moved and its last error under it."""
    if source.disabled:
        state = "disabled"
    else:
        state = (source.last_status or "not polled yet") if source.active else "inactive"
    name = scrub(f"{source.url}  (search: {source.query})" if source.query else source.url)
    when = "-" if source.disabled or not source.active else _due(source.next_poll, clock)
    lines = [
        f"{source.id:>4}  {state[:18]:<18} {_ago(source.last_success, clock):<13} "
        f"{source.failures:>5}  {when:<10} {name}"
    ]
    if source.moved_to:
        lines.append(f"{'':>6}moved for good to: {scrub(source.moved_to)}")
    if source.last_error:
        lines.append(f"{'':>6}last error: {scrub(source.last_error)}")
    return lines


def service_summary(db: Store, targets: list[str]) -> str:
    """What `run` watches and where it posts, for its start line."""
    sources = sum(1 for source in source_statuses(db) if source.active and not source.disabled)
    watches = sum(len(list_watches(db, channel_id(db, target))) for target in targets)
    where = ", ".join(targets) or "no channel"
    return scrub(
        f"{sources} source{'s' if sources != 1 else ''}, {watches} "
        f"watch{'es' if watches != 1 else ''}, posting to {where}"
    )


def nothing_due(db: Store, now: float) -> str:
    """Why a poll polled nothing, and how to poll anyway (moved here from bot.cli)."""
    from bot.store.sources import next_due

    due = next_due(db, now)
    if due is None:
        when = "no source is active"
    else:
        wait = max(due - now, 1.0)
        rounded = f"{int(wait)}s" if wait < 120 else f"{-(-int(wait) // 60)}m"
        when = f"the next source is due in {rounded}"
    return f"nothing to poll yet: {when}; `newswatch poll --all` polls every source now"
