"""Retention: items first seen longer ago than `retention` are pruned, at most once a day.

The store would otherwise grow forever. An item older than the retention can no longer
alert (retention >= max_age) nor merge a new copy into its story (retention >= 72 h, the
story window), so its row goes and, once its story has no items left, its story's URL
rows and centroid terms. Stories and deliveries stay: a story id is never reused, so the
outbox's one-alert-per-story rule still holds, and an item that a waiting delivery still
needs (pending, sending, or inside a digest not yet sent) is kept until it is delivered.
"""

from __future__ import annotations

import logging

from bot.store.db import Row, Store, transaction
from bot.stories.urls import canonical_url

log = logging.getLogger("newswatch.retention")
PRUNE_EVERY = 86400.0
BATCH = 2000  # items per transaction, so a first prune of a big store never holds the lock long
PRUNED_AT = "retention_pruned_at"

_NEEDED = (
    "SELECT item_id FROM deliveries WHERE item_id IS NOT NULL AND (status IN "
    "('pending', 'sending') OR (status = 'collapsed' AND collapsed_into IN "
    "(SELECT id FROM deliveries WHERE status IN ('pending', 'sending'))))"
)


def prune_due(db: Store, now: float) -> bool:
    """True when the last prune was a day ago or more (or never ran)."""
    row = db.row("SELECT value FROM meta WHERE key = ?", [PRUNED_AT])
    return row is None or row["value"] is None or now - float(row["value"]) >= PRUNE_EVERY


def prune(db: Store, retention: float, now: float) -> int:
    """Delete items first seen before `now - retention`, with their index rows; return how
    many. Records the time, so `prune_due` says no for a day."""
    cutoff = now - retention
    removed = 0
    while True:
        with transaction(db):
            rows = db.rows(
                f"SELECT id, story_id, link FROM items "
                f"WHERE first_seen < ? AND id NOT IN ({_NEEDED}) ORDER BY first_seen LIMIT ?",
                [cutoff, BATCH],
            )
            if rows:
                _delete(db, rows)
                removed += len(rows)
            if len(rows) < BATCH:
                db.execute(
                    "INSERT INTO meta (key, value) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [PRUNED_AT, repr(now)],
                )
                break
    if removed:
        log.info("pruned old items", extra={"count": removed})
    return removed


def _delete(db: Store, rows: list[Row]) -> None:
    db.executemany("DELETE FROM items WHERE id = ?", [(row["id"],) for row in rows])
    emptied = sorted({(row["story_id"],) for row in rows})
    db.executemany(
        "DELETE FROM story_terms WHERE story_id = ? "
        "AND NOT EXISTS (SELECT 1 FROM items WHERE story_id = ?)",
        [(story, story) for (story,) in emptied],
    )
    urls = {(canonical_url(row["link"]), row["story_id"]) for row in rows if row["link"]}
    db.executemany(
        "DELETE FROM story_urls WHERE canonical = ? AND story_id = ? "
        "AND NOT EXISTS (SELECT 1 FROM items WHERE story_id = story_urls.story_id)",
        sorted(urls),
    )
