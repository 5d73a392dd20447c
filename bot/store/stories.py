"""The SQL of stories: the URL and title indexes that find a copy's story, and its best copy.

The rules (what counts as near-identical, which keys a title is filed under) stay in
bot.stories; this module only reads and writes the rows they ask for.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.store.db import Store

# Until schema 3 the title index held single tokens; it holds neighbouring pairs since
# (bot.stories.titles.index_keys). Migration 3 records the newest item indexed the old way, and a
# lookup whose window reaches back that far also asks by the old tokens.
LEGACY_KEY = "title_index_tokens_until"

# A publisher's own feed and link beat a search feed's wrapper (Google News), a copy with a
# link and a summary beats one without, and the earliest copy beats later ones.
# Its own aliases (bi, bs) let it stand as a subquery inside another query's FROM items i.
BEST_COPY_SQL = (
    "SELECT bi.id FROM items bi JOIN sources bs ON bs.id = bi.source_id "
    "WHERE bi.story_id = {story} ORDER BY bs.template IS NOT NULL, bi.link IS NULL, "
    "bi.link LIKE 'https://news.google.com/%', "
    "bi.summary = '', bi.published, bi.id LIMIT 1"
)


def legacy_mark(db: Store) -> float | None:
    """The newest publication time filed under single tokens, if migration 3 found any."""
    row = db.execute("SELECT value FROM meta WHERE key = ?", [LEGACY_KEY]).fetchone()
    return float(row[0]) if row and row[0] is not None else None


def story_of_url(db: Store, canonical: str) -> int | None:
    """The story a canonical URL was filed under, if one was."""
    row = db.execute("SELECT story_id FROM story_urls WHERE canonical = ?", [canonical]).fetchone()
    return int(row[0]) if row else None


def title_candidates(
    db: Store, keys: Sequence[str], *, since: float, until: float, limit: int
) -> list[tuple[int, str]]:
    """(story id, title key) of copies filed under any of `keys` and published in
    [since, until], newest first, at most `limit` of them."""
    marks = ",".join("?" for _ in keys)
    rows = db.execute(
        f"SELECT DISTINCT i.id, i.story_id, i.title_key FROM title_index t "
        f"JOIN items i ON i.id = t.item_id "
        f"WHERE t.token IN ({marks}) AND t.published BETWEEN ? AND ? "
        f"ORDER BY t.published DESC LIMIT ?",
        [*keys, since, until, limit],
    ).fetchall()
    return [(int(story_id), str(title_key)) for _item_id, story_id, title_key in rows]


def new_story(db: Store, published: float, now: float) -> int:
    cursor = db.execute(
        "INSERT INTO stories (first_seen, published) VALUES (?, ?)", [now, published]
    )
    return int(cursor.lastrowid or 0)


def index_copy(
    db: Store,
    item_id: int,
    *,
    story_id: int,
    canonical: str | None,
    keys: Sequence[str],
    published: float,
) -> None:
    """File a stored copy under its canonical URL (the first story to claim it keeps it)
    and under each of its title keys."""
    if canonical is not None:
        db.execute(
            "INSERT INTO story_urls (canonical, story_id) VALUES (?, ?) "
            "ON CONFLICT (canonical) DO NOTHING",
            [canonical, story_id],
        )
    db.conn.executemany(
        "INSERT OR IGNORE INTO title_index (token, published, item_id) VALUES (?, ?, ?)",
        [(key, published, item_id) for key in keys],
    )


def best_copy(db: Store, story_id: int) -> int | None:
    """The item id of the copy that represents a story in alerts and digests."""
    row = db.execute(BEST_COPY_SQL.format(story="?"), [story_id]).fetchone()
    return int(row[0]) if row else None
