"""Labelled headlines through the story engine in one process, for tuning and benchmarks.

The same engine and store code a poll runs (bot.pipeline's `_file` does the same steps),
without the fetch, the parse and the outbox: bench/stories_quality.py --inprocess calls it.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from bot.config import parse_config
from bot.ingest.parse import FeedItem
from bot.store import items, sources
from bot.store import stories as store_stories
from bot.store.db import close_db, open_db, transaction
from bot.store.items import StoredItem
from bot.stories.engine import StoryEngine
from bot.stories.terms import story_text
from bot.stories.titles import title_key_tokens
from bot.stories.urls import canonical_url


def assign_all(labelled: Iterable[Mapping[str, Any]]) -> list[int]:
    """The story id each item lands in, in order: dicts of title, summary, link and published
    (epoch seconds), filed one by one into a fresh database as a first poll would."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "replay.db"
        db = open_db(path)
        config = parse_config({"sources": [{"url": "https://replay.invalid/feed"}]}, path)
        sources.sync_sources(db, config, 0.0)
        source_id = sources.due_sources(db, 0.0, all_sources=True)[0].id
        engine = StoryEngine(db)
        assigned = []
        with transaction(db):
            for number, entry in enumerate(labelled):
                assigned.append(_file(engine, source_id, number, entry))
        close_db(db, path)
    return assigned


def _file(engine: StoryEngine, source_id: int, number: int, entry: Mapping[str, Any]) -> int:
    title, summary = str(entry.get("title", "")), str(entry.get("summary", ""))
    link = entry.get("link") or None
    published = float(entry.get("published", 0.0))
    canonical = canonical_url(link) if link else None
    placement = engine.place(canonical, story_text(title, summary), published)
    made = placement.story_id is None
    story_id = placement.story_id or store_stories.new_story(engine.db, published, published)
    item = FeedItem(f"replay:{number}", str(number), link, title, summary, (), published, None)
    row = StoredItem(
        source_id=source_id,
        story_id=story_id,
        title_key=" ".join(title_key_tokens(title)),
        outlet=str(entry.get("outlet", "")),
        published=published,
        first_seen=published,
        evidence=json.dumps(placement.evidence),
    )
    items.insert_item(engine.db, item, row)
    engine.file(story_id, placement, canonical, published, made=made)
    return story_id
