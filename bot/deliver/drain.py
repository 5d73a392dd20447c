"""The delivery loop: pending outbox rows to adapters, marked sent only once confirmed.

The outbox and channel operations, and the transaction, come from the StoreModules the
Deliverer is given (bot.store.interface); StorageUnavailable is every store's one error.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Mapping
from typing import TypeVar

from bot.deliver.adapter import Adapter, DeliveryError, Sent
from bot.deliver.backlog import collapse_backlogs
from bot.deliver.claims import Alone, ChannelClaims, Hold
from bot.deliver.messages import NothingNew, StoryView, build_message
from bot.deliver.model import Message
from bot.deliver.outcome import DrainReport as DrainReport
from bot.deliver.outcome import SendOutcome, covered, gather_all
from bot.ops.crashpoints import crash_point
from bot.store.db import Store
from bot.store.interface import StoreModules
from bot.store.outbox import Delivery
from bot.store.updates import Confirmed

log = logging.getLogger("newswatch.deliver")
BATCH = 500  # outbox rows read at a time
SEND_DEADLINE = 30.0  # a send with no answer by then is cut off, and retried later
DIGEST_DEADLINE_FACTOR = 10  # a digest's deadline, in send deadlines (several messages)
CHANNELS_AT_ONCE = 8  # chat channels of one platform sent to at the same time
T = TypeVar("T")


class Deliverer:
    """Sends what is due, in order per channel: each platform on its own, so a platform
    that hangs or fails never delays another's alerts (nor, in the service, a poll)."""

    def __init__(
        self,
        db: Store,
        adapters: Mapping[str, Adapter],
        clock: Callable[[], float],
        rng: random.Random | None = None,
        send_deadline: float = SEND_DEADLINE,
        *,
        store: StoreModules[Store],
    ) -> None:
        self.db = db
        self.store = store
        self.outbox, self.transaction = self.store.outbox, self.store.transaction
        self.adapters = adapters
        self.clock = clock
        self.rng = rng or random.Random()
        self.send_deadline = send_deadline
        # True while a poll is storing: a drain stops before its next read, for a pending
        # alert of that poll may still gain the watches of the story's later copies.
        self.paused: Callable[[], bool] = lambda: False
        # Two drains of one platform at once could send one row twice (two workers too).
        self.claims: ChannelClaims = Alone()
        self._locks = {platform: asyncio.Lock() for platform in adapters}

    async def drain(self, platform: str | None = None) -> DrainReport:
        """Send everything due on one platform, or on every platform at once, each until a
        batch sends nothing new; returns when all are done."""
        platforms = list(self.adapters) if platform is None else [platform]
        total = DrainReport()
        for report in await gather_all([self._drain(name) for name in platforms]):
            total.sent += report.sent
            total.retrying += report.retrying
            total.dead += report.dead
            total.stopped += report.stopped
        return total

    async def _drain(self, platform: str) -> DrainReport:
        """File adapters' rows a channel's together, chat rows in outbox order."""
        adapter = self.adapters[platform]
        async with self._locks[platform]:
            report = DrainReport()
            collapse_backlogs(
                self.db,
                adapter,
                platform=platform,
                store=self.store,
                claims=self.claims,
                clock=self.clock,
            )
            blocked: set[int] = set()  # a channel that failed waits, keeping its order
            # Each story's best copy, read once for all the file rows of this drain (they
            # are written within seconds); chat rows are read fresh at their turn.
            copies: dict[int, StoryView] = {}
            files = adapter.batch_size > 1
            hold = Hold(self.claims, blocked)  # the channels this drain may send to
            try:
                while not self.paused():
                    before = report.sent + report.dead
                    batch = hold.batch(
                        lambda: self.outbox.due(
                            self.db,
                            self.clock(),
                            limit=BATCH,
                            skip=blocked,
                            platforms=[platform],
                            by_channel=files,
                        )
                    )
                    if files:
                        await self._send_grouped(adapter, batch, report, blocked, copies)
                    else:
                        await self._send_serial(adapter, batch, report, blocked)
                    if len(batch) < BATCH or report.sent + report.dead == before:
                        break
            finally:
                hold.release()
            return report

    async def _send_serial(
        self, adapter: Adapter, batch: list[Delivery], report: DrainReport, blocked: set[int]
    ) -> None:
        """Chat rows: each channel's one by one in outbox order, several channels at once,
        so a slow or failing channel holds up only itself."""
        channels: dict[int, list[Delivery]] = {}
        for delivery in batch:
            channels.setdefault(delivery.channel_id, []).append(delivery)
        room = asyncio.Semaphore(CHANNELS_AT_ONCE)

        async def one_channel(rows: list[Delivery]) -> None:
            async with room:
                for delivery in rows:
                    if delivery.channel_id in blocked:
                        return
                    if await self._send_rows(adapter, [delivery], report):
                        blocked.add(delivery.channel_id)

        await gather_all([one_channel(rows) for rows in channels.values()])

    async def _send_rows(self, adapter: Adapter, rows: list[Delivery], report: DrainReport) -> bool:
        """Send rows of one channel as one batch: marked sending together, confirmed
        together. True when the channel failed and should wait for a later drain."""
        ready = await self._skip_delivered(adapter, self._render(rows, report), report)
        if not ready:
            return False
        with self.transaction(self.db):
            self.outbox.mark_sending_many(self.db, (delivery for delivery, _ in ready))
            self.store.updates.record_confirmed(self.db, covered(ready))
        outcome, sents = await self._send_ready(adapter, ready, report)
        if outcome != "sent":
            return outcome == "channel failed"
        now = self.clock()
        with self.transaction(self.db):
            self.outbox.mark_sent_many(self.db, (delivery for delivery, _ in ready), now)
            self.store.updates.record_confirmed(self.db, covered(ready, sents))
        report.sent += len(ready)
        return False

    async def _send_grouped(
        self,
        adapter: Adapter,
        batch: list[Delivery],
        report: DrainReport,
        blocked: set[int],
        copies: dict[int, StoryView],
    ) -> None:
        """Rows for file adapters: marked sending in one transaction, written channel by
        channel a batch_size at a time, and confirmed in one transaction at the end. A crash
        in between leaves them 'sending'; at the next start the adapter finds those it holds
        (delivered_already), so none is written twice and none is lost."""
        grouped: dict[int, list[Delivery]] = {}
        for delivery in batch:
            grouped.setdefault(delivery.channel_id, []).append(delivery)
        chunks: list[list[tuple[Delivery, Message]]] = []
        for rows in grouped.values():
            rendered = self._render(rows, report, copies)
            ready = await self._skip_delivered(adapter, rendered, report)
            for start in range(0, len(ready), adapter.batch_size):
                chunks.append(ready[start : start + adapter.batch_size])
        if not chunks:
            return
        pairs = [pair for ready in chunks for pair in ready]
        with self.transaction(self.db):
            self.outbox.mark_sending_many(self.db, (delivery for delivery, _ in pairs))
            self.store.updates.record_confirmed(self.db, covered(pairs))
        sent: list[Delivery] = []
        confirmed: list[Confirmed] = []
        unsent: list[Delivery] = []
        for ready in chunks:
            channel = ready[0][0].channel_id
            if channel in blocked:
                unsent.extend(delivery for delivery, _ in ready)
                continue
            outcome, sents = await self._send_ready(adapter, ready, report)
            if outcome == "sent":
                sent.extend(delivery for delivery, _ in ready)
                confirmed += covered(ready, sents)
            elif outcome == "channel failed":
                blocked.add(channel)
        now = self.clock()
        with self.transaction(self.db):
            self.outbox.mark_sent_many(self.db, sent, now)
            self.store.updates.record_confirmed(self.db, confirmed)
            for delivery in unsent:  # never tried: its channel failed before its turn
                self.outbox.release(self.db, delivery)
        report.sent += len(sent)

    async def _send_ready(
        self, adapter: Adapter, ready: list[tuple[Delivery, Message]], report: DrainReport
    ) -> tuple[SendOutcome, list[Sent | None]]:
        """Send rows already marked sending, within the send deadline. On failure the rows
        are recorded as failed; the outcome says whether the channel should wait ("channel
        failed") or only the rows. Sent rows come with what the platform confirmed."""
        target = ready[0][0].target
        # A digest may go out as several paced messages.
        deadline = self.send_deadline * (
            DIGEST_DEADLINE_FACTOR if any(d.kind == "digest" for d, _ in ready) else 1
        )
        timer = asyncio.timeout(deadline)
        try:
            async with timer:
                sents = await adapter.send_batch(target, [message for _, message in ready])
        except DeliveryError as exc:
            for delivery, _ in ready:
                self._failed(delivery, exc, report)
            return ("message failed" if exc.scope in ("message", "gone") else "channel failed"), []
        except Exception as exc:  # an adapter bug must not leave the rows 'sending'
            if timer.expired():  # no answer: the target may have it; retried, flagged
                cut_off = DeliveryError(f"{adapter.platform}: no answer within {deadline:g} s")
                for delivery, _ in ready:
                    self._failed(delivery, cut_off, report, ambiguous=True)
                return "channel failed", []
            log.exception("adapter failed", extra={"channel": target})
            for delivery, _ in ready:
                self._failed(delivery, DeliveryError(f"{type(exc).__name__}"), report)
            return "channel failed", []
        crash_point("after-send")
        await asyncio.sleep(0)  # a long drain never holds up commands on the loop
        return "sent", list(sents or [])

    def _render(
        self, rows: list[Delivery], report: DrainReport, copies: dict[int, StoryView] | None = None
    ) -> list[tuple[Delivery, Message]]:
        """Each row's message; a row that cannot be rendered never will be, and goes dead;
        an update with nothing new to say is done without a send."""
        ready: list[tuple[Delivery, Message]] = []
        for delivery in rows:
            try:
                ready.append((delivery, build_message(self.db, delivery, copies)))
            except NothingNew:
                with self.transaction(self.db):
                    self.outbox.mark_sent_many(self.db, [delivery], self.clock())
            except Exception as exc:
                self._failed(
                    delivery, DeliveryError(f"unreadable row: {exc}", scope="message"), report
                )
        return ready

    async def _skip_delivered(
        self, adapter: Adapter, ready: list[tuple[Delivery, Message]], report: DrainReport
    ) -> list[tuple[Delivery, Message]]:
        """Rows cut off mid-send that the target can show it holds are marked sent, not
        sent again (a file can tell; a chat API cannot, and those rows go again, flagged)."""
        cut_off = [(d, m) for d, m in ready if d.ambiguous]
        if not cut_off:
            return ready
        held = await adapter.delivered_already(cut_off[0][0].target, [m for _, m in cut_off])
        found = {d.id: there for (d, _), there in zip(cut_off, held, strict=True) if there}
        if not found:
            return ready
        with self.transaction(self.db):
            self.outbox.mark_sent_many(
                self.db, (d for d, _ in ready if d.id in found), self.clock()
            )
            held_rows = [(d, m) for d, m in ready if d.id in found]
            self.store.updates.record_confirmed(
                self.db, covered(held_rows, [found[d.id] for d, _ in held_rows])
            )
        report.sent += len(found)
        log.warning(
            "deliveries cut off mid-send were found delivered; not sent again",
            extra={"channel": cut_off[0][0].target, "count": len(found)},
        )
        return [(d, m) for d, m in ready if d.id not in found]

    def _failed(
        self,
        delivery: Delivery,
        exc: DeliveryError,
        report: DrainReport,
        ambiguous: bool = False,
    ) -> None:
        extra = {"channel": delivery.target, "story": delivery.story_id, "reason": exc.reason}
        with self.transaction(self.db):
            if exc.scope == "destination":
                self.outbox.release(self.db, delivery)
                self.store.channels.stop_channel(self.db, delivery.channel_id, exc.reason)
                report.stopped.append(delivery.target)
                log.error("destination stopped", extra=extra)
            elif exc.scope in ("message", "gone"):
                self.outbox.mark_dead(self.db, delivery, exc.reason)
                report.dead += 1
                if exc.scope == "gone":  # deleted in the channel: no update of it ever again
                    log.warning("update dropped: its alert message is gone", extra=extra)
                else:
                    log.error("message refused", extra=extra)
            else:
                self.outbox.retry_later(
                    self.db,
                    delivery,
                    now=self.clock(),
                    reason=exc.reason,
                    retry_after=exc.retry_after,
                    rng=self.rng,
                    ambiguous=ambiguous,
                )
                report.retrying += 1
                log.warning("delivery will be retried", extra=extra)
