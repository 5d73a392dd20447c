"""The SQL of feed items: which of a feed's items are stored already, new rows, edited rows.

An item is known by (source, identity), the table's UNIQUE key; its fingerprint says
whether a known item was edited since.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.ingest.parse import FeedItem
from bot.store.db import Store

CHUNK = 500  # identities per query: SQLite's bound-parameter limit, with room


@dataclass(frozen=True)
class StoredItem:
    """What an item row holds beyond the parsed item itself."""

    source_id: int
    story_id: int
    title_key: str
    outlet: str
    published: float
    first_seen: float
    evidence: str | None = None  # JSON: how the item joined its story (bot.stories.engine)


def known_fingerprints(db: Store, source_id: int, identities: Sequence[str]) -> dict[str, str]:
    """The stored fingerprint of each identity this source already has, in few queries."""
    known: dict[str, str] = {}
    for start in range(0, len(identities), CHUNK):
        chunk = identities[start : start + CHUNK]
        marks = ",".join("?" for _ in chunk)
        known.update(
            db.execute(
                f"SELECT identity, fingerprint FROM items WHERE source_id = ? "
                f"AND identity IN ({marks})",
                [source_id, *chunk],
            ).fetchall()
        )
    return known


def insert_item(db: Store, item: FeedItem, row: StoredItem) -> int | None:
    """Store a new item; its id, or None if (source, identity) was stored already."""
    found = db.execute(
        "INSERT INTO items (source_id, identity, story_id, fingerprint, link, title, "
        "title_key, summary, outlet, published, dated, first_seen, evidence) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (source_id, identity) DO NOTHING RETURNING id",
        [
            row.source_id,
            item.identity,
            row.story_id,
            item.fingerprint,
            item.link,
            item.title,
            row.title_key,
            item.summary,
            row.outlet,
            row.published,
            int(item.published is not None),
            row.first_seen,
            row.evidence,
        ],
    ).fetchone()
    return int(found[0]) if found is not None else None


def update_item(db: Store, source_id: int, item: FeedItem, *, title_key: str) -> None:
    """A known identity's new title, link and body; its story and dates stay."""
    db.execute(
        "UPDATE items SET fingerprint = ?, link = ?, title = ?, title_key = ?, summary = ? "
        "WHERE source_id = ? AND identity = ? AND fingerprint != ?",
        [
            item.fingerprint,
            item.link,
            item.title,
            title_key,
            item.summary,
            source_id,
            item.identity,
            item.fingerprint,
        ],
    )
