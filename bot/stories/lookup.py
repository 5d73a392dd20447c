"""Merging copies of one story: same canonical URL, or near-identical titles within 72 h.

A new item is never compared with every stored title: the title index maps tokens to
items, and a candidate must share one of at most three chosen tokens (see
bot.stories.titles.candidate_tokens), within the 72 h window. The rows live in
bot.store.stories; this module holds the rules that ask for them, through the Stories
seam (bot.store.interface) it is given, the SQLite one unless told otherwise.
"""

from __future__ import annotations

from bot.store import stories as sqlite_stories
from bot.store.db import Store
from bot.store.interface import Stories
from bot.store.stories import BEST_COPY_SQL, LEGACY_KEY, best_copy, new_story
from bot.stories.titles import candidate_tokens, index_keys, lookup_keys, near_identical

TITLE_WINDOW = 72 * 3600.0
MAX_CANDIDATES = 200  # per title; verified newest first


class StoryIndex:
    """Finds and files story copies; built once per poll (it reads the legacy mark once)."""

    def __init__(self, db: Store, stories: Stories[Store] = sqlite_stories) -> None:
        self.db = db
        self.stories = stories
        self.legacy_until = stories.legacy_mark(db)

    def find(
        self, canonical: str | None, title_tokens: tuple[str, ...], published: float
    ) -> int | None:
        """The story this copy belongs to, if one is stored: by canonical URL, else by a
        near-identical title within the window, the newest such copy first."""
        if canonical is not None:
            story = self.stories.story_of_url(self.db, canonical)
            if story is not None:
                return story
        keys = lookup_keys(title_tokens)
        if not keys:
            return None
        if self.legacy_until is not None and published - TITLE_WINDOW <= self.legacy_until:
            keys = (*keys, *candidate_tokens(title_tokens))
        candidates = self.stories.title_candidates(
            self.db,
            keys,
            since=published - TITLE_WINDOW,
            until=published + TITLE_WINDOW,
            limit=MAX_CANDIDATES,
        )
        for story_id, title_key in candidates:
            if near_identical(title_tokens, tuple(title_key.split(" ")) if title_key else ()):
                return story_id
        return None

    def index(
        self,
        item_id: int,
        story_id: int,
        canonical: str | None,
        title_tokens: tuple[str, ...],
        published: float,
    ) -> None:
        """Make a stored copy findable by its canonical URL and its title."""
        self.stories.index_copy(
            self.db,
            item_id,
            story_id=story_id,
            canonical=canonical,
            keys=index_keys(title_tokens),
            published=published,
        )


# The store's story functions, where callers have always found them.
__all__ = ["BEST_COPY_SQL", "LEGACY_KEY", "StoryIndex", "best_copy", "new_story"]
