"""Digests: a channel's stories over a window, grouped by watch, most-covered first."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from bot.deliver.model import Digest, DigestSection, DigestStory
from bot.durations import parse_duration
from bot.store.channels import last_digest, set_last_digest
from bot.store.copies import DigestRow, alerted_in, alerted_in_window
from bot.store.db import Store, transaction
from bot.store.outbox import Delivery
from bot.store.watches import watch_queries

MAX_WINDOW = 7 * 86400.0
STORIES_PER_WATCH = 10


def parse_window(text: str) -> float:
    """A digest window as written (`24h`), in seconds; at most 7 days (SPEC "Chat commands")."""
    return parse_duration(text, limit=MAX_WINDOW, what="a digest window")


def default_since(db: Store, channel_id: int, now: float) -> float:
    """Since the channel's last digest, but never more than 7 days back."""
    last = last_digest(db, channel_id)
    return max(last if last is not None else 0.0, now - MAX_WINDOW)


def build_digest(db: Store, channel_id: int, target: str, since: float, until: float) -> Digest:
    """Every story alerted to the channel in the window, under each watch it matched."""
    return Digest(
        channel=target,
        since=datetime.fromtimestamp(since, UTC),
        until=datetime.fromtimestamp(until, UTC),
        sections=_sections(
            watch_queries(db, channel_id), alerted_in_window(db, channel_id, since, until)
        ),
    )


def backlog_digest(
    db: Store, delivery: Delivery, delivery_ids: list[int], since: float, until: float
) -> Digest:
    """The alerts that piled up during an outage, as one digest instead of a flood."""
    return Digest(
        channel=delivery.target,
        since=datetime.fromtimestamp(since, UTC),
        until=datetime.fromtimestamp(until, UTC),
        sections=_sections(watch_queries(db, delivery.channel_id), alerted_in(db, delivery_ids)),
    )


def _sections(watches: list[str], rows: list[DigestRow]) -> tuple[DigestSection, ...]:
    """Stories under each watch (in the channel's watch order), most-covered first."""
    order = {query: position for position, query in enumerate(watches)}
    grouped: dict[str, list[DigestStory]] = defaultdict(list)
    for row in rows:
        copy = row.copy
        story = DigestStory(
            story_id=row.story_id,
            title=copy.title,
            url=copy.link,
            source=copy.outlet,
            published=datetime.fromtimestamp(copy.published, UTC) if copy.dated else None,
            outlets=row.outlets,
        )
        for watch in row.watches:
            grouped[watch].append(story)
    sections = []
    for watch in sorted(grouped, key=lambda w: (order.get(w, len(order)), w)):
        stories = sorted(
            grouped[watch],
            key=lambda s: (-s.outlets, -(s.published.timestamp() if s.published else 0)),
        )
        sections.append(
            DigestSection(
                watch=watch,
                stories=tuple(stories[:STORIES_PER_WATCH]),
                more=max(0, len(stories) - STORIES_PER_WATCH),
            )
        )
    return tuple(sections)


def mark_digested(db: Store, channel_id: int, until: float) -> None:
    with transaction(db):
        set_last_digest(db, channel_id, until)
