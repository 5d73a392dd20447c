"""Who does what among several workers on one PostgreSQL database: advisory locks.

- The leader holds the session lock LEADER_LOCK: it alone runs cron digests, pruning and
  the notices of an outage, and holds the Discord gateway. The server drops a session lock
  with its connection, so when the leader dies (or its connection does) the next worker
  to ask takes over (PostgreSQL docs, "Advisory Locks").
- A worker draining a channel holds the two-key session lock (CHANNEL_LOCKS, channel id):
  one sender per channel, so its order and rate limit hold across workers. Rows a channel's
  last holder left 'sending' were cut off mid-send (it died, or its connection did): the
  next holder puts them back, flagged ambiguous, as a restart does on SQLite.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.store.pg.handle import PgStore

LEADER_LOCK = int.from_bytes(b"nwleader", "big") >> 1
CHANNEL_LOCKS = int.from_bytes(b"nwch", "big") >> 1  # the first key; the channel id the second


class Coordinator:
    """One worker's advisory locks, taken on its store's own connection."""

    shared = True  # other workers may hold channels (bot.deliver.claims)

    def __init__(self, db: PgStore) -> None:
        self.db = db
        # Channels a drain of this process holds. A session lock is re-entrant, so without
        # this a second drain here (another platform's) could take a channel the first is
        # sending to and put its rows in flight back as cut off.
        self._mine: set[int] = set()

    def leading(self) -> bool:
        """True while this worker holds the leader lock, taking it if it is free. Asked again
        every cycle: a connection opened again after an outage holds nothing until then."""
        held = self.db.row(
            "SELECT 1 AS held FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND pid = pg_backend_pid() AND objsubid = 1 AND classid = ?::oid AND objid = ?::oid",
            [LEADER_LOCK >> 32, LEADER_LOCK & 0xFFFFFFFF],
        )
        if held is not None:
            return True
        row = self.db.row("SELECT pg_try_advisory_lock(?::bigint) AS got", [LEADER_LOCK])
        return bool(row and row["got"])

    def claim_channels(self, channel_ids: Iterable[int]) -> tuple[set[int], int]:
        """Lock the channels no other worker is draining; return those locked and how many
        rows cut off mid-send in them were put back (pending, ambiguous)."""
        claimed: set[int] = set()
        recovered = 0
        for channel in sorted(set(channel_ids) - self._mine):
            row = self.db.row(
                "SELECT pg_try_advisory_lock(?::int, ?::int) AS got", [CHANNEL_LOCKS, int(channel)]
            )
            if not (row and row["got"]):
                continue
            claimed.add(channel)
            self._mine.add(channel)
            cursor = self.db.execute(
                "UPDATE deliveries SET status = 'pending', ambiguous = 1 "
                "WHERE status = 'sending' AND channel_id = ?",
                [channel],
            )
            recovered += int(cursor.rowcount)
        return claimed, recovered

    def stranded(self) -> set[int]:
        """Channels with rows 'sending': in flight at another worker, or cut off mid-send
        by one that died. Such a row holds its channel back, so a drain claims these too."""
        rows = self.db.rows("SELECT DISTINCT channel_id FROM deliveries WHERE status = 'sending'")
        return {int(row["channel_id"]) for row in rows}

    def release_channels(self, channel_ids: Iterable[int]) -> None:
        """Let other workers drain these channels again (a lost connection has already)."""
        mine = set(channel_ids) & self._mine
        self._mine -= mine
        if self.db.pg.closed or self.db.pg.broken:
            return
        for channel in sorted(mine):
            self.db.execute(
                "SELECT pg_advisory_unlock(?::int, ?::int)", [CHANNEL_LOCKS, int(channel)]
            )
