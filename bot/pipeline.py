"""One source's refresh, top to bottom: fetch, parse, keep the new items, match, merge, queue.

Reads like Miniflux's RefreshFeed (internal/reader/handler/handler.go): a conditional GET,
a parse, "the store returns only the new entries", then what newswatch does with them.
Each source's outcome is committed in one transaction, so a crash mid-poll leaves every
source either fully processed or untouched. What one poll knows lives in a PollRun
(bot.pollstate).

Every store operation, and the transaction, comes from `PollTools.store` (a
bot.store.interface.StoreModules): a second store is a second value there, not an edit here.
Only the dataclasses the store returns and its one error, StorageUnavailable, are imported.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections import defaultdict
from urllib.parse import urlsplit

from bot.config import Config
from bot.ingest.fetch import FetchResult
from bot.ingest.parse import FeedItem, ParsedFeed
from bot.ops.crashpoints import crash_point
from bot.ops.logs import scrub
from bot.pollstate import Arrival, Filed, PollRun, PollTools
from bot.store.errors import StorageUnavailable
from bot.store.items import StoredItem
from bot.store.sources import Source
from bot.stories.feedwords import feed_words_of
from bot.stories.terms import story_text, terms_of
from bot.stories.titles import title_key_tokens
from bot.stories.urls import canonical_url
from bot.stories.words import copy_words

log = logging.getLogger("newswatch.poll")


async def refresh(source: Source, run: PollRun) -> None:
    """Fetch, parse and store one source; a write the disk refuses halts the whole poll
    (`run.halted`), and this source, rolled back, stays due."""
    async with run.fetch_slots:
        if run.halted is not None:  # nothing more is fetched that could not be stored
            return
        result = await run.tools.fetcher.fetch(
            source.fetch_url, etag=source.etag, last_modified=source.last_modified
        )
        crash_point("after-fetch")
        parsed = await _parse(source, result, run)
    async with run.store_turn:
        if run.halted is not None:
            return
        try:
            _store(source, result, parsed, run)
        except StorageUnavailable as exc:  # rolled back: the source is still due
            run.halted = exc
            return
        crash_point("after-store")
        await asyncio.sleep(0)  # one store per turn of the loop: commands get theirs


async def _parse(source: Source, result: FetchResult, run: PollRun) -> ParsedFeed | None:
    """The body, parsed in a worker process; None without one (a 304, a failed fetch) or
    once the poll halted. A worker that dies mid-parse fails this source only, with why."""
    if result.status != 200 or result.body is None or run.halted is not None:
        return None
    pool = run.tools.parse_pool()
    return await pool.parse(
        source.id, result.body, result.final_url, result.content_type, run.tools.clock()
    )


def _store(source: Source, result: FetchResult, parsed: ParsedFeed | None, run: PollRun) -> None:
    """One source's outcome: a 304 waits for the poll's end (record_unchanged); a failure or
    the new items and the source's new state commit together."""
    now = run.tools.clock()
    run.report.polled += 1
    if result.not_modified:
        run.report.not_modified += 1
        next_poll = run.tools.store.sources.next_poll_time(
            now, run.tools.config.poll_interval, run.tools.rng
        )
        run.unchanged.append((source, now, next_poll))
        log.info("not modified", extra={"source": source.id, "url": source.url})
        return
    with run.tools.store.transaction(run.tools.db):
        if parsed is None or parsed.error:
            _record_failure(source, result, parsed, run, now=now)
            return
        arrival = _arrival(source, parsed, now, run.tools.config)
        new = _store_new(arrival, _new_items(source, parsed, run.tools), run)
        _record_success(source, result, parsed, run, new=new, now=now)
    log.info("polled", extra={"source": source.id, "url": source.url, "new_items": new})


def _new_items(source: Source, parsed: ParsedFeed, tools: PollTools) -> list[FeedItem]:
    """The store returns only the new items; a known one that changed is updated in place
    (an update, never a new story), one unchanged is left alone."""
    db, items = tools.db, tools.store.items
    known = items.known_fingerprints(db, source.id, [item.identity for item in parsed.items])
    new = []
    for item in parsed.items:
        fingerprint = known.get(item.identity)
        if fingerprint is None:
            new.append(item)
        elif fingerprint != item.fingerprint:
            items.update_item(db, source.id, item, title_key=" ".join(title_key_tokens(item.title)))
    return new


def _arrival(source: Source, parsed: ParsedFeed, now: float, config: Config) -> Arrival:
    """SPEC: nothing older than max_age alerts, and a source's first poll only backfill."""
    oldest_alertable = now - config.max_age
    if not source.first_polled:
        oldest_alertable = max(oldest_alertable, now - config.backfill)
    words = {item.identity: copy_words(item.title, item.summary) for item in parsed.items}
    repeated = feed_words_of(list(words.values()), terms_of)
    outlet = parsed.title or _host(source.url)
    return Arrival(source, now, outlet, oldest_alertable, repeated, words)


def _store_new(arrival: Arrival, items: list[FeedItem], run: PollRun) -> int:
    """Store each new item in its story and queue its alerts; how many were stored. Oldest
    first, as the news happened (feeds list the newest first): a story begins with its first
    report, and a later copy meets the copies it follows."""
    new = 0
    for item in sorted(items, key=_oldest_first):
        filed = _file(item, arrival, run)
        if filed is None:  # known after all (read above in this transaction): never here
            continue
        new += 1
        if filed.published >= arrival.oldest_alertable:
            _queue_alerts(item, filed, arrival, run)
    run.report.new_items += new
    return new


def _oldest_first(item: FeedItem) -> float:
    """Undated items keep their place after the dated ones (the sort is stable)."""
    return item.published if item.published is not None else math.inf


def _file(item: FeedItem, arrival: Arrival, run: PollRun) -> Filed | None:
    """Find or make the item's story (bot.stories.engine), store the item in it with the
    evidence, and add it to the story's indexes."""
    db, now = run.tools.db, arrival.now
    published = item.published if item.published is not None else now
    canonical = canonical_url(item.link) if item.link else None
    read = arrival.words.get(item.identity) or copy_words(item.title, item.summary)
    text = story_text(item.title, item.summary, arrival.feed_words, read)
    placement = run.stories.place(canonical, text, published)
    story_id = placement.story_id
    fresh = story_id is None
    if story_id is None:
        story_id = run.tools.store.stories.new_story(db, published, now)
    row = StoredItem(
        source_id=arrival.source.id,
        story_id=story_id,
        title_key=" ".join(read.title_key),
        outlet=item.outlet or arrival.outlet,
        published=published,
        first_seen=now,
        evidence=json.dumps(placement.evidence, ensure_ascii=False),
    )
    item_id = run.tools.store.items.insert_item(db, item, row)
    if item_id is None:
        return None
    run.stories.file(story_id, placement, canonical, published, made=fresh)
    return Filed(item_id, story_id, published, fresh)


def _queue_alerts(item: FeedItem, filed: Filed, arrival: Arrival, run: PollRun) -> None:
    """One alert per channel whose watches the item matches, naming those watches; a copy
    from a new outlet of a story alerted already updates those alerts (SPEC Alerts)."""
    db, store, mode = run.tools.db, run.tools.store, run.tools.config.alerts.updates
    outlet = item.outlet or arrival.outlet
    if not (filed.fresh or mode == "off") and store.updates.new_outlet(
        db, filed.story_id, filed.item_id, outlet
    ):
        store.updates.queue_updates(
            db, story_id=filed.story_id, item_id=filed.item_id, now=arrival.now, mode=mode
        )
    watches = run.watches
    by_channel: dict[int, list[str]] = defaultdict(list)
    for watch_id in watches.matches(item, arrival.source.query):
        by_channel[watches.channel_of[watch_id]].append(watches.query_of[watch_id])
    for channel_id, queries in by_channel.items():
        store.outbox.add_alert(
            db,
            channel_id=channel_id,
            story_id=filed.story_id,
            item_id=filed.item_id,
            watches=queries,
            poll_id=run.poll_id,
            now=arrival.now,
            new_story=filed.fresh,
        )
        run.report.alerts += 1


def _record_success(
    source: Source, result: FetchResult, parsed: ParsedFeed, run: PollRun, *, new: int, now: float
) -> None:
    """The source served a feed: its validators, title and next poll."""
    # An empty feed keeps the old validators, so the next poll asks afresh.
    etag, modified = (
        (result.etag, result.last_modified) if parsed.items else (source.etag, source.last_modified)
    )
    sources = run.tools.store.sources
    sources.record_success(
        run.tools.db,
        source=source,
        now=now,
        next_poll=sources.next_poll_time(now, run.tools.config.poll_interval, run.tools.rng),
        etag=etag,
        last_modified=modified,
        title=parsed.title,
        new_items=new,
        # HARDENING C9: a 301/308 to a new address is kept once it served a feed.
        moved_to=result.permanent_url if result.permanent_url != source.fetch_url else None,
    )


def _record_failure(
    source: Source, result: FetchResult, parsed: ParsedFeed | None, run: PollRun, *, now: float
) -> None:
    """Count the failure and back off; the channels that hear from a source it disabled are
    told once."""
    db, store = run.tools.db, run.tools.store
    # A feed writes part of the reason; it is logged, stored and posted.
    reason = scrub(result.error or (parsed.error if parsed else None) or "no body")
    run.report.failed[source.url] = reason
    log.warning("source failed", extra={"source": source.id, "url": source.url, "reason": reason})
    disabled = store.sources.record_failure(
        db,
        source=source,
        now=now,
        interval=run.tools.config.poll_interval,
        reason=reason,
        retry_after=result.retry_after,
    )
    if disabled:
        name = (source.query and f"the search for {source.query!r}") or _host(source.url)
        text = (
            f"newswatch stopped polling {name} after {source.failures + 1} failures in a row "
            f"(last: {reason}). Fix it, then run `newswatch sources` to check."
        )
        for channel in store.sources.dependent_channels(db, source=source):
            store.outbox.add_notice(db, channel_id=channel, text=text, now=now)


def record_unchanged(run: PollRun) -> None:
    """The 304s of a poll, committed together: one fsync, not one per source. A crash
    before it leaves those sources due, and they are asked again (another 304)."""
    unchanged, run.unchanged = run.unchanged, []
    db, store = run.tools.db, run.tools.store
    if unchanged:
        with store.transaction(db):
            for source, now, next_poll in unchanged:
                store.sources.record_not_modified(db, source=source, now=now, next_poll=next_poll)


def _host(url: str) -> str:
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")
