"""The structured message for an outbox row, read fresh from the store at its send."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from bot.deliver.digest import backlog_digest
from bot.deliver.model import Alert, Message, Notice
from bot.store.db import Store
from bot.store.outbox import Delivery
from bot.stories.lookup import best_copy

ItemRow = tuple[Any, ...]  # title, link, outlet, published, dated, summary


def build_message(
    db: Store, delivery: Delivery, copies: dict[int, ItemRow] | None = None
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


def _created(db: Store, delivery: Delivery) -> float:
    row = db.execute("SELECT created FROM deliveries WHERE id = ?", [delivery.id]).fetchone()
    return float(row[0]) if row else 0.0
