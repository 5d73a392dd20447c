"""Merging copies of one story: same canonical URL, or near-identical titles within 72 h.

A new item is never compared with every stored title: the title index maps tokens to
items, and a candidate must share one of at most three chosen tokens (see
bot.stories.titles.candidate_tokens), within the 72 h window.
"""

from __future__ import annotations

from bot.store.db import Store
from bot.stories.titles import candidate_tokens, index_keys, lookup_keys, near_identical

TITLE_WINDOW = 72 * 3600.0
MAX_CANDIDATES = 200  # per title; verified newest first
# Until schema 3 the title index held single tokens; it holds neighbouring pairs since
# (bot.stories.titles.index_keys). Migration 3 records the newest item indexed the old way, and a
# lookup whose window reaches back that far also asks by the old tokens.
LEGACY_KEY = "title_index_tokens_until"


class StoryIndex:
    """Finds and files story copies; built once per poll (it reads the legacy mark once)."""

    def __init__(self, db: Store) -> None:
        self.conn = db.conn
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", [LEGACY_KEY]).fetchone()
        self.legacy_until = float(row[0]) if row and row[0] is not None else None

    def find(
        self, canonical: str | None, title_tokens: tuple[str, ...], published: float
    ) -> int | None:
        """The story this copy belongs to, if one is stored: by canonical URL, else by a
        near-identical title within the window, the newest such copy first."""
        if canonical is not None:
            row = self.conn.execute(
                "SELECT story_id FROM story_urls WHERE canonical = ?", [canonical]
            ).fetchone()
            if row:
                return int(row[0])
        keys = lookup_keys(title_tokens)
        if not keys:
            return None
        if self.legacy_until is not None and published - TITLE_WINDOW <= self.legacy_until:
            keys = (*keys, *candidate_tokens(title_tokens))
        marks = ",".join("?" for _ in keys)
        rows = self.conn.execute(
            f"SELECT DISTINCT i.id, i.story_id, i.title_key FROM title_index t "
            f"JOIN items i ON i.id = t.item_id "
            f"WHERE t.token IN ({marks}) AND t.published BETWEEN ? AND ? "
            f"ORDER BY t.published DESC LIMIT ?",
            [*keys, published - TITLE_WINDOW, published + TITLE_WINDOW, MAX_CANDIDATES],
        ).fetchall()
        for _item_id, story_id, title_key in rows:
            if near_identical(title_tokens, tuple(title_key.split(" ")) if title_key else ()):
                return int(story_id)
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
        if canonical is not None:
            self.conn.execute(
                "INSERT INTO story_urls (canonical, story_id) VALUES (?, ?) "
                "ON CONFLICT (canonical) DO NOTHING",
                [canonical, story_id],
            )
        self.conn.executemany(
            "INSERT OR IGNORE INTO title_index (token, published, item_id) VALUES (?, ?, ?)",
            [(key, published, item_id) for key in index_keys(title_tokens)],
        )


def new_story(db: Store, published: float, now: float) -> int:
    cursor = db.conn.execute(
        "INSERT INTO stories (first_seen, published) VALUES (?, ?)", [now, published]
    )
    return int(cursor.lastrowid or 0)


# A publisher's own feed and link beat a search feed's wrapper (Google News), a copy with a
# link and a summary beats one without, and the earliest copy beats later ones.
# Its own aliases (bi, bs) let it stand as a subquery inside another query's FROM items i.
BEST_COPY_SQL = (
    "SELECT bi.id FROM items bi JOIN sources bs ON bs.id = bi.source_id "
    "WHERE bi.story_id = {story} ORDER BY bs.template IS NOT NULL, bi.link IS NULL, "
    "bi.link LIKE 'https://news.google.com/%', "
    "bi.summary = '', bi.published, bi.id LIMIT 1"
)


def best_copy(db: Store, story_id: int) -> int | None:
    """The item id of the copy that represents a story in alerts and digests."""
    row = db.execute(BEST_COPY_SQL.format(story="?"), [story_id]).fetchone()
    return int(row[0]) if row else None


__all__ = ["BEST_COPY_SQL", "StoryIndex", "best_copy", "new_story"]
