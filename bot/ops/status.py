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
    return "\n".join([*lines, *worker_lines(db, clock)])


def worker_lines(db: Store, now: float) -> list[str]:
    """On PostgreSQL, every newswatch worker: who, since when, its last heartbeat, whether it
    leads (as the server's lock says) and how many source leases it holds; none on SQLite."""
    if db.on_file:
        return []
    from bot.store.pg.coord import LEADER_LOCK
    from bot.store.pg.handle import PgStore
    from bot.store.workers import workers

    assert isinstance(db, PgStore)
    found = workers(db, now)
    if not found:
        return ["workers: none (no newswatch run, poll or digest --post is using the database)"]
    holder = db.lock_holder(LEADER_LOCK)
    lines = [
        f"workers: {len(found)}; leader: "
        + (holder.name.removeprefix("newswatch ") if holder else "none right now")
    ]
    for worker in found:
        lines.append(
            f"  worker {worker.id}: {'leader' if worker.leader else 'follower'}, started "
            f"{_ago(worker.started, now)}, heartbeat {_ago(worker.heartbeat, now)}, "
            f"{worker.leases} source lease{'s' if worker.leases != 1 else ''}"
        )
    return [scrub(line) for line in lines]


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
    if source.leased_by and source.leased_until and source.leased_until > clock:
        lines.append(
            f"{'':>6}leased to worker {scrub(source.leased_by)}, the lease ends "
            f"{_ago(source.leased_until, clock)}"
        )
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
