"""The outbox: one row per (story, channel) alert, plus notices and digests.

A row is written in the same transaction as the story it announces and is marked sent
only after the chat API confirms it, so an outage delays alerts and never loses them.
States: pending -> sending -> sent, back to pending (retry later), dead (the platform will
never take it) or collapsed (sent inside one backlog digest). A row still 'sending' at
start was cut off mid-send: it is retried and flagged ambiguous.
"""

from __future__ import annotations

import json
import random
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from bot.backoff import backoff
from bot.store.db import Store

FIRST_RETRY_DELAY = 5.0
MAX_RETRY_DELAY = 3600.0
RETRY_JITTER = (0.8, 1.2)  # rows that failed together do not all come back at once


@dataclass(frozen=True)
class Delivery:
    id: int
    channel_id: int
    target: str
    kind: str
    story_id: int | None
    item_id: int | None
    watches: tuple[str, ...]
    payload: str | None
    attempts: int
    ambiguous: bool = False  # cut off mid-send once: the target may hold it already
    through: int | None = None  # an update's newest copy, kept from a send cut off (updates.py)


def add_alert(
    db: Store,
    *,
    channel_id: int,
    story_id: int,
    item_id: int,
    watches: list[str],
    poll_id: str,
    now: float,
    new_story: bool = False,
) -> None:
    """Queue a story's alert for a channel once; in the same poll, add later copies' watches.
    A story made in this transaction (`new_story`) has no row yet to look for."""
    row = (
        None
        if new_story
        else db.row(
            "SELECT id, watches, poll_id, status FROM deliveries "
            "WHERE kind = 'alert' AND story_id = ? AND channel_id = ?",
            [story_id, channel_id],
        )
    )
    if row is None:
        db.execute(
            "INSERT INTO deliveries "
            "(channel_id, kind, story_id, item_id, watches, poll_id, created) "
            "VALUES (?, 'alert', ?, ?, ?, ?, ?)",
            [channel_id, story_id, item_id, json.dumps(watches), poll_id, now],
        )
        return
    if row["poll_id"] == poll_id and row["status"] == "pending":
        merged = list(json.loads(row["watches"]))
        merged.extend(w for w in watches if w not in merged)
        db.execute(
            "UPDATE deliveries SET watches = ? WHERE id = ?", [json.dumps(merged), row["id"]]
        )


def add_notice(db: Store, channel_id: int, text: str, now: float) -> None:
    db.execute(
        "INSERT INTO deliveries (channel_id, kind, payload, created) VALUES (?, 'notice', ?, ?)",
        [channel_id, json.dumps({"text": text}), now],
    )


def due(
    db: Store,
    now: float,
    *,
    limit: int = 500,
    skip: Iterable[int] = (),
    platforms: Collection[str] | None = None,
    by_channel: bool = False,
) -> list[Delivery]:
    """Pending rows whose retry time has come, oldest first, for channels that are not
    stopped (nor in `skip`: channels that failed earlier in this drain), of the targets of
    `platforms` (all when None).

    A channel is held at its first unfinished row: nothing after a row that waits for its
    retry (or is still 'sending') is due before it, so a failed send is never overtaken and
    each channel gets its messages in outbox order (HARDENING F2). With `by_channel`, one
    channel's rows come together (file adapters write hundreds at once); else in outbox
    order, so no channel waits behind another's flood.
    """
    skipped = sorted(set(skip))
    kinds = sorted(platforms) if platforms is not None else []
    rows = db.rows(
        _due_sql(
            skipped=len(skipped),
            platforms=None if platforms is None else len(kinds),
            by_channel=by_channel,
        ),
        [now, now, now, *skipped, *kinds, limit],
    )
    return [
        Delivery(
            id=r["id"],
            channel_id=r["channel_id"],
            target=r["target"],
            kind=r["kind"],
            story_id=r["story_id"],
            item_id=r["item_id"],
            watches=tuple(json.loads(r["watches"])),
            payload=r["payload"],
            attempts=r["attempts"],
            ambiguous=bool(r["ambiguous"]),
            through=r["through"],
        )
        for r in rows
    ]


def _due_sql(*, skipped: int, platforms: int | None, by_channel: bool) -> str:
    """The statement `due` runs: parameters now, now, now, the skipped channels, the
    platforms, the limit."""
    kind_sql = (
        # A target is "platform:rest", or a bare platform name (console).
        "AND substr(c.target, 1, instr(c.target || ':', ':') - 1) "
        f"IN ({','.join('?' * platforms)}) "
        if platforms is not None
        else ""
    )
    return (
        # Where each channel is held: few rows wait for a retry at once, and deliveries_due
        # finds them without reading the rows that are due.
        "WITH held (channel_id, first_id) AS MATERIALIZED ("
        " SELECT channel_id, MIN(id) FROM ("
        "  SELECT channel_id, id FROM deliveries WHERE status = 'pending' AND next_attempt > ?"
        "  UNION ALL SELECT channel_id, id FROM deliveries WHERE status = 'sending'"
        " ) AS unfinished GROUP BY channel_id) "
        "SELECT d.id, d.channel_id, c.target, d.kind, d.story_id, d.item_id, d.watches, "
        "d.payload, d.attempts, d.ambiguous, d.through "
        "FROM deliveries d JOIN channels c ON c.id = d.channel_id "
        "LEFT JOIN held h ON h.channel_id = d.channel_id "
        # In channel order, deliveries_pending gives the order without a sort; the unary +
        # keeps the planner from choosing deliveries_due for the time filter instead.
        f"WHERE d.status = 'pending' AND {'+' if by_channel else ''}d.next_attempt <= ? "
        # An update waiting out its 10 minutes (updates.UPDATE_INTERVAL) holds nothing back.
        "AND d.not_before <= ? AND c.status = 'ok' "
        "AND (h.first_id IS NULL OR d.id < h.first_id) "
        + (f"AND d.channel_id NOT IN ({','.join('?' * skipped)}) " if skipped else "")
        + kind_sql
        + ("ORDER BY d.channel_id, d.id LIMIT ?" if by_channel else "ORDER BY d.id LIMIT ?")
    )


def collapse_backlog(
    db: Store, channel_id: int, limit: int, waited_since: float, now: float
) -> int | None:
    """Fold a channel's pending alerts into one digest row when there are more than `limit`
    and the oldest has waited since before `waited_since` (an outage, not a busy poll).

    The alerts become 'collapsed' in the same transaction as the digest row is written, so
    they are neither lost nor sent twice; the digest row is delivered like any other, not
    before the latest retry time among them (a Retry-After still holds).
    """
    rows = db.rows(
        "SELECT id, created, next_attempt FROM deliveries WHERE channel_id = ? "
        "AND kind = 'alert' AND status = 'pending' ORDER BY id",
        [channel_id],
    )
    if len(rows) <= limit or rows[0]["created"] > waited_since:
        return None
    ids = [int(row["id"]) for row in rows]
    inserted = db.execute(
        "INSERT INTO deliveries (channel_id, kind, payload, created, next_attempt) "
        "VALUES (?, 'digest', ?, ?, ?) RETURNING id",
        [
            channel_id,
            json.dumps({"deliveries": ids, "since": rows[0]["created"]}),
            now,
            max(float(row["next_attempt"]) for row in rows),
        ],
    ).fetchone()
    digest_id = int(inserted[0])
    db.execute(
        "UPDATE deliveries SET status = 'collapsed', collapsed_into = ? "
        "WHERE channel_id = ? AND kind = 'alert' AND status = 'pending' AND id <= ?",
        [digest_id, channel_id, ids[-1]],
    )
    return digest_id


def backlogged_channels(db: Store, limit: int) -> list[int]:
    """Channels with more than `limit` pending alerts."""
    rows = db.rows(
        "SELECT channel_id FROM deliveries WHERE kind = 'alert' AND status = 'pending' "
        "GROUP BY channel_id HAVING COUNT(*) > ?",
        [limit],
    )
    return [int(row["channel_id"]) for row in rows]


def mark_sending_many(db: Store, deliveries: Iterable[Delivery]) -> None:
    """Committed before the send, so a crash mid-send is known at the next start; a statement
    per 500 rows (file adapters send hundreds at once)."""
    _update_many(db, "UPDATE deliveries SET status = 'sending' WHERE id IN ({ids})", [], deliveries)


def mark_sent_many(db: Store, deliveries: Iterable[Delivery], now: float) -> None:
    """Confirmed by their target: sent, the attempt counted; a statement per 500 rows."""
    _update_many(
        db,
        "UPDATE deliveries SET status = 'sent', sent_at = ?, attempts = attempts + 1, "
        "last_error = NULL WHERE id IN ({ids})",
        [now],
        deliveries,
    )


def _update_many(db: Store, sql: str, params: list[object], deliveries: Iterable[Delivery]) -> None:
    ids = [delivery.id for delivery in deliveries]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        db.execute(sql.format(ids=",".join("?" * len(chunk))), [*params, *chunk])


def recover_interrupted(db: Store) -> int:
    """Rows cut off mid-send go back to pending, flagged: the platform may have them."""
    cursor = db.execute(
        "UPDATE deliveries SET status = 'pending', ambiguous = 1 WHERE status = 'sending'"
    )
    return int(cursor.rowcount)


def release(db: Store, delivery: Delivery) -> None:
    """Back to pending, untouched otherwise (its destination was stopped, not the message)."""
    db.execute("UPDATE deliveries SET status = 'pending' WHERE id = ?", [delivery.id])


def retry_later(
    db: Store,
    delivery: Delivery,
    *,
    now: float,
    reason: str,
    retry_after: float | None,
    rng: random.Random,
    ambiguous: bool = False,
) -> float:
    """Back off exponentially with jitter (capped at an hour); Retry-After wins when longer.
    An `ambiguous` failure (a send cut off at its deadline) may have reached the target, and
    keeps the copies an update covered (its `through`), so a file can find it as written."""
    delay = backoff(
        delivery.attempts,
        base=FIRST_RETRY_DELAY,
        cap=MAX_RETRY_DELAY,
        retry_after=retry_after,
        rng=rng,
        jitter=RETRY_JITTER,
    )
    db.execute(
        "UPDATE deliveries SET status = 'pending', attempts = attempts + 1, next_attempt = ?, "
        "last_error = ?, ambiguous = MAX(ambiguous, ?), "
        "through = CASE WHEN ? = 1 OR kind <> 'update' THEN through END WHERE id = ?",
        [now + delay, reason[:300], int(ambiguous), int(ambiguous), delivery.id],
    )
    return delay


def mark_dead(db: Store, delivery: Delivery, reason: str) -> None:
    """A message the platform will never accept (it is kept, with why, for the operator)."""
    db.execute(
        "UPDATE deliveries SET status = 'dead', attempts = attempts + 1, last_error = ? "
        "WHERE id = ?",
        [reason[:300], delivery.id],
    )


class Depth(NamedTuple):
    """How many deliveries wait, and since when the oldest has waited (None: none waits)."""

    waiting: int
    oldest: float | None


def depth(db: Store) -> Depth:
    row = db.row(
        "SELECT COUNT(*) AS waiting, MIN(created) AS oldest FROM deliveries "
        "WHERE status IN ('pending', 'sending')"
    )
    assert row is not None  # an aggregate always answers
    return Depth(int(row["waiting"]), row["oldest"])


def created_at(db: Store, delivery: Delivery) -> float:
    """When a row was queued (0.0 if it is gone)."""
    row = db.row("SELECT created FROM deliveries WHERE id = ?", [delivery.id])
    return float(row["created"]) if row else 0.0
