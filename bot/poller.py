"""The poll loop: every due source refreshed (bot.pipeline.refresh), 304s recorded, pruning.

The Poller outlives its polls and holds only what they share (the store, the settings, the
fetcher, the parse workers, the store's operations); what one poll knows is a
bot.pipeline.PollRun. Every store operation comes from the StoreModules it is given.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable

from bot.config import Config
from bot.ingest.fetch import Fetcher
from bot.ingest.parsepool import ParsePool
from bot.pipeline import record_unchanged, refresh
from bot.pollstate import PollReport, PollRun, PollTools
from bot.store.db import Store
from bot.store.errors import StorageUnavailable
from bot.store.interface import StoreModules
from bot.store.sources import Source

log = logging.getLogger("newswatch")


class Poller:
    """Polls sources into the store; the clock and randomness are passed in for tests."""

    def __init__(
        self,
        db: Store,
        config: Config,
        fetcher: Fetcher,
        clock: Callable[[], float],
        rng: random.Random | None = None,
        *,
        store: StoreModules[Store],
    ) -> None:
        self.tools = PollTools(
            db,
            config,
            fetcher,
            clock,
            rng or random.Random(),
            self._parse_pool,
            store,
        )
        self._pool: ParsePool | None = None
        # Told (sources done, sources due) as each source of a poll finishes (bot.ops.progress).
        self.progress: Callable[[int, int], None] | None = None
        # Whether this newswatch prunes: with several workers, only the leader (bot.crew).
        self.prunes: Callable[[], bool] = lambda: True

    def _parse_pool(self) -> ParsePool:
        """The parse workers (bot.ingest.parsepool), made on the first body that needs parsing."""
        if self._pool is None:
            self._pool = ParsePool()
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    async def poll(self, all_sources: bool = False) -> PollReport:
        """Refresh every due source (every source with `all_sources`), at most 16 at once;
        a write the disk refused is raised once the sources under way are done."""
        db, config, store = self.tools.db, self.tools.config, self.tools.store
        now = self.tools.clock()
        store.sources.sync_sources(db, config=config, now=now)
        run = PollRun.start(self.tools, now)
        sources = store.sources.due_sources(db, now=now, all_sources=all_sources)
        done = 0

        async def refresh_one(source: Source) -> None:
            nonlocal done
            await refresh(source, run)
            done += 1
            if self.progress is not None:
                self.progress(done, len(sources))

        keeper = asyncio.create_task(self._keep_leases())
        try:
            await asyncio.gather(*(refresh_one(source) for source in sources))
        finally:
            keeper.cancel()
        if run.halted is not None:
            raise run.halted
        record_unchanged(run)
        if self.prunes() and store.retention.prune_due(db, now=now):
            store.retention.prune(db, retention=config.retention, now=self.tools.clock())
        return run.report

    async def _keep_leases(self) -> None:
        """Renew the poll's leases every third of a lease while it runs: a poll longer than a
        lease would otherwise hand its unfinished sources to another worker (SQLite: none)."""
        db, store = self.tools.db, self.tools.store
        while True:
            await asyncio.sleep(self.tools.config.lease / 3)
            try:
                with store.transaction(db):
                    if not store.sources.renew_leases(db, now=self.tools.clock()):
                        return
            except StorageUnavailable as exc:  # the poll's own writes report the outage
                log.debug("lease renewal failed", extra={"reason": str(exc)})


__all__ = ["PollReport", "Poller"]
