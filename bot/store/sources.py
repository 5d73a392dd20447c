"""Source rows: which URLs to poll, when, and what happened last time.

A search template with one query is a source of its own, so every distinct watch query
gets its own GUIDs, validators, backoff and first poll.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from urllib.parse import quote

from bot.backoff import backoff
from bot.config import Config
from bot.ops.logs import scrub
from bot.store.db import Row, Store, transaction

MAX_BACKOFF = 6 * 3600.0  # SPEC Polling: doubling from the poll interval, at most 6 h
DISABLE_AFTER = 10
JITTER = 0.1  # +-10% of the interval, so many sources do not fire in lockstep


@dataclass(frozen=True)
class Source:
    id: int
    url: str
    query: str | None
    etag: str | None
    last_modified: str | None
    first_polled: bool
    failures: int
    moved_to: str | None = None

    @property
    def fetch_url(self) -> str:
        """Where to fetch: the permanent new address if it has served a feed, else the URL."""
        return self.moved_to or self.url


def search_url(template: str, query: str) -> str:
    """The template with the query URL-encoded into `{query}`."""
    return template.replace("{query}", quote(query, safe=""))


def sync_sources(db: Store, config: Config, now: float) -> None:
    """Make source rows match the config and the active watch queries; keep history of old ones."""
    wanted: dict[str, tuple[str | None, str | None]] = {}
    for source in config.sources:
        if source.url:
            wanted[source.url] = (None, None)
    queries = [
        row["query"]
        for row in db.rows("SELECT DISTINCT query FROM watches WHERE paused = 0 ORDER BY query")
    ]
    for source in config.sources:
        if source.search:
            for query in queries:
                wanted[search_url(source.search, query)] = (source.search, query)
    with transaction(db):
        db.execute("UPDATE sources SET active = 0")
        for url, (template, query) in wanted.items():
            db.execute(
                "INSERT INTO sources (url, template, query, next_poll) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (url) DO UPDATE SET active = 1",
                [url, template, query, now],
            )


def due_sources(db: Store, now: float, all_sources: bool = False) -> list[Source]:
    """Active, enabled sources whose next poll has come (every one with --all)."""
    sql = (
        "SELECT id, url, query, etag, last_modified, first_polled, failures, moved_to "
        "FROM sources "
        "WHERE active = 1 AND disabled = 0"
    )
    params: list[float] = []
    if not all_sources:
        # A last poll in the future means the clock went back (NTP, a restored VM): such a
        # source is due now rather than stalled until the clock catches up (HARDENING F11).
        sql += " AND (next_poll <= ? OR last_poll > ?)"
        params += [now, now]
    return [source_of(row) for row in db.rows(sql + " ORDER BY next_poll, id", params)]


def source_of(row: Row) -> Source:
    """A sources row as the poller's Source (every store that claims sources reads them so)."""
    return Source(
        id=row["id"],
        url=row["url"],
        query=row["query"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        first_polled=bool(row["first_polled"]),
        failures=row["failures"],
        moved_to=row["moved_to"],
    )


def renew_leases(db: Store, now: float) -> bool:
    """One newswatch per SQLite file holds no leases (bot.store.pg.leases does): False."""
    return False


def next_due(db: Store, now: float) -> float | None:
    """When the next active source is due (now, if the clock went back past a last poll);
    None when there is none."""
    row = db.row(
        "SELECT MIN(next_poll) AS next_poll, "
        "MAX(CASE WHEN last_poll > ? THEN 1 ELSE 0 END) AS clock_went_back "
        "FROM sources WHERE active = 1 AND disabled = 0",
        [now],
    )
    if row is None or row["next_poll"] is None:
        return None
    return now if row["clock_went_back"] else float(row["next_poll"])


def next_poll_time(now: float, interval: float, rng: random.Random) -> float:
    return now + interval * (1 + rng.uniform(-JITTER, JITTER))


def record_not_modified(db: Store, source: Source, now: float, next_poll: float) -> None:
    db.execute(
        "UPDATE sources SET last_poll = ?, last_success = ?, last_status = '304 not modified', "
        "failures = 0, last_error = NULL, next_poll = ? WHERE id = ?",
        [now, now, next_poll, source.id],
    )


def record_success(
    db: Store,
    *,
    source: Source,
    now: float,
    next_poll: float,
    etag: str | None,
    last_modified: str | None,
    title: str,
    new_items: int,
    moved_to: str | None = None,
) -> None:
    """A valid feed came back; `moved_to` is where a permanent redirect led, if one did."""
    db.execute(
        "UPDATE sources SET last_poll = ?, last_success = ?, last_status = ?, failures = 0, "
        "last_error = NULL, next_poll = ?, etag = ?, last_modified = ?, first_polled = 1, "
        "title = COALESCE(NULLIF(?, ''), title), moved_to = COALESCE(?, moved_to) WHERE id = ?",
        [
            now,
            now,
            f"ok, {new_items} new",
            next_poll,
            etag,
            last_modified,
            title,
            moved_to,
            source.id,
        ],
    )


def record_failure(
    db: Store,
    *,
    source: Source,
    now: float,
    interval: float,
    reason: str,
    retry_after: float | None,
) -> bool:
    """Count a failure and back off; return True when this failure disabled the source.

    A source that had moved goes back to its configured URL: if the move still holds, the
    redirect (checked hop by hop again) leads to the new address once more. The reason is
    scrubbed: a feed writes part of it (its XML declaration), and a proxy may echo a token.
    """
    failures = source.failures + 1
    disabled = failures >= DISABLE_AFTER
    db.execute(
        "UPDATE sources SET last_poll = ?, last_status = 'failed', failures = ?, last_error = ?, "
        "next_poll = ?, disabled = ?, moved_to = NULL WHERE id = ?",
        [
            now,
            failures,
            scrub(reason)[:300],
            now + backoff(failures, base=interval, cap=MAX_BACKOFF, retry_after=retry_after),
            int(disabled),
            source.id,
        ],
    )
    return disabled


def dependent_channels(db: Store, source: Source) -> list[int]:
    """Channels that hear from a source: all of them for a feed, the query's for a search."""
    if source.query is None:
        return [int(row["id"]) for row in db.rows("SELECT id FROM channels ORDER BY id")]
    rows = db.rows(
        "SELECT DISTINCT channel_id FROM watches WHERE query = ? ORDER BY channel_id",
        [source.query],
    )
    return [int(row["channel_id"]) for row in rows]
