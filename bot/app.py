"""The service: config, store, fetcher, adapters and the scheduler wired together."""

from __future__ import annotations

import asyncio
import logging
import random
import signal
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, replace
from typing import Literal

from bot.chat.commands import Command, Reply, handle
from bot.chat.ratelimit import SlidingWindow
from bot.config import Config
from bot.crew import crew_for
from bot.deliver.adapter import Adapter, DeliveryError, load_adapter
from bot.deliver.cron_digests import CronDigests
from bot.deliver.digest import build_digest, default_since, mark_digested
from bot.deliver.drain import DIGEST_DEADLINE_FACTOR, Deliverer, DrainReport
from bot.deliver.model import Message
from bot.ingest.fetch import Fetcher
from bot.outage import storage_failed, storage_recovered
from bot.poller import Poller, PollReport
from bot.store.channels import reopen_stopped
from bot.store.db import StorageUnavailable, Store, checkpoint, close_db, transaction
from bot.store.interface import StoreModules, sqlite_store
from bot.store.opening import open_store
from bot.store.outbox import recover_interrupted
from bot.store.sources import sync_sources
from bot.store.watches import channel_id, sync_file_watches
from bot.target import Target

log = logging.getLogger("newswatch")
MIN_POLL_GAP = 1.0  # seconds between polls at least, so a source that stays due never spins
DELIVERY_TICK = 5.0  # how often each platform's delivery looks for retries that came due
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
        *,
        store: StoreModules[Store] | None = None,
        exclusive: bool = False,
    ) -> None:
        self.config = config
        # The store's operations the poll and the drain call (bot.store.interface).
        self.store = store if store is not None else sqlite_store()
        self.clock = clock
        self.db = open_store(config, check_db, exclusive=exclusive)
        # One worker of several on PostgreSQL: sources come by lease, channels by lock.
        self.crew = crew_for(self.db, config, clock, exclusive)
        if self.crew is not None:
            self.store = replace(self.store, sources=self.crew.sources)
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
        self.poller = Poller(self.db, config, self.fetcher, clock, self.rng, store=self.store)
        self.deliverer = Deliverer(self.db, self.adapters, clock, self.rng, store=self.store)
        self._poll_lock = asyncio.Lock()
        # A drain stops while a poll is storing: its alerts may still gain watches.
        self.deliverer.paused = self._poll_lock.locked
        self._share_work()
        # The longest the poll loop sleeps: it wakes at the next source's due time, and at
        # least this often to pick up changes and probe a storage outage.
        self.poll_tick = min(config.poll_interval, 30.0)
        self._poll_wake = asyncio.Event()  # set when a watch added in chat makes a source due
        self.delivery_tick = DELIVERY_TICK
        # Set after each poll: wakes each platform's delivery loop (`run_forever`).
        self._wake = {platform: asyncio.Event() for platform in self.adapters}
        self._digests = SlidingWindow(DIGESTS_PER_MINUTE, 60.0, clock)
        self.storage_down: str | None = None  # why the database cannot be written, if so
        self.digests = CronDigests(self.db, clock, self.post_digest, self._leads_now)
        self.backlog = False  # the last poll succeeded on a full claim: poll again at once

    async def start(self, listen: bool = True) -> None:
        """Connect the adapters (taking commands only if `listen`); destinations stopped by a
        permanent error get one new try. A worker leaves rows cut off mid-send to the next
        holder of their channel's lock (bot.store.pg.coord): another worker may be sending."""
        if self.crew is not None:
            self.crew.join()
        with transaction(self.db):
            stopped = reopen_stopped(self.db)
            interrupted = recover_interrupted(self.db) if self.crew is None else 0
        for target in stopped:
            log.info("retrying a stopped destination after restart", extra={"channel": target})
        if interrupted:
            log.warning(
                "deliveries cut off mid-send will be sent again (the platform may have them)",
                extra={"count": interrupted},
            )
        for adapter in self.adapters.values():
            adapter.on_command = self.command
            # Discord's gateway is one session per bot: the leader's (bot.crew).
            adapter.listen = listen and (self.leads() or not adapter.one_session)
            await adapter.start()

    def _share_work(self) -> None:
        """A worker of several: channels by lock, the per-host limit among all workers,
        pruning by the leader alone (bot.crew)."""
        if self.crew is not None:
            self.deliverer.claims = self.crew.coordinator
            self.fetcher.shared_slots = self.crew.coordinator
            self.poller.prunes = self.leads

    def leads(self) -> bool:
        """Whether this newswatch runs cron digests, pruning and notices: alone, always."""
        return self.crew is None or self.crew.leader

    async def close(self) -> None:
        for adapter in self.adapters.values():
            await adapter.close()
        if self.crew is not None:
            with suppress(StorageUnavailable):
                self.crew.leave()
        await self.fetcher.aclose()
        self.poller.close()
        close_db(self.db, self.config.database)

    async def cycle(self, all_sources: bool = False) -> CycleReport:
        """One poll of the due sources, then deliver what is pending (`newswatch poll`)."""
        poll = await self.poll(all_sources)
        delivery = await self.deliverer.drain()
        checkpoint(self.db)
        return CycleReport(poll, delivery)

    async def poll(self, all_sources: bool = False) -> PollReport:
        """One poll of the due sources (never two at once), then wake the deliveries."""
        async with self._poll_lock:
            report = await self.poller.poll(all_sources)
        for wake in self._wake.values():
            wake.set()
        return report

    async def deliver(self, platform: str | None = None) -> DrainReport:
        """Send what is due on one platform, or on all of them (each on its own)."""
        report = await self.deliverer.drain(platform)
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
        self._poll_wake.set()  # a new search source is due now: its first poll need not wait

    async def post_digest(self, target: str, since: float | None = None) -> None:
        """Build a channel's digest and post it there (cron digests and `digest --post`)."""
        now = self.clock()
        cid = channel_id(self.db, target)
        start = since if since is not None else default_since(self.db, cid, now)
        digest = build_digest(self.db, cid, target, start, now)
        adapter = self.adapters[Target.parse(target).platform]
        await self.send_now(adapter, target, digest, DIGEST_DEADLINE_FACTOR)
        mark_digested(self.db, cid, now)

    async def send_now(
        self, adapter: Adapter, target: str, message: Message, deadlines: int = 1
    ) -> None:
        """Straight to the adapter, not through the outbox, within the send deadline."""
        deadline = self.deliverer.send_deadline * deadlines
        try:
            async with asyncio.timeout(deadline):
                await adapter.send(target, message)
        except TimeoutError:
            raise DeliveryError(f"{target}: no answer within {deadline:g} s") from None

    async def run_forever(self, stop: asyncio.Event | None = None) -> None:
        """The service: poll ticks, each platform's delivery loop and cron digests, until
        SIGINT/SIGTERM (or `stop`). Polls never wait for a send, nor platforms for each other."""
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        from bot.cron import trigger

        if stop is None:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
        await self.start()
        from bot.ops.status import service_summary

        targets = [channel.target for channel in self.config.channels]
        log.info("newswatch running: %s", service_summary(self.db, targets))
        # Jobs are rebuilt from config and the database at every start; due times live in
        # the sources table. misfire_grace_time is generous: APScheduler's default of 1 s
        # silently drops jobs on a busy loop (DESIGN traps).
        scheduler = AsyncIOScheduler(
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
        )
        for channel in self.config.channels:
            if channel.digest:
                schedule = trigger(channel.digest, self.config.zone)  # wall-clock time there
                self.digests.schedules[channel.target] = schedule
                scheduler.add_job(
                    self.digests.post,
                    schedule,
                    args=[channel.target],
                    id=f"digest:{channel.target}",
                )
        scheduler.start()
        tasks = [asyncio.create_task(self._delivery_loop(name)) for name in self.adapters]
        tasks.append(asyncio.create_task(self._poll_loop()))
        try:
            await stop.wait()
        finally:
            scheduler.shutdown(wait=False)
            for task in tasks:  # a send cut off here is 'sending': retried at the next start
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self.close()
            log.info("newswatch stopped")

    async def _delivery_loop(self, platform: str) -> None:
        """One platform's deliveries, after each poll and every delivery_tick (retries come
        due): a send that hangs holds up this loop only, until its deadline."""
        wake = self._wake[platform]
        while True:
            with suppress(TimeoutError):
                async with asyncio.timeout(self.delivery_tick):
                    await wake.wait()
            wake.clear()
            await self._safe_deliver(platform)

    async def _poll_loop(self) -> None:
        """Poll, then sleep until the next source is due: a fixed tick made the real interval
        a multiple of the tick, and a poll longer than a tick was skipped with a warning."""
        while True:
            await self._safe_cycle()
            self._poll_wake.clear()
            with suppress(TimeoutError):
                async with asyncio.timeout(self._until_next_poll()):
                    await self._poll_wake.wait()

    def _until_next_poll(self) -> float:
        """Seconds until the next source is due, within [MIN_POLL_GAP, poll_tick]; none when
        a worker's last claim was full (more are due: each claimed source has a new due time,
        so claiming again at once cannot spin on one source)."""
        if self.storage_down:  # retried every tick, not in a tight loop
            return self.poll_tick
        if self.backlog:
            return 0.0
        due = self.store.sources.next_due(self.db, self.clock())
        if due is None:
            return self.poll_tick
        return max(min(MIN_POLL_GAP, self.poll_tick), min(due - self.clock(), self.poll_tick))

    async def _safe_cycle(self) -> None:
        """One poll: poll only (delivery runs on its own), and probe a storage outage. A
        worker heartbeats first, and one that has just become leader takes up its duties."""
        self.backlog = False  # a poll that fails waits its gap, so it never spins
        try:
            if self.crew is not None and self.crew.beat():
                await self._take_role(self.crew.leader)
            report = await self.poll()
            checkpoint(self.db)
        except StorageUnavailable as exc:
            await storage_failed(self, exc)
            return
        except Exception:
            log.exception("poll failed")
            return
        storage_recovered(self)
        self.backlog = self.crew is not None and self.crew.sources.backlog
        log.info("poll done", extra={"count": report.polled, "new_items": report.new_items})
        if self.leads():
            await self.digests.catch_up()

    async def _safe_deliver(self, platform: str | None = None) -> None:
        if self.storage_down:  # the poll tick probes for recovery
            return
        try:
            await self.deliver(platform)
        except StorageUnavailable as exc:
            await storage_failed(self, exc)
        except Exception:
            log.exception("delivery failed", extra={"channel": platform})

    async def _take_role(self, leader: bool) -> None:
        """The adapters that listen on the leader only start (or stop) listening."""
        for adapter in self.adapters.values():
            if adapter.one_session and adapter.listen != leader:
                adapter.listen = leader
                await (adapter.lead() if leader else adapter.follow())

    def _leads_now(self) -> bool:
        """Asked of the server now: a leader whose connection came back after an outage may
        have lost the lock to another since its last heartbeat."""
        return self.crew is None or (self.crew.leader and self.crew.coordinator.leading())
