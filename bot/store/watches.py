"""Watches in the database: synced from watchlist files at start, or added in chat."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Config
from bot.match.query import normalise_query, parse_query
from bot.store.db import Store, transaction
from bot.target import Target

MAX_WATCHES_PER_CHANNEL = 100  # added in chat; files may add up to 10,000 (bot.match.watchlists)
MAX_WATCHES_PER_USER = 100  # added by one person across one workspace or server
SCOPE_WORDS = {"slack": "workspace", "discord": "server"}


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


def channel_id(db: Store, target: str) -> int:
    """The row id of a channel target, created on first use."""
    db.execute("INSERT INTO channels (target) VALUES (?) ON CONFLICT (target) DO NOTHING", [target])
    return int(db.execute("SELECT id FROM channels WHERE target = ?", [target]).fetchone()[0])


def sync_file_watches(db: Store, config: Config, now: float) -> None:
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


def list_watches(db: Store, cid: int) -> list[Watch]:
    rows = db.execute(
        "SELECT id, channel_id, query, origin, paused FROM watches WHERE channel_id = ? "
        "ORDER BY id",
        [cid],
    ).fetchall()
    return [Watch(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows]


def active_watches(db: Store) -> list[Watch]:
    rows = db.execute(
        "SELECT w.id, w.channel_id, w.query, w.origin, w.paused FROM watches w "
        "JOIN channels c ON c.id = w.channel_id WHERE w.paused = 0 ORDER BY w.id"
    ).fetchall()
    return [Watch(r[0], r[1], r[2], r[3], False) for r in rows]


def find_watch(db: Store, cid: int, query_or_id: str) -> Watch | None:
    """A watch of this channel by its id (`12` or `#12`) or its exact query."""
    text = normalise_query(query_or_id)
    for watch in list_watches(db, cid):
        if watch.query == text or text.lstrip("#") == str(watch.id):
            return watch
    return None


def add_watch(
    db: Store,
    cid: int,
    query: str,
    now: float,
    added_by: str | None = None,
    scope: str = "",
) -> tuple[Watch, bool]:
    """Add a chat watch; idempotent; return it and whether it is new.

    Refused (ValueError) when the channel holds MAX_WATCHES_PER_CHANNEL chat watches, or
    `added_by` holds MAX_WATCHES_PER_USER in `scope` (the workspace or server; the target's
    platform when the adapter names none), counting every channel, configured or not.
    """
    text = normalise_query(query)
    parse_query(text)
    existing = find_watch(db, cid, text)
    if existing is not None:
        return existing, False
    with transaction(db):
        _check_limits(db, cid, added_by, scope)
        db.execute(
            "INSERT INTO watches (channel_id, query, origin, created, added_by, scope) "
            "VALUES (?, ?, 'chat', ?, ?, ?)",
            [cid, text, now, added_by, scope if added_by is not None else None],
        )
    found = find_watch(db, cid, text)
    assert found is not None
    return found, True


def watch_scope(target: str, scope: str) -> str:
    """The workspace or server a command came from, else the target's platform ("slack")."""
    return scope or Target.parse(target).platform


def _check_limits(db: Store, cid: int, added_by: str | None, scope: str) -> None:
    in_channel = db.execute(
        "SELECT COUNT(*) FROM watches WHERE channel_id = ? AND origin = 'chat'", [cid]
    ).fetchone()[0]
    if in_channel >= MAX_WATCHES_PER_CHANNEL:
        raise ValueError(
            f"this channel already has {MAX_WATCHES_PER_CHANNEL} watches added in chat, the "
            "most it may hold; remove one first, or list more in a watchlist file"
        )
    if added_by is None:
        return
    mine, channels = db.execute(
        "SELECT COUNT(*), COUNT(DISTINCT channel_id) FROM watches "
        "WHERE scope = ? AND added_by = ? AND origin = 'chat'",
        [scope, added_by],
    ).fetchone()
    if mine >= MAX_WATCHES_PER_USER:
        where = SCOPE_WORDS.get(scope.partition(":")[0], "workspace")
        raise ValueError(
            f"you already have {mine} watches in this {where} (across {channels} "
            f"channel{'s' if channels != 1 else ''}), the most one person may add; "
            "remove one of yours first"
        )


def remove_watch(db: Store, watch: Watch) -> None:
    with transaction(db):
        db.execute("DELETE FROM watches WHERE id = ?", [watch.id])


def set_paused(db: Store, cid: int, paused: bool) -> int:
    """Pause or resume every watch of a channel; return how many changed."""
    with transaction(db):
        cursor = db.execute(
            "UPDATE watches SET paused = ? WHERE channel_id = ? AND paused != ?",
            [int(paused), cid, int(paused)],
        )
    return int(cursor.rowcount)
