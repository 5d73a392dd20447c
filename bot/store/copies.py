"""The stored copies that messages show: an alert's best copy, a digest's stories, and
the newest stories a new watch would have matched."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bot.store.db import Row, Store
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


def _copy(row: Row) -> Copy:
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


@dataclass(frozen=True)
class Coverage:
    """Which outlets carry a story, first to carry it first, as of its newest copy then."""

    through: int  # the newest copy's item id (0: none)
    outlets: tuple[str, ...]


def coverage(db: Store, story_id: int, through: int | None = None) -> Coverage:
    """The story's outlets among its copies up to `through` (all of them when None)."""
    rows = db.rows(
        "SELECT outlet, MIN(id) AS first, MAX(id) AS last FROM items "
        "WHERE story_id = ? AND id <= ? GROUP BY outlet ORDER BY first",
        [story_id, through if through is not None else 2**63 - 1],
    )
    newest = max((int(row["last"]) for row in rows), default=0)
    return Coverage(through=newest, outlets=tuple(str(row["outlet"]) for row in rows))


def new_copies(db: Store, story_id: int, after: int, through: int) -> list[Copy]:
    """Copies in (after, through] from outlets the story had not had up to `after`: the
    first copy of each new outlet, in the order they came."""
    rows = db.rows(
        f"SELECT {_COPY_COLUMNS} FROM items i WHERE i.id IN ("
        " SELECT MIN(n.id) FROM items n WHERE n.story_id = ? AND n.id > ? AND n.id <= ?"
        " AND NOT EXISTS (SELECT 1 FROM items o WHERE o.story_id = n.story_id"
        "  AND o.outlet = n.outlet AND o.id <= ?)"
        " GROUP BY n.outlet) ORDER BY i.id",
        [story_id, after, through, after],
    )
    return [_copy(row) for row in rows]
