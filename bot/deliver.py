"""The delivery loop: pending outbox rows to adapters, marked sent only once confirmed."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import sqlite_utils

from bot.adapter import Adapter, DeliveryError
from bot.crashpoints import crash_point
from bot.digest import backlog_digest
from bot.model import Alert, Message, Notice
from bot.outbox import (
    Delivery,
    backlogged_channels,
    collapse_backlog,
    due,
    mark_dead,
    mark_sending_many,
    mark_sent_many,
    release,
    retry_later,
    stop_channel,
)
from bot.store import transaction
from bot.stories import best_copy

log = logging.getLogger("newswatch.deliver")
SendOutcome = Literal["sent", "message failed", "channel failed"]
BATCH = 500  # outbox rows read at a time
BACKLOG_AGE = 900.0  # only alerts that waited this long count as an outage's backlog


@dataclass
class DrainReport:
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    stopped: list[str] = field(default_factory=list)


ItemRow = tuple[Any, ...]  # title, link, outlet, published, dated, summary


def build_message(
    db: sqlite_utils.Database, delivery: Delivery, copies: dict[int, ItemRow] | None = None
) -> Message:
    """The structured message for an outbox row, read fresh from the store. `copies` keeps
    each story's best copy for one drain's file rows: a story in 100 channels is read once."""
    if delivery.kind == "notice":
        payload = json.loads(delivery.payload or "{}")
        return Notice(channel=delivery.target, text=str(payload.get("text", "")))
    if delivery.kind == "digest":
        payload = json.loads(delivery.payload or "{}")
        return backlog_digest(
            db,
            delivery.channel_id,
            delivery.target,
            [int(i) for i in payload.get("deliveries", [])],
            float(payload.get("since", 0.0)),
            float(payload.get("until", 0.0)) or _created(db, delivery),
        )
    row = copies.get(delivery.story_id) if copies is not None and delivery.story_id else None
    if row is None:
        item_id = best_copy(db, delivery.story_id) if delivery.story_id else None
        row = db.execute(
            "SELECT title, link, outlet, published, dated, summary FROM items WHERE id = ?",
            [item_id or delivery.item_id],
        ).fetchone()
        if copies is not None and delivery.story_id and row is not None:
            copies[delivery.story_id] = row
    title, link, outlet, published, dated, summary = row
    return Alert(
        channel=delivery.target,
        story_id=int(delivery.story_id or 0),
        title=title,
        url=link,
        source=outlet,
        published=datetime.fromtimestamp(published, UTC) if dated else None,
        summary=summary,
        watches=delivery.watches,
    )


def _created(db: sqlite_utils.Database, delivery: Delivery) -> float:
    row = db.execute("SELECT created FROM deliveries WHERE id = ?", [delivery.id]).fetchone()
    return float(row[0]) if row else 0.0


class Deliverer:
    """Sends what is due, in order, one destination at a time."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        adapters: Mapping[str, Adapter],
        clock: Callable[[], float],
        rng: random.Random | None = None,
    ) -> None:
        self.db = db
        self.adapters = adapters
        self.clock = clock
        self.rng = rng or random.Random()
        self._lock = asyncio.Lock()  # two drains at once could send one row twice

    async def drain(self) -> DrainReport:
        """Send everything due, a batch at a time, until a batch sends nothing new: first
        the file channels' rows, a channel's together, then the chat rows in outbox order."""
        async with self._lock:
            report = DrainReport()
            self._collapse_backlogs()
            blocked: set[int] = set()  # a channel that failed waits, keeping its order
            file_kinds = [kind for kind, a in self.adapters.items() if a.batch_size > 1]
            # Each story's best copy, read once for all the file rows of this drain (they
            # are written within seconds); chat rows are read fresh at their turn.
            copies: dict[int, ItemRow] = {}
            for files in (True, False) if file_kinds else (None,):
                while True:
                    before = report.sent + report.dead
                    batch = due(self.db, self.clock(), BATCH, blocked, file_kinds, files)
                    await self._send_batch(batch, report, blocked, copies)
                    if len(batch) < BATCH or report.sent + report.dead == before:
                        break
            return report

    async def _send_batch(
        self,
        batch: list[Delivery],
        report: DrainReport,
        blocked: set[int],
        copies: dict[int, ItemRow],
    ) -> None:
        """Rows for batching adapters (files) go per channel, a batch_size at a time; chat
        rows go one by one in outbox order, so no channel waits behind another's flood."""
        serial: list[Delivery] = []
        grouped: dict[int, list[Delivery]] = {}
        for delivery in batch:
            adapter = self._adapter(delivery)
            if adapter is None or delivery.channel_id in blocked:
                continue
            if adapter.batch_size > 1:
                grouped.setdefault(delivery.channel_id, []).append(delivery)
            else:
                serial.append(delivery)
        if grouped:
            await self._send_grouped(grouped, report, blocked, copies)
        for delivery in serial:
            if delivery.channel_id in blocked:
                continue
            adapter = self._adapter(delivery)
            assert adapter is not None
            if await self._send_rows(adapter, [delivery], report):
                blocked.add(delivery.channel_id)

    def _adapter(self, delivery: Delivery) -> Adapter | None:
        return self.adapters.get(delivery.target.split(":", 1)[0])

    async def _send_rows(self, adapter: Adapter, rows: list[Delivery], report: DrainReport) -> bool:
        """Send rows of one channel as one batch: marked sending together, confirmed
        together. True when the channel failed and should wait for a later drain."""
        ready = await self._skip_delivered(adapter, self._render(rows, report), report)
        if not ready:
            return False
        with transaction(self.db):
            mark_sending_many(self.db, (delivery for delivery, _ in ready))
        outcome = await self._send_ready(adapter, ready, report)
        if outcome != "sent":
            return outcome == "channel failed"
        now = self.clock()
        with transaction(self.db):
            mark_sent_many(self.db, (delivery for delivery, _ in ready), now)
        report.sent += len(ready)
        return False

    async def _send_grouped(
        self,
        grouped: dict[int, list[Delivery]],
        report: DrainReport,
        blocked: set[int],
        copies: dict[int, ItemRow],
    ) -> None:
        """Rows for file adapters: marked sending in one transaction, written channel by
        channel a batch_size at a time, and confirmed in one transaction at the end. A crash
        in between leaves them 'sending'; at the next start the adapter finds those it holds
        (delivered_already), so none is written twice and none is lost."""
        chunks: list[tuple[Adapter, list[tuple[Delivery, Message]]]] = []
        for rows in grouped.values():
            adapter = self._adapter(rows[0])
            assert adapter is not None
            rendered = self._render(rows, report, copies)
            ready = await self._skip_delivered(adapter, rendered, report)
            for start in range(0, len(ready), adapter.batch_size):
                chunks.append((adapter, ready[start : start + adapter.batch_size]))
        if not chunks:
            return
        with transaction(self.db):
            mark_sending_many(self.db, (delivery for _, ready in chunks for delivery, _ in ready))
        sent: list[Delivery] = []
        unsent: list[Delivery] = []
        for adapter, ready in chunks:
            channel = ready[0][0].channel_id
            if channel in blocked:
                unsent.extend(delivery for delivery, _ in ready)
                continue
            outcome = await self._send_ready(adapter, ready, report)
            if outcome == "sent":
                sent.extend(delivery for delivery, _ in ready)
            elif outcome == "channel failed":
                blocked.add(channel)
        now = self.clock()
        with transaction(self.db):
            mark_sent_many(self.db, sent, now)
            for delivery in unsent:
                release(self.db, delivery)  # never tried: its channel failed before its turn
        report.sent += len(sent)

    async def _send_ready(
        self, adapter: Adapter, ready: list[tuple[Delivery, Message]], report: DrainReport
    ) -> SendOutcome:
        """Send rows already marked sending. On failure the rows are recorded as failed; the
        outcome says whether the channel should wait ("channel failed") or only the rows."""
        target = ready[0][0].target
        try:
            await adapter.send_batch(target, [message for _, message in ready])
        except DeliveryError as exc:
            for delivery, _ in ready:
                self._failed(delivery, exc, report)
            return "message failed" if exc.scope == "message" else "channel failed"
        except Exception as exc:  # an adapter bug must not leave the rows 'sending'
            log.exception("adapter failed", extra={"channel": target})
            for delivery, _ in ready:
                self._failed(delivery, DeliveryError(f"{type(exc).__name__}"), report)
            return "channel failed"
        crash_point("after-send")
        await asyncio.sleep(0)  # a long drain never holds up commands on the loop
        return "sent"

    def _render(
        self, rows: list[Delivery], report: DrainReport, copies: dict[int, ItemRow] | None = None
    ) -> list[tuple[Delivery, Message]]:
        """Each row's message; a row that cannot be rendered never will be, and goes dead."""
        ready: list[tuple[Delivery, Message]] = []
        for delivery in rows:
            try:
                ready.append((delivery, build_message(self.db, delivery, copies)))
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
        found = {d.id for (d, _), there in zip(cut_off, held, strict=True) if there}
        if not found:
            return ready
        with transaction(self.db):
            mark_sent_many(self.db, (d for d, _ in ready if d.id in found), self.clock())
        report.sent += len(found)
        log.warning(
            "deliveries cut off mid-send were found delivered; not sent again",
            extra={"channel": cut_off[0][0].target, "count": len(found)},
        )
        return [(d, m) for d, m in ready if d.id not in found]

    def _collapse_backlogs(self) -> None:
        """After an outage, a chat channel gets one digest of what piled up, not a flood."""
        now = self.clock()
        for adapter in self.adapters.values():
            if adapter.backlog_limit is None:
                continue
            for channel_id in backlogged_channels(self.db, adapter.backlog_limit):
                target = self.db.execute(
                    "SELECT target FROM channels WHERE id = ?", [channel_id]
                ).fetchone()[0]
                if not str(target).startswith(f"{adapter.platform}:"):
                    continue
                with transaction(self.db):
                    digest_id = collapse_backlog(
                        self.db, channel_id, adapter.backlog_limit, now - BACKLOG_AGE, now
                    )
                if digest_id is not None:
                    log.warning(
                        "backlog collapsed into one digest",
                        extra={"channel": target, "story": digest_id},
                    )

    def _failed(self, delivery: Delivery, exc: DeliveryError, report: DrainReport) -> None:
        extra = {"channel": delivery.target, "story": delivery.story_id, "reason": exc.reason}
        with transaction(self.db):
            if exc.scope == "destination":
                release(self.db, delivery)
                stop_channel(self.db, delivery.channel_id, exc.reason)
                report.stopped.append(delivery.target)
                log.error("destination stopped", extra=extra)
            elif exc.scope == "message":
                mark_dead(self.db, delivery, exc.reason)
                report.dead += 1
                log.error("message refused", extra=extra)
            else:
                retry_later(self.db, delivery, self.clock(), exc.reason, exc.retry_after, self.rng)
                report.retrying += 1
                log.warning("delivery will be retried", extra=extra)
