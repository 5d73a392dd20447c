"""The structured message for an outbox row, read fresh from the store at its send."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.deliver.digest import backlog_digest
from bot.deliver.highlight import alert_highlights
from bot.deliver.model import Alert, Message, Notice
from bot.store.copies import Copy, alert_copy
from bot.store.db import Store
from bot.store.outbox import Delivery, created_at


def build_message(db: Store, delivery: Delivery, copies: dict[int, Copy] | None = None) -> Message:
    """The structured message for an outbox row, read fresh from the store. `copies` keeps
    each story's best copy for one drain's file rows: a story in 100 channels is read once."""
    if delivery.kind == "notice":
        payload = json.loads(delivery.payload or "{}")
        return Notice(channel=delivery.target, text=str(payload.get("text", "")))
    if delivery.kind == "digest":
        payload = json.loads(delivery.payload or "{}")
        return backlog_digest(
            db,
            delivery,
            [int(i) for i in payload.get("deliveries", [])],
            float(payload.get("since", 0.0)),
            float(payload.get("until", 0.0)) or created_at(db, delivery),
        )
    copy = copies.get(delivery.story_id) if copies is not None and delivery.story_id else None
    if copy is None:
        copy = alert_copy(db, delivery.story_id or None, delivery.item_id)
        if copy is None:
            raise LookupError(f"alert {delivery.id}: its story's items are gone")
        if copies is not None and delivery.story_id:
            copies[delivery.story_id] = copy
    return Alert(
        channel=delivery.target,
        story_id=int(delivery.story_id or 0),
        title=copy.title,
        url=copy.link,
        source=copy.outlet,
        published=datetime.fromtimestamp(copy.published, UTC) if copy.dated else None,
        summary=copy.summary,
        watches=delivery.watches,
        # Rows read with a shared `copies` are a file adapter's (jsonl), which shows no
        # bold: the spans are found only for messages a person reads.
        highlights=()
        if copies is not None
        else alert_highlights(copy.title, copy.summary, delivery.watches),
    )
