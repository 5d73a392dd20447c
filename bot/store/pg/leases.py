"""Sources shared by several workers: each due source is claimed with an expiring lease.

A claim is one UPDATE over `SELECT ... FOR UPDATE SKIP LOCKED`, run on its own (outside the
store's one-writer lock): two workers claiming at once lock different rows, and a row the
other holds is skipped rather than waited for (PostgreSQL docs, "The Locking Clause"). A
lease names its worker and ends at `leased_until`, or at once when the worker's connection
is gone (its server process, recorded at each heartbeat, is no longer in pg_stat_activity:
the server drops a killed client's connection as its socket closes); an outcome recorded
clears it. A worker killed mid-poll records nothing, so its sources go to the others, at
the latest when the lease ends (a client cut off without a word, as by a network
partition, keeps its connection until TCP gives up). Every other operation is
bot.store.sources' own.
"""

from __future__ import annotations

import random

from bot.config import Config
from bot.store import sources, workers
from bot.store.db import Store
from bot.store.sources import Source

CLAIM_LIMIT = 50  # sources one worker claims per poll, so a round's work is shared

# The workers whose connection is alive: a lease of any other is void.
_LIVE = "(SELECT w.id FROM workers w JOIN pg_stat_activity a ON a.pid = w.backend)"
_CLAIM = (
    "UPDATE sources SET leased_until = ?, leased_by = ? WHERE id IN ("
    " SELECT id FROM sources WHERE active = 1 AND disabled = 0 {due}"
    " AND (leased_until IS NULL OR leased_until <= ? OR leased_by = ?"
    f" OR leased_by NOT IN {_LIVE})"
    " ORDER BY next_poll, id LIMIT ? FOR UPDATE SKIP LOCKED) "
    "RETURNING id, url, query, etag, last_modified, first_polled, failures, moved_to, next_poll"
)


class LeasedSources:
    """bot.store.sources for one worker of several: `due_sources` claims, outcomes release."""

    def __init__(self, worker_id: str, lease: float, limit: int = CLAIM_LIMIT) -> None:
        self.worker_id, self.lease, self.limit = worker_id, lease, limit
        # The last claim took its whole `limit`: more sources may be due now, so the poll
        # loop claims again at once rather than after its gap (bench/pg_scale.py).
        self.backlog = False

    def due_sources(self, db: Store, now: float, all_sources: bool = False) -> list[Source]:
        """Claim up to `limit` due sources no other worker holds (every one with --all)."""
        # A last poll in the future: the clock went back; due now (HARDENING F11).
        due = "" if all_sources else "AND (next_poll <= ? OR last_poll > ?)"
        params = [now + self.lease, self.worker_id, *([] if all_sources else [now, now])]
        rows = db.rows(
            _CLAIM.format(due=due),
            [*params, now, self.worker_id, 10**6 if all_sources else self.limit],
        )
        rows.sort(key=lambda r: (float(r["next_poll"]), int(r["id"])))
        self.backlog = not all_sources and len(rows) >= self.limit
        return [sources.source_of(row) for row in rows]

    def next_due(self, db: Store, now: float) -> float | None:
        """When this worker may next find a source to claim: a leased one not before its
        lease ends, so a worker never spins on sources another is polling."""
        row = db.row(
            "SELECT MIN(CASE WHEN leased_until > ? AND leased_by <> ? "
            f"AND leased_by IN {_LIVE} "
            "THEN MAX(next_poll, leased_until) ELSE next_poll END) AS next_poll, "
            "MAX(CASE WHEN last_poll > ? THEN 1 ELSE 0 END) AS clock_went_back "
            "FROM sources WHERE active = 1 AND disabled = 0",
            [now, self.worker_id, now],
        )
        if row is None or row["next_poll"] is None:
            return None
        return now if row["clock_went_back"] else float(row["next_poll"])

    def renew_leases(self, db: Store, now: float) -> bool:
        """A long poll keeps the leases it still holds (and says it is alive), so no other
        worker takes its sources while it fetches them; True: this store holds leases."""
        db.execute(
            "UPDATE sources SET leased_until = ? WHERE leased_by = ? AND leased_until IS NOT NULL",
            [now + self.lease, self.worker_id],
        )
        workers.touch(db, self.worker_id, now=now)
        return True

    def release(self, db: Store, source: Source) -> None:
        db.execute(
            "UPDATE sources SET leased_until = NULL, leased_by = NULL "
            "WHERE id = ? AND leased_by = ?",
            [source.id, self.worker_id],
        )

    def record_not_modified(self, db: Store, source: Source, now: float, next_poll: float) -> None:
        sources.record_not_modified(db, source, now, next_poll)
        self.release(db, source)

    def record_success(
        self,
        db: Store,
        *,
        source: Source,
        now: float,
        next_poll: float,
        etag: str | None,
        last_modified: str | None,
        title: str,
        new_items: int,
        moved_to: str | None = None,
    ) -> None:
        sources.record_success(
            db,
            source=source,
            now=now,
            next_poll=next_poll,
            etag=etag,
            last_modified=last_modified,
            title=title,
            new_items=new_items,
            moved_to=moved_to,
        )
        self.release(db, source)

    def record_failure(
        self,
        db: Store,
        *,
        source: Source,
        now: float,
        interval: float,
        reason: str,
        retry_after: float | None,
    ) -> bool:
        disabled = sources.record_failure(
            db, source=source, now=now, interval=interval, reason=reason, retry_after=retry_after
        )
        self.release(db, source)
        return disabled

    def sync_sources(self, db: Store, config: Config, now: float) -> None:
        sources.sync_sources(db, config, now)

    def next_poll_time(self, now: float, interval: float, rng: random.Random) -> float:
        return sources.next_poll_time(now, interval, rng)

    def dependent_channels(self, db: Store, source: Source) -> list[int]:
        return sources.dependent_channels(db, source)
