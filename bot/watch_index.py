"""Every active watch of a poll, compiled once: what an item matches, and in which channel."""

from __future__ import annotations

from collections import defaultdict

from bot.ingest.parse import FeedItem
from bot.match.matcher import ItemText, Matcher
from bot.match.query import parse_query
from bot.store import watches as sqlite_watches
from bot.store.db import Store
from bot.store.interface import Watches


class WatchIndex:
    """Every active watch compiled once: text matching plus the queries behind search sources."""

    def __init__(self, db: Store, store: Watches[Store] = sqlite_watches) -> None:
        self.matcher = Matcher()
        self.channel_of: dict[int, int] = {}
        self.query_of: dict[int, str] = {}
        self.by_query: dict[str, list[int]] = defaultdict(list)
        for watch in store.active_watches(db):
            self.matcher.add(watch.id, parse_query(watch.query))
            self.channel_of[watch.id] = watch.channel_id
            self.query_of[watch.id] = watch.query
            self.by_query[watch.query].append(watch.id)

    def matches(self, item: FeedItem, search_query: str | None) -> list[int]:
        """Watch ids an item matches: by text, and by being a search hit for its query."""
        found = self.matcher.match(ItemText.from_fields(item.fields))
        if search_query is not None:
            found.update(self.by_query.get(search_query, ()))
        return sorted(found)
