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
from bot.store.watches import list_watches

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
            _labels(db, channel_id), alerted_in_window(db, channel_id, since, until)
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
        sections=_sections(_labels(db, delivery.channel_id), alerted_in(db, delivery_ids)),
    )


def _labels(db: Store, channel_id: int) -> dict[str, str]:
    """Each watch's query and how a digest heads it (its name, else the query), in order."""
    return {watch.query: watch.label for watch in list_watches(db, channel_id)}


def _sections(labels: dict[str, str], rows: list[DigestRow]) -> tuple[DigestSection, ...]:
    """Stories under each watch's name (watches that share a name share a section, a story
    once), in the channel's watch order, most-covered first; a watch gone since: its query."""
    order: dict[str, int] = {}
    for position, label in enumerate(labels.values()):
        order.setdefault(label, position)
    grouped: dict[str, dict[int, DigestStory]] = defaultdict(dict)
    queries: dict[str, dict[str, None]] = defaultdict(dict)
    for index, row in enumerate(rows):
        copy = row.copy
        story = DigestStory(
            story_id=row.story_id,
            title=copy.title,
            url=copy.link,
            source=copy.outlet,
            published=datetime.fromtimestamp(copy.published, UTC) if copy.dated else None,
            outlets=row.outlets,
        )
        for query in row.watches:
            label = labels.get(query, query)
            grouped[label].setdefault(row.story_id or -1 - index, story)  # no id: no merge
            queries[label][query] = None
    sections = []
    for label in sorted(grouped, key=lambda w: (order.get(w, len(order)), w)):
        stories = sorted(
            grouped[label].values(),
            key=lambda s: (-s.outlets, -(s.published.timestamp() if s.published else 0)),
        )
        sections.append(
            DigestSection(
                watch=label,
                stories=tuple(stories[:STORIES_PER_WATCH]),
                more=max(0, len(stories) - STORIES_PER_WATCH),
                queries=tuple(queries[label]),
            )
        )
    return tuple(sections)


def mark_digested(db: Store, channel_id: int, until: float) -> None:
    with transaction(db):
        set_last_digest(db, channel_id, until)
