"""Copies filed into stories on a real SQLite file, as bot.pipeline files them: placed by the
story engine, stored with their evidence, then added to their story's indexes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.ingest.parse import FeedItem
from bot.store import items
from bot.store.db import Store, transaction
from bot.store.items import StoredItem
from bot.store.stories import new_story
from bot.stories.engine import StoryEngine
from bot.stories.feedwords import NO_FEED_WORDS, FeedWords
from bot.stories.terms import story_text
from bot.stories.titles import title_key_tokens
from bot.stories.urls import canonical_url


@dataclass(frozen=True)
class FiledCopy:
    item_id: int
    story_id: int
    evidence: dict[str, Any]


def source(db: Store, url: str = "https://feeds.example/rss", template: str | None = None) -> int:
    cursor = db.execute(
        "INSERT INTO sources (url, template) VALUES (?, ?) ON CONFLICT (url) DO UPDATE "
        "SET url = excluded.url RETURNING id",
        [url, template],
    )
    return int(cursor.fetchone()[0])


def file_copy(
    db: Store,
    title: str,
    published: float,
    link: str | None = None,
    *,
    summary: str = "",
    source_id: int | None = None,
    story: int | None = None,
    feed: FeedWords = NO_FEED_WORDS,
) -> FiledCopy:
    """File one copy; `story` forces its story (to build a story's copies directly)."""
    engine = StoryEngine(db)
    canonical = canonical_url(link) if link else None
    placement = engine.place(canonical, story_text(title, summary, feed), published)
    story_id = story or placement.story_id
    with transaction(db):
        if story_id is None:
            story_id = new_story(db, published, published)
        if source_id is None:
            source_id = source(db)
        identity = f"{title}|{link}|{published}"
        item = FeedItem(identity, identity, link, title, summary, (title,), published, None)
        row = StoredItem(
            source_id=source_id,
            story_id=story_id,
            title_key=" ".join(title_key_tokens(title)),
            outlet="outlet",
            published=published,
            first_seen=published,
            evidence=json.dumps(placement.evidence),
        )
        item_id = items.insert_item(db, item, row)
        assert item_id is not None
        engine.file(story_id, placement, canonical, published)
    return FiledCopy(item_id, story_id, placement.evidence)
