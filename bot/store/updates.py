"""Coverage updates in the outbox (SPEC Alerts): kind 'update' rows, one pending per story
and channel, and what an alert or update covered once it was confirmed.

A new copy of a story from a new outlet, where the story's alert is still pending, needs
nothing here: the alert counts its outlets when it is sent. Where the alert went out (or is
going out), the copy is folded into that channel's pending update, or queues one not before
UPDATE_INTERVAL after the previous update was sent. A row waits for that time without
holding its channel (`not_before`, bot.store.outbox.due); the channel's order still puts it
after its alert, so an update is never sent before the alert it edits is confirmed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from bot.store.db import Store

UPDATE_INTERVAL = 600.0  # at most one update per story and channel in 10 minutes (SPEC)
MODES = ("edit", "thread")  # "off" queues nothing


@dataclass(frozen=True)
class Confirmed:
    """What the platform confirmed for one row: its reference (a Slack channel and ts, a
    Discord message id; None where the target has none) and the newest copy it covered."""

    delivery_id: int
    ref: str | None
    through: int | None


@dataclass(frozen=True)
class AlertRef:
    """The confirmed alert an update edits, and what the last record about it covered."""

    alert_id: int
    status: str
    ref: str | None
    watches: tuple[str, ...]
    covered_through: int


def new_outlet(db: Store, story_id: int, item_id: int, outlet: str) -> bool:
    """Whether this copy brings an outlet its story had not had before (only those update)."""
    row = db.row(
        "SELECT 1 FROM items WHERE story_id = ? AND outlet = ? AND id <> ? LIMIT 1",
        [story_id, outlet, item_id],
    )
    return row is None


def queue_updates(db: Store, *, story_id: int, item_id: int, now: float, mode: str) -> int:
    """Queue, or fold into the pending one, an update in each channel where the story's
    alert is confirmed or being sent; how many rows were written. A channel where an update
    of this alert was refused for good (its message deleted) gets no more."""
    if mode not in MODES:
        return 0
    queued = 0
    alerts = db.rows(
        "SELECT channel_id FROM deliveries WHERE kind = 'alert' AND story_id = ? "
        "AND status IN ('sending', 'sent')",
        [story_id],
    )
    for alert in alerts:
        channel_id = int(alert["channel_id"])
        earlier = db.row(
            # A pending row that was cut off mid-send keeps what it covered: not folded into.
            "SELECT SUM(CASE WHEN status = 'pending' AND through IS NULL THEN 1 ELSE 0 END) "
            "AS pending, SUM(CASE WHEN status = 'dead' THEN 1 ELSE 0 END) AS dead, "
            "MAX(sent_at) AS sent, SUM(CASE WHEN status = 'sending' "
            "OR (status = 'pending' AND through IS NOT NULL) THEN 1 ELSE 0 END) AS busy "
            "FROM deliveries "
            "WHERE kind = 'update' AND story_id = ? AND channel_id = ?",
            [story_id, channel_id],
        )
        assert earlier is not None  # an aggregate always answers
        if earlier["pending"] or earlier["dead"]:
            continue  # folded into the pending one (it lists the copies at its send)
        not_before = now
        if earlier["sent"] is not None:
            not_before = max(now, float(earlier["sent"]) + UPDATE_INTERVAL)
        if earlier["busy"]:  # being sent now: the next one waits from about now
            not_before = max(not_before, now + UPDATE_INTERVAL)
        db.execute(
            "INSERT INTO deliveries (channel_id, kind, story_id, item_id, payload, created, "
            "not_before) VALUES (?, 'update', ?, ?, ?, ?, ?)",
            [channel_id, story_id, item_id, json.dumps({"mode": mode}), now, not_before],
        )
        queued += 1
    return queued


def alert_of(db: Store, story_id: int, channel_id: int) -> AlertRef | None:
    """The story's alert in the channel, and the newest copy the last confirmed record
    about it (the alert or an update) covered; None if it has no alert there."""
    row = db.row(
        "SELECT a.id, a.status, a.remote_ref, a.watches, COALESCE(("
        " SELECT MAX(u.through) FROM deliveries u WHERE u.kind = 'update' AND u.status = 'sent'"
        " AND u.story_id = a.story_id AND u.channel_id = a.channel_id"
        "), a.through, a.item_id) AS covered "
        "FROM deliveries a WHERE a.kind = 'alert' AND a.story_id = ? AND a.channel_id = ?",
        [story_id, channel_id],
    )
    if row is None:
        return None
    return AlertRef(
        alert_id=int(row["id"]),
        status=str(row["status"]),
        ref=row["remote_ref"],
        watches=tuple(json.loads(row["watches"])),
        covered_through=int(row["covered"] or 0),
    )


def record_confirmed(db: Store, confirmed: Iterable[Confirmed]) -> None:
    """Keep each row's reference and coverage: when it is confirmed, and an update's
    coverage already when it is marked sending (a send cut off then is rendered again
    exactly as it was, so a file can find it)."""
    rows = [(c.ref, c.through, c.delivery_id) for c in confirmed if c.ref or c.through]
    # One statement for a file's hundreds of rows, not one call each.
    db.executemany(
        "UPDATE deliveries SET remote_ref = COALESCE(?, remote_ref), "
        "through = COALESCE(?, through) WHERE id = ?",
        rows,
    )


def update_mode(payload: str | None) -> str:
    """The mode an update row was queued under ("edit" or "thread")."""
    mode = json.loads(payload or "{}").get("mode")
    return mode if mode in MODES else "edit"
