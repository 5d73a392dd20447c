"""Watches in the database: synced from watchlist files at start, or added in chat."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import sqlite_utils

from bot.config import Config
from bot.query import SOFT_HYPHEN, parse_query
from bot.store import transaction

MAX_WATCHES_PER_CHANNEL = 100


@dataclass(frozen=True)
class Watch:
    id: int
    channel_id: int
    query: str
    origin: str | None
    paused: bool

    @property
    def from_file(self) -> bool:
        return bool(self.origin and self.origin.startswith("file:"))


def normalise_query(text: str) -> str:
    """How a query is stored: NFC, outer whitespace trimmed, inner runs of spaces folded, soft
    hyphens dropped (bot.query ignores them, so the stored text is what the watch means)."""
    return " ".join(unicodedata.normalize("NFC", text.replace(SOFT_HYPHEN, "")).split())


def channel_id(db: sqlite_utils.Database, target: str) -> int:
    """The row id of a channel target, created on first use."""
    db.execute("INSERT INTO channels (target) VALUES (?) ON CONFLICT (target) DO NOTHING", [target])
    return int(db.execute("SELECT id FROM channels WHERE target = ?", [target]).fetchone()[0])


def sync_file_watches(db: sqlite_utils.Database, config: Config, now: float) -> None:
    """Each configured channel gets exactly its files' watches; chat watches are left alone."""
    with transaction(db):
        for channel in config.channels:
            cid = channel_id(db, channel.target)
            wanted: dict[str, str] = {}
            for watchlist in channel.watchlists:
                for query in watchlist.queries:
                    wanted.setdefault(normalise_query(query), f"file:{watchlist.path}")
            existing = {
                row[0]: row[1]
                for row in db.execute(
                    "SELECT query, origin FROM watches WHERE channel_id = ?", [cid]
                ).fetchall()
            }
            for query, origin in existing.items():
                if origin and origin.startswith("file:") and query not in wanted:
                    db.execute(
                        "DELETE FROM watches WHERE channel_id = ? AND query = ?", [cid, query]
                    )
            for query, origin in wanted.items():
                db.execute(
                    "INSERT INTO watches (channel_id, query, origin, created) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (channel_id, query) DO UPDATE SET origin = excluded.origin",
                    [cid, query, origin, now],
                )


def list_watches(db: sqlite_utils.Database, cid: int) -> list[Watch]:
    rows = db.execute(
        "SELECT id, channel_id, query, origin, paused FROM watches WHERE channel_id = ? "
        "ORDER BY id",
        [cid],
    ).fetchall()
    return [Watch(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows]


def active_watches(db: sqlite_utils.Database) -> list[Watch]:
    rows = db.execute(
        "SELECT w.id, w.channel_id, w.query, w.origin, w.paused FROM watches w "
        "JOIN channels c ON c.id = w.channel_id WHERE w.paused = 0 ORDER BY w.id"
    ).fetchall()
    return [Watch(r[0], r[1], r[2], r[3], False) for r in rows]


def find_watch(db: sqlite_utils.Database, cid: int, query_or_id: str) -> Watch | None:
    """A watch of this channel by its id (`12` or `#12`) or its exact query."""
    text = normalise_query(query_or_id)
    for watch in list_watches(db, cid):
        if watch.query == text or text.lstrip("#") == str(watch.id):
            return watch
    return None


def add_watch(db: sqlite_utils.Database, cid: int, query: str, now: float) -> tuple[Watch, bool]:
    """Add a chat watch; idempotent; return it and whether it is new."""
    text = normalise_query(query)
    parse_query(text)
    existing = find_watch(db, cid, text)
    if existing is not None:
        return existing, False
    count = db.execute("SELECT COUNT(*) FROM watches WHERE channel_id = ?", [cid]).fetchone()[0]
    if count >= MAX_WATCHES_PER_CHANNEL:
        raise ValueError(
            f"this channel already has {MAX_WATCHES_PER_CHANNEL} watches, the most it may hold"
        )
    with transaction(db):
        db.execute(
            "INSERT INTO watches (channel_id, query, origin, created) VALUES (?, ?, 'chat', ?)",
            [cid, text, now],
        )
    found = find_watch(db, cid, text)
    assert found is not None
    return found, True


def remove_watch(db: sqlite_utils.Database, watch: Watch) -> None:
    with transaction(db):
        db.execute("DELETE FROM watches WHERE id = ?", [watch.id])


def set_paused(db: sqlite_utils.Database, cid: int, paused: bool) -> int:
    """Pause or resume every watch of a channel; return how many changed."""
    with transaction(db):
        cursor = db.execute(
            "UPDATE watches SET paused = ? WHERE channel_id = ? AND paused != ?",
            [int(paused), cid, int(paused)],
        )
    return int(cursor.rowcount)
