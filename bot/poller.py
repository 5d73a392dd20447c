"""One poll: fetch due sources, parse off the loop, store new items, merge stories, queue alerts.

Follows Miniflux's refresh pipeline (conditional GET, parse, "the store returns only
the new entries"), with each source's results committed in one transaction, so a crash
mid-poll leaves every source either fully processed or untouched.
"""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.config import Config
from bot.ingest.fetch import Fetcher, FetchResult
from bot.ingest.parse import FeedItem, ParsedFeed
from bot.ingest.parsepool import ParsePool
from bot.match.matcher import ItemText, Matcher
from bot.match.query import parse_query
from bot.ops.crashpoints import crash_point
from bot.ops.logs import scrub
from bot.store.db import StorageUnavailable, Store, transaction
from bot.store.outbox import add_alert, add_notice
from bot.store.retention import prune, prune_due
from bot.store.sources import (
    Source,
    dependent_channels,
    due_sources,
    next_poll_time,
    record_failure,
    record_not_modified,
    record_success,
    sync_sources,
)
from bot.store.watches import active_watches
from bot.stories.lookup import StoryIndex, new_story
from bot.stories.titles import title_key_tokens
from bot.stories.urls import canonical_url

log = logging.getLogger("newswatch.poll")
MAX_PARALLEL_FETCHES = 16


@dataclass
class PollReport:
    """What a poll did, for the CLI and the logs."""

    polled: int = 0
    not_modified: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    new_items: int = 0
    alerts: int = 0


class WatchIndex:
    """Every active watch compiled once: text matching plus the queries behind search sources."""

    def __init__(self, db: Store) -> None:
        self.matcher = Matcher()
        self.channel_of: dict[int, int] = {}
        self.query_of: dict[int, str] = {}
        self.by_query: dict[str, list[int]] = defaultdict(list)
        for watch in active_watches(db):
            self.matcher.add(watch.id, parse_query(watch.query))
            self.channel_of[watch.id] = watch.channel_id
            self.query_of[watch.id] = watch.query
            self.by_query[watch.query].append(watch.id)

    def matches(self, item: FeedItem, search_query: str | None) -> list[int]:
        """Watch ids an item matches: by text, and by being a search hit for its query."""
        found = self.matcher.match(ItemText.from_fields(item.fields))
        if search_query is not None:
            found.update(self.by_query.get(search_query, ()))
        return sorted(found)


class Poller:
    """Polls sources into the store; the clock and randomness are passed in for tests."""

    def __init__(
        self,
        db: Store,
        config: Config,
        fetcher: Fetcher,
        clock: Callable[[], float],
        rng: random.Random | None = None,
    ) -> None:
        self.db = db
        self.config = config
        self.fetcher = fetcher
        self.clock = clock
        self.rng = rng or random.Random()
        self._stories: StoryIndex | None = None
        self._pool: ParsePool | None = None
        self._unchanged: list[tuple[Source, float, float]] = []  # 304s not yet recorded

    def _parse_pool(self) -> ParsePool:
        """The parse workers (bot.ingest.parsepool), made on the first body that needs parsing."""
        if self._pool is None:
            self._pool = ParsePool()
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    async def poll(self, all_sources: bool = False) -> PollReport:
        now = self.clock()
        sync_sources(self.db, self.config, now)
        watches = WatchIndex(self.db)
        self._stories = StoryIndex(self.db)
        sources = due_sources(self.db, now, all_sources)
        report = PollReport()
        poll_id = uuid.uuid4().hex
        limit = asyncio.Semaphore(MAX_PARALLEL_FETCHES)
        # Parses finish in bursts; stored back to back in one turn of the event loop they
        # would hold slash commands for the whole burst (bench/responsive.py).
        store_turn = asyncio.Lock()
        halted: list[StorageUnavailable] = []  # the first write that failed stops the poll
        self._unchanged = []

        async def one(source: Source) -> None:
            async with limit:
                if halted:  # nothing more is fetched that could not be stored
                    return
                result = await self.fetcher.fetch(
                    source.fetch_url, etag=source.etag, last_modified=source.last_modified
                )
                crash_point("after-fetch")
                parsed = None
                if result.status == 200 and result.body is not None and not halted:
                    # A worker that dies mid-parse fails this source only, with the reason.
                    parsed = await self._parse_pool().parse(
                        source.id,
                        result.body,
                        result.final_url,
                        result.content_type,
                        self.clock(),
                    )
            async with store_turn:
                if halted:
                    return
                try:
                    self._store(source, result, parsed, watches, poll_id, report)
                except StorageUnavailable as exc:  # rolled back: the source is still due
                    halted.append(exc)
                    return
                crash_point("after-store")
                await asyncio.sleep(0)  # one store per turn of the loop: commands get theirs

        await asyncio.gather(*(one(source) for source in sources))
        if halted:
            raise halted[0]
        self._record_unchanged()
        if prune_due(self.db, now):
            prune(self.db, self.config.retention, self.clock())
        return report

    def _record_unchanged(self) -> None:
        """The 304s of a poll, committed together: one fsync, not one per source. A crash
        before it leaves those sources due, and they are asked again (another 304)."""
        unchanged, self._unchanged = self._unchanged, []
        if unchanged:
            with transaction(self.db):
                for source, now, next_poll in unchanged:
                    record_not_modified(self.db, source, now, next_poll)

    def _store(
        self,
        source: Source,
        result: FetchResult,
        parsed: ParsedFeed | None,
        watches: WatchIndex,
        poll_id: str,
        report: PollReport,
    ) -> None:
        """Commit one source's outcome in a single transaction."""
        now = self.clock()
        interval = self.config.poll_interval
        report.polled += 1
        if result.not_modified:
            report.not_modified += 1
            self._unchanged.append((source, now, next_poll_time(now, interval, self.rng)))
            return
        with transaction(self.db):
            reason = result.error or (parsed.error if parsed else None) or "no body"
            if parsed is None or parsed.error:
                self._fail(source, reason, result.retry_after, now, report)
                return
            new = self._store_items(source, parsed, watches, poll_id, now, report)
            # An empty feed keeps the old validators, so the next poll asks afresh.
            etag, modified = (
                (result.etag, result.last_modified)
                if parsed.items
                else (source.etag, source.last_modified)
            )
            record_success(
                self.db,
                source,
                now,
                next_poll_time(now, interval, self.rng),
                etag,
                modified,
                parsed.title,
                new,
                # HARDENING C9: a 301/308 to a new address is kept once it served a feed.
                result.permanent_url if result.permanent_url != source.fetch_url else None,
            )
        log.info("polled", extra={"source": source.id, "new_items": new})

    def _fail(
        self, source: Source, reason: str, retry_after: float | None, now: float, report: PollReport
    ) -> None:
        reason = scrub(reason)  # a feed writes part of it; it is logged, stored and posted
        report.failed[source.url] = reason
        log.warning("source failed", extra={"source": source.id, "reason": reason})
        disabled = record_failure(
            self.db, source, now, self.config.poll_interval, reason, retry_after
        )
        if disabled:
            name = (source.query and f"the search for {source.query!r}") or _host(source.url)
            text = (
                f"newswatch stopped polling {name} after {source.failures + 1} failures in a row "
                f"(last: {reason}). Fix it, then run `newswatch sources` to check."
            )
            for channel in dependent_channels(self.db, source):
                add_notice(self.db, channel, text, now)

    def _store_items(
        self,
        source: Source,
        parsed: ParsedFeed,
        watches: WatchIndex,
        poll_id: str,
        now: float,
        report: PollReport,
    ) -> int:
        """Insert new items (the UNIQUE key says which are new), merge stories, queue alerts."""
        outlet_default = parsed.title or _host(source.url)
        oldest_alertable = now - self.config.max_age
        if not source.first_polled:
            oldest_alertable = max(oldest_alertable, now - self.config.backfill)
        conn = self.db.conn
        stories = self._stories or StoryIndex(self.db)
        known = _known_fingerprints(conn, source.id, [item.identity for item in parsed.items])
        new = 0
        for item in parsed.items:
            tokens = title_key_tokens(item.title)
            title_key = " ".join(tokens)
            fingerprint = known.get(item.identity)
            if fingerprint is not None:
                if fingerprint != item.fingerprint:
                    self._update_item(source, item, title_key)
                continue
            published = item.published if item.published is not None else now
            canonical = canonical_url(item.link) if item.link else None
            story_id = stories.find(canonical, tokens, published)
            fresh = story_id is None  # a story made now has no deliveries to merge into
            if story_id is None:
                story_id = new_story(self.db, published, now)
            row = conn.execute(
                "INSERT INTO items (source_id, identity, story_id, fingerprint, link, title, "
                "title_key, summary, outlet, published, dated, first_seen) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (source_id, identity) DO NOTHING RETURNING id",
                [
                    source.id,
                    item.identity,
                    story_id,
                    item.fingerprint,
                    item.link,
                    item.title,
                    title_key,
                    item.summary,
                    item.outlet or outlet_default,
                    published,
                    int(item.published is not None),
                    now,
                ],
            ).fetchone()
            if row is None:  # known after all (read above in this transaction): never here
                continue
            item_id = int(row[0])
            new += 1
            stories.index(item_id, story_id, canonical, tokens, published)
            if published < oldest_alertable:
                continue
            by_channel: dict[int, list[str]] = defaultdict(list)
            for watch_id in watches.matches(item, source.query):
                by_channel[watches.channel_of[watch_id]].append(watches.query_of[watch_id])
            for channel_id, queries in by_channel.items():
                add_alert(self.db, channel_id, story_id, item_id, queries, poll_id, now, fresh)
                report.alerts += 1
        report.new_items += new
        return new

    def _update_item(self, source: Source, item: FeedItem, title_key: str) -> None:
        """A known identity with a changed title, link or body is an update, never a new story."""
        self.db.conn.execute(
            "UPDATE items SET fingerprint = ?, link = ?, title = ?, title_key = ?, summary = ? "
            "WHERE source_id = ? AND identity = ? AND fingerprint != ?",
            [
                item.fingerprint,
                item.link,
                item.title,
                title_key,
                item.summary,
                source.id,
                item.identity,
                item.fingerprint,
            ],
        )


def _known_fingerprints(
    conn: sqlite3.Connection, source_id: int, identities: list[str]
) -> dict[str, str]:
    """The stored fingerprint of each identity this source already has, in few queries."""
    known: dict[str, str] = {}
    for start in range(0, len(identities), 500):  # SQLite's bound-parameter limit, with room
        chunk = identities[start : start + 500]
        marks = ",".join("?" for _ in chunk)
        known.update(
            conn.execute(
                f"SELECT identity, fingerprint FROM items WHERE source_id = ? "
                f"AND identity IN ({marks})",
                [source_id, *chunk],
            ).fetchall()
        )
    return known


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")
