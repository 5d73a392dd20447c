"""Digests: a channel's stories over a window, grouped by watch, most-covered first."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from bot.deliver.model import Digest, DigestSection, DigestStory
from bot.durations import parse_duration
from bot.store.db import Store, transaction
from bot.stories.lookup import BEST_COPY_SQL

MAX_WINDOW = 7 * 86400.0
STORIES_PER_WATCH = 10


def parse_window(text: str) -> float:
    """A digest window as written (`24h`), in seconds; at most 7 days (SPEC "Chat commands")."""
    return parse_duration(text, limit=MAX_WINDOW, what="a digest window")


def default_since(db: Store, channel_id: int, now: float) -> float:
    """Since the channel's last digest, but never more than 7 days back."""
    row = db.execute("SELECT last_digest FROM channels WHERE id = ?", [channel_id]).fetchone()
    last = row[0] if row and row[0] is not None else None
    return max(last if last is not None else 0.0, now - MAX_WINDOW)


def build_digest(db: Store, channel_id: int, target: str, since: float, until: float) -> Digest:
    """Every story alerted to the channel in the window, under each watch it matched."""
    rows = _story_rows(
        db,
        "d.channel_id = ? AND d.kind = 'alert' AND d.created >= ? AND d.created < ?",
        [channel_id, since, until],
    )
    return Digest(
        channel=target,
        since=datetime.fromtimestamp(since, UTC),
        until=datetime.fromtimestamp(until, UTC),
        sections=_sections(db, channel_id, rows),
    )


def backlog_digest(
    db: Store,
    channel_id: int,
    target: str,
    delivery_ids: list[int],
    since: float,
    until: float,
) -> Digest:
    """The alerts that piled up during an outage, as one digest instead of a flood."""
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(delivery_ids), 500):  # SQLite's bound-parameter limit
        chunk = delivery_ids[start : start + 500]
        marks = ",".join("?" for _ in chunk)
        rows += _story_rows(db, f"d.id IN ({marks})", chunk)
    return Digest(
        channel=target,
        since=datetime.fromtimestamp(since, UTC),
        until=datetime.fromtimestamp(until, UTC),
        sections=_sections(db, channel_id, rows),
    )


def _story_rows(db: Store, where: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """(story, watches, title, link, outlet, published, dated, outlets) of matching alerts."""
    return list(
        db.execute(
            "SELECT d.story_id, d.watches, i.title, i.link, i.outlet, i.published, i.dated, "
            "(SELECT COUNT(DISTINCT outlet) FROM items WHERE story_id = d.story_id) "
            "FROM deliveries d JOIN items i ON i.id = COALESCE(("
            + BEST_COPY_SQL.format(story="d.story_id")
            + f"), d.item_id) WHERE {where} ORDER BY d.id",
            params,
        ).fetchall()
    )


def _sections(db: Store, channel_id: int, rows: list[tuple[Any, ...]]) -> tuple[DigestSection, ...]:
    """Stories under each watch (in the channel's watch order), most-covered first."""
    order = {
        query: position
        for position, (query,) in enumerate(
            db.execute("SELECT query FROM watches WHERE channel_id = ? ORDER BY id", [channel_id])
        )
    }
    grouped: dict[str, list[DigestStory]] = defaultdict(list)
    for story_id, watches, title, link, outlet, published, dated, outlets in rows:
        story = DigestStory(
            story_id=story_id,
            title=title,
            url=link,
            source=outlet,
            published=datetime.fromtimestamp(published, UTC) if dated else None,
            outlets=int(outlets),
        )
        for watch in json.loads(watches):
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
        db.execute("UPDATE channels SET last_digest = ? WHERE id = ?", [until, channel_id])
