"""The stored copies that messages show: an alert's best copy, a digest's stories, and
the newest stories a new watch would have matched."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bot.store.db import Store
from bot.store.stories import BEST_COPY_SQL

CHUNK = 500  # ids per statement: SQLite's bound-parameter limit


@dataclass(frozen=True)
class Copy:
    """One item as a message shows it."""

    title: str
    link: str | None
    outlet: str
    published: float
    dated: bool
    summary: str


@dataclass(frozen=True)
class DigestRow:
    """One alerted story in a digest: its best copy, the watches it matched, how many
    outlets carried it."""

    story_id: int
    watches: tuple[str, ...]
    copy: Copy
    outlets: int


@dataclass(frozen=True)
class RecentItem:
    story_id: int
    title: str
    summary: str
    outlet: str


_COPY_COLUMNS = "i.title, i.link, i.outlet, i.published, i.dated, i.summary"


def _copy(row: sqlite3.Row) -> Copy:
    return Copy(
        title=row["title"],
        link=row["link"],
        outlet=row["outlet"],
        published=float(row["published"]),
        dated=bool(row["dated"]),
        summary=row["summary"],
    )


def alert_copy(db: Store, story_id: int | None, item_id: int | None) -> Copy | None:
    """The copy an alert shows: its story's best copy as of now, else the item it named."""
    row = db.row(
        f"SELECT {_COPY_COLUMNS} FROM items i "
        f"WHERE i.id = COALESCE(({BEST_COPY_SQL.format(story='?')}), ?)",
        [story_id, item_id],
    )
    return None if row is None else _copy(row)


def alerted_in_window(db: Store, channel_id: int, since: float, until: float) -> list[DigestRow]:
    """Every story alerted to the channel in [since, until), in outbox order."""
    return _digest_rows(
        db,
        "d.channel_id = ? AND d.kind = 'alert' AND d.created >= ? AND d.created < ?",
        [channel_id, since, until],
    )


def alerted_in(db: Store, delivery_ids: Sequence[int]) -> list[DigestRow]:
    """The stories of these outbox rows (a backlog digest's), in outbox order per chunk."""
    rows: list[DigestRow] = []
    for start in range(0, len(delivery_ids), CHUNK):
        chunk = list(delivery_ids[start : start + CHUNK])
        rows += _digest_rows(db, f"d.id IN ({','.join('?' * len(chunk))})", chunk)
    return rows


def _digest_rows(db: Store, where: str, params: Sequence[object]) -> list[DigestRow]:
    rows = db.rows(
        f"SELECT d.story_id, d.watches, {_COPY_COLUMNS}, "
        "(SELECT COUNT(DISTINCT outlet) FROM items WHERE story_id = d.story_id) AS outlets "
        "FROM deliveries d JOIN items i ON i.id = COALESCE(("
        + BEST_COPY_SQL.format(story="d.story_id")
        + f"), d.item_id) WHERE {where} ORDER BY d.id",
        params,
    )
    return [
        DigestRow(
            story_id=row["story_id"],
            watches=tuple(json.loads(row["watches"])),
            copy=_copy(row),
            outlets=int(row["outlets"]),
        )
        for row in rows
    ]


def recent_items(db: Store, limit: int) -> Iterator[RecentItem]:
    """The newest stored items by publication time, read as the caller goes (it may stop
    at the few it needs)."""
    rows = db.each(
        "SELECT story_id, title, summary, outlet FROM items ORDER BY published DESC LIMIT ?",
        [limit],
    )
    for r in rows:
        yield RecentItem(r["story_id"], r["title"], r["summary"], r["outlet"])
