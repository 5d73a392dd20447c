"""Watches in the database: synced from watchlist files at start, or added in chat."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.config import Config
from bot.match.query import normalise_query, parse_query
from bot.store.channels import channel_id as channel_id  # callers find it beside the watches
from bot.store.db import Row, Store, transaction
from bot.target import Target

MAX_WATCHES_PER_CHANNEL = 100  # added in chat; files may add up to 10,000 (bot.match.watchlists)
MAX_WATCHES_PER_USER = 100  # added by one person across one workspace or server
LABEL_BATCH = 500  # queries looked up at once, well under SQLite's limit on parameters
SCOPE_WORDS = {"slack": "workspace", "discord": "server"}


@dataclass(frozen=True)
class Watch:
    id: int
    channel_id: int
    query: str
    origin: str | None
    paused: bool
    name: str | None = None  # from its file; chat watches have none (SPEC Watchlists)
    notify: str | None = None  # the mention its alerts ping, as written in the file

    @property
    def from_file(self) -> bool:
        return bool(self.origin and self.origin.startswith("file:"))

    @property
    def label(self) -> str:
        """How alerts, lists and digests name the watch: its name, else its query."""
        return self.name or self.query


@dataclass(frozen=True)
class WatchLabel:
    """What a message shows and pings for one watch, read at its send (the file may change)."""

    name: str | None
    notify: str | None


def sync_file_watches(db: Store, config: Config, now: float) -> None:
    """Each configured channel gets exactly its files' watches; chat watches are left alone."""
    with transaction(db):
        for channel in config.channels:
            cid = channel_id(db, channel.target)
            wanted: dict[str, tuple[str, str | None, str | None]] = {}
            for watchlist in channel.watchlists:
                for watch in watchlist.watches:  # a query's first watch in the files wins
                    wanted.setdefault(
                        normalise_query(watch.query),
                        (f"file:{watchlist.path}", watch.name, watch.notify),
                    )
            existing = {
                row["query"]: row["origin"]
                for row in db.rows("SELECT query, origin FROM watches WHERE channel_id = ?", [cid])
            }
            for query, origin in existing.items():
                if origin and origin.startswith("file:") and query not in wanted:
                    db.execute(
                        "DELETE FROM watches WHERE channel_id = ? AND query = ?", [cid, query]
                    )
            for query, (origin, name, notify) in wanted.items():
                db.execute(
                    "INSERT INTO watches (channel_id, query, origin, created, name, notify) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (channel_id, query) DO UPDATE SET "
                    "origin = excluded.origin, name = excluded.name, notify = excluded.notify",
                    [cid, query, origin, now, name, notify],
                )


def _watch(row: Row) -> Watch:
    return Watch(
        id=row["id"],
        channel_id=row["channel_id"],
        query=row["query"],
        origin=row["origin"],
        paused=bool(row["paused"]),
        name=row["name"],
        notify=row["notify"],
    )


def list_watches(db: Store, cid: int) -> list[Watch]:
    rows = db.rows(
        "SELECT id, channel_id, query, origin, paused, name, notify FROM watches "
        "WHERE channel_id = ? "
        "ORDER BY id",
        [cid],
    )
    return [_watch(row) for row in rows]


def watch_queries(db: Store, cid: int) -> list[str]:
    """A channel's queries in the order they were added (a digest's section order)."""
    rows = db.rows("SELECT query FROM watches WHERE channel_id = ? ORDER BY id", [cid])
    return [str(row["query"]) for row in rows]


def watch_labels(
    db: Store, cid: int, queries: Sequence[str] | None = None
) -> dict[str, WatchLabel]:
    """A channel's watches (all, or those with `queries`) by stored query: name and notify, as
    an alert or a digest shows them when sent (an outbox row keeps only the queries it matched)."""
    sql = "SELECT query, name, notify FROM watches WHERE channel_id = ?"
    if queries is None:
        batches: list[list[str]] = [[]]
    else:
        wanted = list(dict.fromkeys(queries))
        batches = [wanted[at : at + LABEL_BATCH] for at in range(0, len(wanted), LABEL_BATCH)]
    labels: dict[str, WatchLabel] = {}
    for batch in batches:
        where = f" AND query IN ({', '.join('?' * len(batch))})" if queries is not None else ""
        for row in db.rows(sql + where, [cid, *batch]):
            labels[str(row["query"])] = WatchLabel(row["name"], row["notify"])
    return labels


def active_watches(db: Store) -> list[Watch]:
    rows = db.rows(
        "SELECT w.id, w.channel_id, w.query, w.origin, w.paused, w.name, w.notify FROM watches w "
        "JOIN channels c ON c.id = w.channel_id WHERE w.paused = 0 ORDER BY w.id"
    )
    return [_watch(row) for row in rows]


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
    *,
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
    in_channel = _count(
        db, "SELECT COUNT(*) AS n FROM watches WHERE channel_id = ? AND origin = 'chat'", [cid]
    )
    if in_channel >= MAX_WATCHES_PER_CHANNEL:
        raise ValueError(
            f"this channel already has {MAX_WATCHES_PER_CHANNEL} watches added in chat, the "
            "most it may hold; remove one first, or list more in a watchlist file"
        )
    if added_by is None:
        return
    row = db.row(
        "SELECT COUNT(*) AS mine, COUNT(DISTINCT channel_id) AS channels FROM watches "
        "WHERE scope = ? AND added_by = ? AND origin = 'chat'",
        [scope, added_by],
    )
    mine, channels = (int(row["mine"]), int(row["channels"])) if row is not None else (0, 0)
    if mine >= MAX_WATCHES_PER_USER:
        where = SCOPE_WORDS.get(scope.partition(":")[0], "workspace")
        raise ValueError(
            f"you already have {mine} watches in this {where} (across {channels} "
            f"channel{'s' if channels != 1 else ''}), the most one person may add; "
            "remove one of yours first"
        )


def _count(db: Store, sql: str, params: list[object]) -> int:
    row = db.row(sql, params)
    return int(row["n"]) if row is not None else 0


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
