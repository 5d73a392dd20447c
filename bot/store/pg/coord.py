"""Who does what among several workers on one PostgreSQL database: advisory locks.

- The leader holds the session lock LEADER_LOCK: it alone runs cron digests, pruning and
  the notices of an outage, and holds the Discord gateway. The server drops a session lock
  with its connection, so when the leader dies (or its connection does) the next worker
  to ask takes over (PostgreSQL docs, "Advisory Locks").
- A worker draining a channel holds the two-key session lock (CHANNEL_LOCKS, channel id):
  one sender per channel, so its order and rate limit hold across workers. Rows a channel's
  last holder left 'sending' were cut off mid-send (it died, or its connection did): the
  next holder puts them back, flagged ambiguous, as a restart does on SQLite.
- A fetch holds one of its host's slots, the two-key lock (HOST_LOCKS + slot, the host's
  CRC-32): at most `per_host` requests at once per host across workers (bot.ingest.hostslots).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from contextlib import suppress

from bot.store.errors import StorageUnavailable
from bot.store.pg.handle import PgStore

LEADER_LOCK = int.from_bytes(b"nwleader", "big") >> 1
CHANNEL_LOCKS = int.from_bytes(b"nwch", "big") >> 1  # the first key; the channel id the second
HOST_LOCKS = int.from_bytes(b"nwh\x00", "big") >> 1  # + the slot number; the host's CRC-32


class Coordinator:
    """One worker's advisory locks, taken on its store's own connection."""

    shared = True  # other workers may hold channels (bot.deliver.claims)

    def __init__(self, db: PgStore) -> None:
        self.db = db
        # Channels a drain of this process holds. A session lock is re-entrant, so without
        # this a second drain here (another platform's) could take a channel the first is
        # sending to and put its rows in flight back as cut off.
        self._mine: set[int] = set()
        self._host_slots: set[tuple[int, int]] = set()  # likewise for host slots

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

    def take(self, host: str, slots: int) -> object | None:
        """One of the host's `slots` no worker (this one included) holds, or None. While the
        database is away: a token of no slot, so the worker's own limit alone holds."""
        crc = zlib.crc32(host.encode("utf-8", "replace"))
        second = crc - (1 << 32) if crc >= 1 << 31 else crc  # int4, as the lock takes
        try:
            for slot in range(slots):
                key = (HOST_LOCKS + slot, second)
                if key in self._host_slots:
                    continue
                row = self.db.row("SELECT pg_try_advisory_lock(?::int, ?::int) AS got", list(key))
                if row and row["got"]:
                    self._host_slots.add(key)
                    return key
        except StorageUnavailable:
            return ()
        return None

    def give(self, token: object) -> None:
        """Give a slot back (a lost connection gave it back already)."""
        if not isinstance(token, tuple) or token not in self._host_slots:
            return
        self._host_slots.discard(token)
        if self.db.pg.closed or self.db.pg.broken:
            return
        with suppress(StorageUnavailable):
            self.db.execute("SELECT pg_advisory_unlock(?::int, ?::int)", list(token))
