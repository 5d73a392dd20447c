"""The structured message for an outbox row, read fresh from the store at its send."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.deliver.digest import backlog_digest
from bot.deliver.highlight import alert_highlights
from bot.deliver.model import Alert, Message, NewCopy, Notice, Update
from bot.store.copies import Copy, Coverage, alert_copy, coverage, new_copies
from bot.store.db import Store
from bot.store.outbox import Delivery, created_at
from bot.store.updates import alert_of, update_mode
from bot.store.watches import WatchLabel, watch_labels

StoryView = tuple[Copy, Coverage]  # a story's best copy and its outlets, read together


class NothingNew(Exception):
    """An update whose copies the alert or an earlier update showed already: nothing to send."""


def build_message(
    db: Store, delivery: Delivery, stories: dict[int, StoryView] | None = None
) -> Message:
    """The structured message for an outbox row, read fresh from the store. `stories` keeps
    each story's best copy and outlets for one drain's file rows: a story in 100 channels is
    read once."""
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
    if delivery.kind == "update":
        return build_update(db, delivery)
    story_id = int(delivery.story_id or 0)
    view = stories.get(story_id) if stories is not None and story_id else None
    if view is None:
        view = _story_view(db, delivery, None)
        if stories is not None and story_id:
            stories[story_id] = view
    labels = watch_labels(db, delivery.channel_id, delivery.watches)
    return _alert(delivery, view, delivery.watches, labels, highlight=stories is None)


def build_update(db: Store, delivery: Delivery) -> Update:
    """The alert as it reads now, and the copies from new outlets since the last record
    about it in this channel (a row cut off mid-send reads as it did then: `through`)."""
    story_id = int(delivery.story_id or 0)
    alert = alert_of(db, story_id, delivery.channel_id)
    if alert is None or alert.status in ("dead", "collapsed"):
        raise LookupError(f"update {delivery.id}: its story's alert was never sent on its own")
    view = _story_view(db, delivery, delivery.through)
    copies = new_copies(db, story_id, alert.covered_through, view[1].through)
    labels = watch_labels(db, delivery.channel_id, alert.watches)
    if not copies:
        raise NothingNew(f"update {delivery.id}: no outlet new since the last record")
    return Update(
        channel=delivery.target,
        story_id=story_id,
        # An edit pings nobody: the alert's own notify went out with the alert.
        alert=_alert(delivery, view, alert.watches, labels, ping=False),
        ref=alert.ref,
        copies=tuple(
            NewCopy(
                title=copy.title,
                url=copy.link,
                source=copy.outlet,
                published=_published(copy),
            )
            for copy in copies
        ),
        thread=update_mode(delivery.payload) == "thread",
    )


def _story_view(db: Store, delivery: Delivery, through: int | None) -> StoryView:
    copy = alert_copy(db, delivery.story_id or None, delivery.item_id)
    if copy is None:
        raise LookupError(f"{delivery.kind} {delivery.id}: its story's items are gone")
    story_id = int(delivery.story_id or 0)
    return copy, coverage(db, story_id, through) if story_id else Coverage(0, (copy.outlet,))


def _alert(
    delivery: Delivery,
    view: StoryView,
    watches: tuple[str, ...],
    labels: dict[str, WatchLabel],
    *,
    ping: bool = True,
    highlight: bool = True,
) -> Alert:
    copy, covered = view
    names = covered.outlets or (copy.outlet,)
    return Alert(
        channel=delivery.target,
        story_id=int(delivery.story_id or 0),
        title=copy.title,
        url=copy.link,
        source=copy.outlet,
        published=_published(copy),
        summary=copy.summary,
        watches=watches,
        watch_names=tuple(labels[q].name if q in labels else None for q in watches),
        notify=_mentions(labels, watches) if ping else (),
        outlets=len(names),
        outlet_names=names,
        through=covered.through or None,
        # A file adapter's rows (jsonl, read with a shared `stories`) show no bold: the spans
        # are found only for messages a person reads.
        highlights=alert_highlights(copy.title, copy.summary, watches) if highlight else (),
    )


def _mentions(labels: dict[str, WatchLabel], queries: tuple[str, ...]) -> tuple[str, ...]:
    """What the matching watches ping, each mention once, read at the send: a watch renamed
    or muted in its file alerts as it is now."""
    found = (labels[query].notify for query in queries if query in labels)
    return tuple(dict.fromkeys(mention for mention in found if mention))


def _published(copy: Copy) -> datetime | None:
    return datetime.fromtimestamp(copy.published, UTC) if copy.dated else None
