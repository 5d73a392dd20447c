"""What `newswatch sources` and `doctor` show: source health, destinations, the outbox.

Every stored string came from outside (a feed's URL or error, a redirect, an API's reason)
and is scrubbed as it is printed: a row an older version stored may hold a terminal escape
or an echoed token.
"""

from __future__ import annotations

import time

from bot.ops.logs import scrub
from bot.store.db import Store
from bot.store.outbox import depth


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


def sources_table(db: Store, now: float | None = None) -> str:
    """One line per source: status, last success, failures, next poll, last error."""
    clock = time.time() if now is None else now
    rows = db.execute(
        "SELECT id, url, query, disabled, last_status, last_success, failures, next_poll, "
        "last_error, active, moved_to FROM sources ORDER BY active DESC, id"
    ).fetchall()
    lines = [
        f"{'id':>4}  {'status':<18} {'last success':<13} {'fails':>5}  {'next poll':<10} source"
    ]
    for (
        sid,
        url,
        query,
        disabled,
        status,
        success,
        failures,
        next_poll,
        error,
        active,
        moved,
    ) in rows:
        state = "disabled" if disabled else (status or "not polled yet") if active else "inactive"
        name = scrub(f"{url}  (search: {query})" if query else url)
        when = "-" if disabled or not active else _ago(next_poll, clock)
        lines.append(
            f"{sid:>4}  {state[:18]:<18} {_ago(success, clock):<13} {failures:>5}  "
            f"{when:<10} {name}"
        )
        if moved:
            lines.append(f"{'':>6}moved for good to: {scrub(moved)}")
        if error:
            lines.append(f"{'':>6}last error: {scrub(error)}")
    channels = db.execute(
        "SELECT target, status, status_reason FROM channels ORDER BY id"
    ).fetchall()
    lines.append("")
    for target, status, reason in channels:
        shown = f"destination {target}: {status}" + (f" ({reason})" if reason else "")
        lines.append(scrub(shown))
    pending, oldest = depth(db)
    lines.append(
        f"outbox: {pending} pending" + (f", oldest queued {_ago(oldest, clock)}" if oldest else "")
    )
    return "\n".join(lines)
