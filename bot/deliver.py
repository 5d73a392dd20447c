"""The delivery loop: pending outbox rows to adapters, marked sent only once confirmed."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

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
    mark_sending,
    mark_sent,
    release,
    retry_later,
    stop_channel,
)
from bot.store import transaction
from bot.stories import best_copy

log = logging.getLogger("newswatch.deliver")
BATCH = 500  # outbox rows read at a time
BACKLOG_AGE = 900.0  # only alerts that waited this long count as an outage's backlog


@dataclass
class DrainReport:
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    stopped: list[str] = field(default_factory=list)


def build_message(db: sqlite_utils.Database, delivery: Delivery) -> Message:
    """The structured message for an outbox row, read fresh from the store."""
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
    item_id = best_copy(db, delivery.story_id) if delivery.story_id else None
    row = db.execute(
        "SELECT title, link, outlet, published, dated, summary FROM items WHERE id = ?",
        [item_id or delivery.item_id],
    ).fetchone()
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
        """Send everything due, a batch at a time, until a batch sends nothing new."""
        async with self._lock:
            report = DrainReport()
            self._collapse_backlogs()
            blocked: set[int] = set()  # a channel that failed waits, keeping its order
            while True:
                before = report.sent + report.dead
                batch = due(self.db, self.clock(), limit=BATCH, skip=blocked)
                await self._send_batch(batch, report, blocked)
                if len(batch) < BATCH or report.sent + report.dead == before:
                    return report

    async def _send_batch(
        self, batch: list[Delivery], report: DrainReport, blocked: set[int]
    ) -> None:
        for delivery in batch:
            if delivery.channel_id in blocked:
                continue
            platform = delivery.target.split(":", 1)[0]
            adapter = self.adapters.get(platform)
            if adapter is None:
                continue
            try:
                message = build_message(self.db, delivery)
            except Exception as exc:  # a row that cannot be rendered never will be
                self._failed(
                    delivery, DeliveryError(f"unreadable row: {exc}", scope="message"), report
                )
                continue
            with transaction(self.db):
                mark_sending(self.db, delivery)
            try:
                await adapter.send(delivery.target, message)
            except DeliveryError as exc:
                self._failed(delivery, exc, report)
                if exc.scope != "message":
                    blocked.add(delivery.channel_id)
                continue
            except Exception as exc:  # an adapter bug must not leave the row 'sending'
                log.exception("adapter failed", extra={"channel": delivery.target})
                self._failed(delivery, DeliveryError(f"{type(exc).__name__}"), report)
                blocked.add(delivery.channel_id)
                continue
            crash_point("after-send")
            with transaction(self.db):
                mark_sent(self.db, delivery, self.clock())
            report.sent += 1
            await asyncio.sleep(0)  # a long drain never holds up commands on the loop

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
