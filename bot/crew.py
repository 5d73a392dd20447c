"""This newswatch as one worker of several on a shared PostgreSQL database (issue 16).

A worker registers a row, heartbeats every poll cycle, claims due sources with leases
(bot.store.pg.leases) and channels with advisory locks (bot.store.pg.coord), and asks each
cycle whether it leads: only the leader runs cron digests, pruning and outage notices, and
holds the Discord gateway. On SQLite there is no crew: one newswatch per file, as before.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable

from bot.config import Config
from bot.store.db import Store, transaction
from bot.store.workers import heartbeat, register, retire

log = logging.getLogger("newswatch")


class Crew:
    """One worker's identity, its leases and locks, and whether it leads now."""

    def __init__(self, db: Store, config: Config, clock: Callable[[], float]) -> None:
        from bot.store.pg.coord import Coordinator
        from bot.store.pg.handle import PgStore
        from bot.store.pg.leases import LeasedSources

        assert isinstance(db, PgStore)
        self.db, self.clock = db, clock
        self.host, self.pid = socket.gethostname(), os.getpid()
        self.id = f"{self.host}/{self.pid}/{uuid.uuid4().hex[:8]}"
        self.coordinator = Coordinator(db)
        self.sources = LeasedSources(self.id, config.lease)
        self.leader = False

    def join(self) -> None:
        """Register this worker, and see whether it leads."""
        with transaction(self.db):
            register(self.db, self.id, host=self.host, pid=self.pid, now=self.clock())
        self.beat()
        log.info("worker joined", extra={"worker": self.id, "role": self.role})

    @property
    def role(self) -> str:
        return "leader" if self.leader else "follower"

    def beat(self) -> bool:
        """Heartbeat and ask for the lead; True when this worker's role has just changed."""
        was, self.leader = self.leader, self.coordinator.leading()
        with transaction(self.db):
            heartbeat(
                self.db,
                self.id,
                now=self.clock(),
                leader=self.leader,
                backend=self.db.live().info.backend_pid,
            )
        if self.leader != was:
            log.warning("worker role changed", extra={"worker": self.id, "role": self.role})
        return self.leader != was

    def leave(self) -> None:
        """A clean stop: the row and the leases go, so others need not wait them out."""
        with transaction(self.db):
            retire(self.db, self.id)


def crew_for(db: Store, config: Config, clock: Callable[[], float], sends: bool) -> Crew | None:
    """A crew for a sending newswatch on PostgreSQL; None on SQLite or for a reader."""
    if db.on_file or not sends:
        return None
    return Crew(db, config, clock)
