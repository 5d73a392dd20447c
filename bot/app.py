"""The service: config, store, fetcher, adapters and the scheduler wired together."""

from __future__ import annotations

import asyncio
import logging
import random
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from bot.adapter import Adapter, load_adapter
from bot.commands import Command, Reply, handle
from bot.config import Config
from bot.deliver import Deliverer, DrainReport
from bot.digest import build_digest, default_since, mark_digested
from bot.fetch import Fetcher
from bot.model import Notice
from bot.outbox import add_notice, recover_interrupted
from bot.poller import Poller, PollReport
from bot.ratelimit import SlidingWindow
from bot.sources import sync_sources
from bot.store import StorageUnavailable, checkpoint, close_db, open_db, transaction
from bot.watches import channel_id, sync_file_watches

log = logging.getLogger("newswatch")
DELIVERY_TICK = 5.0
DIGESTS_PER_MINUTE = 3  # per user and channel (HARDENING D7)


@dataclass
class CycleReport:
    poll: PollReport
    delivery: DrainReport


class App:
    """Owns the one database connection and the adapters for the configured platforms."""

    def __init__(
        self,
        config: Config,
        clock: Callable[[], float] = time.time,
        fetcher: Fetcher | None = None,
        adapters: dict[str, Adapter] | None = None,
        check_db: Literal["always", "if-changed"] = "always",
    ) -> None:
        self.config = config
        self.clock = clock
        self.db = open_db(config.database, check_db)
        now = clock()
        sync_file_watches(self.db, config, now)
        for channel in config.channels:
            channel_id(self.db, channel.target)
        sync_sources(self.db, config, now)
        self.fetcher = fetcher or Fetcher(allow_private=config.allow_private_networks)
        platforms = {channel.platform for channel in config.channels}
        self.adapters = (
            adapters
            if adapters is not None
            else {platform: load_adapter(platform, config) for platform in sorted(platforms)}
        )
        self.rng = random.Random()
        self.poller = Poller(self.db, config, self.fetcher, clock, self.rng)
        self.deliverer = Deliverer(self.db, self.adapters, clock, self.rng)
        self._cycle_lock = asyncio.Lock()
        self._digests = SlidingWindow(DIGESTS_PER_MINUTE, 60.0, clock)
        self.storage_down: str | None = None  # why the database cannot be written, if so

    async def start(self, listen: bool = True) -> None:
        """Connect the adapters (taking commands only if `listen`); destinations stopped by a
        permanent error get one new try."""
        with transaction(self.db):
            stopped = self.db.execute(
                "UPDATE channels SET status = 'ok', status_reason = NULL WHERE status != 'ok' "
                "RETURNING target"
            ).fetchall()
            interrupted = recover_interrupted(self.db)
        for (target,) in stopped:
            log.info("retrying a stopped destination after restart", extra={"channel": target})
        if interrupted:
            log.warning(
                "deliveries cut off mid-send will be sent again (the platform may have them)",
                extra={"count": interrupted},
            )
        for adapter in self.adapters.values():
            adapter.on_command = self.command
            adapter.listen = listen
            await adapter.start()

    async def close(self) -> None:
        for adapter in self.adapters.values():
            await adapter.close()
        await self.fetcher.aclose()
        self.poller.close()
        close_db(self.db, self.config.database)

    async def cycle(self, all_sources: bool = False) -> CycleReport:
        """One poll of the due sources, then deliver what is pending; never two at once."""
        async with self._cycle_lock:
            poll = await self.poller.poll(all_sources)
            delivery = await self.deliverer.drain()
            checkpoint(self.db)
        return CycleReport(poll, delivery)

    async def deliver(self) -> DrainReport:
        report = await self.deliverer.drain()
        if report.sent or report.dead or report.retrying:
            checkpoint(self.db)
        return report

    def command(self, command: Command) -> Reply:
        """A chat command; /digest is limited per user and channel, so spam cannot flood it."""
        if command.name == "digest":
            wait = self._digests.wait(f"{command.target}\x1f{command.user}")
            if wait > 0:
                return Reply(
                    f"You asked for {DIGESTS_PER_MINUTE} digests in the last minute; "
                    f"try again in {int(wait) + 1} s.",
                    ok=False,
                )
        return handle(self.db, command, self.clock(), self._watches_changed)

    def _watches_changed(self) -> None:
        sync_sources(self.db, self.config, self.clock())

    async def post_digest(self, target: str, since: float | None = None) -> None:
        """Build a channel's digest and post it there (cron digests and `digest --post`)."""
        now = self.clock()
        cid = channel_id(self.db, target)
        start = since if since is not None else default_since(self.db, cid, now)
        digest = build_digest(self.db, cid, target, start, now)
        adapter = self.adapters[target.split(":", 1)[0]]
        await adapter.send(target, digest)
        mark_digested(self.db, cid, now)

    async def run_forever(self) -> None:
        """The service: poll ticks, delivery retries and cron digests until SIGINT/SIGTERM."""
        from apscheduler.schedulers.asyncio import AsyncIOScheduler
        from apscheduler.triggers.cron import CronTrigger

        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await self.start()
        # Jobs are rebuilt from config and the database at every start; due times live in
        # the sources table. misfire_grace_time is generous: APScheduler's default of 1 s
        # silently drops jobs on a busy loop (DESIGN traps).
        scheduler = AsyncIOScheduler(
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
        )
        tick = min(self.config.poll_interval, 30.0)
        scheduler.add_job(self._safe_cycle, "interval", seconds=tick, id="poll")
        scheduler.add_job(self._safe_deliver, "interval", seconds=DELIVERY_TICK, id="deliver")
        for channel in self.config.channels:
            if channel.digest:
                scheduler.add_job(
                    self._safe_digest,
                    CronTrigger.from_crontab(channel.digest, timezone="UTC"),
                    args=[channel.target],
                    id=f"digest:{channel.target}",
                )
        scheduler.start()
        first = asyncio.create_task(self._safe_cycle())
        try:
            await stop.wait()
        finally:
            scheduler.shutdown(wait=False)
            first.cancel()
            await self.close()

    async def _safe_cycle(self) -> None:
        try:
            report = await self.cycle()
        except StorageUnavailable as exc:
            await self._storage_failed(exc)
            return
        except Exception:
            log.exception("poll cycle failed")
            return
        self._storage_recovered()
        log.info(
            "cycle done",
            extra={"count": report.poll.polled, "new_items": report.poll.new_items},
        )

    async def _safe_deliver(self) -> None:
        if self._cycle_lock.locked() or self.storage_down:  # the poll tick probes for recovery
            return
        try:
            await self.deliver()
        except StorageUnavailable as exc:
            await self._storage_failed(exc)
        except Exception:
            log.exception("delivery failed")

    async def _storage_failed(self, exc: StorageUnavailable) -> None:
        """HARDENING F9: say once per outage, here and in every channel, that the database
        cannot be written; the poll tick keeps trying and nothing is half-processed."""
        if self.storage_down is not None:
            return
        self.storage_down = exc.reason
        log.error(
            "the database cannot be written: polling and alerts pause until it can",
            extra={"reason": exc.reason},
        )
        text = (
            f"newswatch cannot write its database ({exc.reason}), so polling and alerts are "
            "paused. Nothing is lost: they resume by themselves once it can write again."
        )
        for channel in self.config.channels:  # straight to the adapter: the outbox is stuck
            adapter = self.adapters.get(channel.platform)
            if adapter is None:
                continue
            try:
                await adapter.send(channel.target, Notice(channel=channel.target, text=text))
            except Exception as send_exc:
                log.warning(
                    "could not tell a channel that the database cannot be written",
                    extra={"channel": channel.target, "reason": type(send_exc).__name__},
                )

    def _storage_recovered(self) -> None:
        """The first cycle that could write after an outage: retry what was cut off, say so."""
        if self.storage_down is None:
            return
        now = self.clock()
        with transaction(self.db):
            interrupted = recover_interrupted(self.db)
            for channel in self.config.channels:
                add_notice(
                    self.db,
                    channel_id(self.db, channel.target),
                    "newswatch can write its database again: polling and alerts have resumed.",
                    now,
                )
        log.warning("the database can be written again", extra={"count": interrupted})
        self.storage_down = None

    async def _safe_digest(self, target: str) -> None:
        try:
            await self.post_digest(target)
        except Exception as exc:
            log.error("digest failed", extra={"channel": target, "reason": str(exc)})
