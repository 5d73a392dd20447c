"""The SQL behind `newswatch stories` and `why`: stories with every copy and how it joined.

Each item row keeps the evidence of its merge (schema 7, `items.evidence`: JSON written by
the story engine); items stored before the engine have none (None here).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.store.db import Row, Store
from bot.store.stories import BEST_COPY_SQL

CHUNK = 500  # ids per statement: SQLite's bound-parameter limit
MAX_COPIES = 1000  # copies read for one story: a story is news, not a firehose


@dataclass(frozen=True)
class StoryCopy:
    """One stored copy of a story, with the evidence of how it joined (None before schema 7)."""

    item_id: int
    story_id: int
    link: str | None
    title: str
    summary: str
    outlet: str
    published: float | None  # None when the feed gave no date
    evidence: dict[str, Any] | None


@dataclass(frozen=True)
class StoryCopies:
    """A story and its copies, first stored first."""

    story_id: int
    copies: tuple[StoryCopy, ...]

    @property
    def outlets(self) -> int:
        return len({copy.outlet for copy in self.copies})


_COLUMNS = (
    "i.id, i.story_id, i.link, i.title, i.summary, i.outlet, i.published, i.dated, i.evidence"
)


def _evidence(text: str | None) -> dict[str, Any] | None:
    """The stored evidence as an object; anything else (absent, unreadable) is None."""
    if not text:
        return None
    try:
        found = json.loads(text)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def _copy(row: Row) -> StoryCopy:
    return StoryCopy(
        item_id=int(row["id"]),
        story_id=int(row["story_id"]),
        link=row["link"],
        title=row["title"],
        summary=row["summary"],
        outlet=row["outlet"],
        published=float(row["published"]) if row["dated"] else None,
        evidence=_evidence(row["evidence"]),
    )


def stories_since(db: Store, since: float, channel_id: int | None = None) -> list[StoryCopies]:
    """Every story with a copy first seen at or after `since` (alerted in the channel, when
    one is given), oldest story first, each with all its copies."""
    where = "story_id IN (SELECT story_id FROM items WHERE first_seen >= ?)"
    params: list[object] = [since]
    if channel_id is not None:
        where += (
            " AND story_id IN (SELECT story_id FROM deliveries "
            "WHERE channel_id = ? AND kind = 'alert')"
        )
        params.append(channel_id)
    rows = db.rows(f"SELECT {_COLUMNS} FROM items i WHERE {where} ORDER BY story_id, id", params)
    grouped: dict[int, list[StoryCopy]] = {}
    for row in rows:
        copy = _copy(row)
        grouped.setdefault(copy.story_id, []).append(copy)
    return [StoryCopies(story, tuple(copies)) for story, copies in grouped.items()]


def story_copies(db: Store, story_id: int) -> StoryCopies | None:
    """A story's copies, first stored first; None when no item belongs to it."""
    rows = db.rows(
        f"SELECT {_COLUMNS} FROM items i WHERE story_id = ? ORDER BY id LIMIT ?",
        [story_id, MAX_COPIES],
    )
    return StoryCopies(story_id, tuple(_copy(row) for row in rows)) if rows else None


def best_copy_id(db: Store, story_id: int) -> int | None:
    """The copy that represents the story in alerts (bot.store.stories.BEST_COPY_SQL)."""
    row = db.row(BEST_COPY_SQL.format(story="?"), [story_id])
    return int(row[0]) if row else None


def items_with_link(db: Store, link: str) -> list[StoryCopy]:
    """Stored items whose link is exactly `link`, first stored first."""
    rows = db.rows(f"SELECT {_COLUMNS} FROM items i WHERE i.link = ? ORDER BY id LIMIT 20", [link])
    return [_copy(row) for row in rows]


def copy_titles(db: Store, item_ids: Sequence[int]) -> dict[int, str]:
    """The title of each of these items that is still stored."""
    titles: dict[int, str] = {}
    ids = list(dict.fromkeys(item_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        marks = ",".join("?" for _ in chunk)
        for row in db.rows(f"SELECT id, title FROM items WHERE id IN ({marks})", chunk):
            titles[int(row["id"])] = str(row["title"])
    return titles
