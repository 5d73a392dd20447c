"""bot.pipeline.refresh: one source at a time, its state in the poll's PollRun, not the Poller."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from bot.pipeline import record_unchanged, refresh
from bot.pollstate import PollRun
from bot.store.db import StorageUnavailable
from bot.store.sources import Source, due_sources
from tests.feeds import Entry, rss
from tests.pipeline_helpers import HOUR, Clock, make_app, write_config

RSS = "application/rss+xml"


def serve_two_feeds(feed_server: Any, clock: Clock) -> list[str]:
    for name in ("a", "b"):
        body = rss([Entry(f"Sora story {name}", f"https://{name}.example/1", published=clock.now)])
        feed_server.add(f"/{name}.xml", body=body, content_type=RSS, etag='"v1"')
    return [feed_server.url("/a.xml"), feed_server.url("/b.xml")]


def source_for(sources: list[Source], url: str) -> Source:
    return next(source for source in sources if source.url == url)


def statuses(tmp_path: Path) -> dict[str, str | None]:
    with sqlite3.connect(tmp_path / "nw.db") as db:
        return dict(db.execute("SELECT url, last_status FROM sources").fetchall())


async def test_a_refresh_commits_its_own_source_and_reports_it_in_the_run(
    tmp_path: Path, feed_server: Any
) -> None:
    clock = Clock()
    urls = serve_two_feeds(feed_server, clock)
    app = make_app(write_config(tmp_path, feeds=urls, watches=["Sora"]), clock)
    try:
        run = PollRun.start(app.poller.tools, clock())
        await refresh(source_for(due_sources(app.db, clock(), True), urls[0]), run)
    finally:
        await app.close()
    assert (run.report.polled, run.report.new_items, run.report.alerts) == (1, 1, 1)
    assert statuses(tmp_path) == {urls[0]: "ok, 1 new", urls[1]: None}
    with sqlite3.connect(tmp_path / "nw.db") as db:
        assert db.execute("SELECT poll_id FROM deliveries").fetchall() == [(run.poll_id,)]


async def test_a_304_waits_in_the_run_until_the_poll_records_its_unchanged_sources(
    tmp_path: Path, feed_server: Any
) -> None:
    clock = Clock()
    urls = serve_two_feeds(feed_server, clock)
    app = make_app(write_config(tmp_path, feeds=urls[:1], watches=["Sora"]), clock)
    try:
        await app.poll(all_sources=True)
        clock.advance(HOUR)
        run = PollRun.start(app.poller.tools, clock())
        await refresh(due_sources(app.db, clock(), True)[0], run)
        assert run.report.not_modified == 1
        assert statuses(tmp_path) == {urls[0]: "ok, 1 new"}
        record_unchanged(run)
    finally:
        await app.close()
    assert statuses(tmp_path) == {urls[0]: "304 not modified"}
    assert run.unchanged == []


async def test_a_run_halted_by_a_refused_write_fetches_nothing_more(
    tmp_path: Path, feed_server: Any
) -> None:
    clock = Clock()
    urls = serve_two_feeds(feed_server, clock)
    app = make_app(write_config(tmp_path, feeds=urls, watches=["Sora"]), clock)
    try:
        run = PollRun.start(app.poller.tools, clock())
        run.halted = StorageUnavailable("the disk is full")
        for source in due_sources(app.db, clock(), True):
            await refresh(source, run)
    finally:
        await app.close()
    assert feed_server.requests == []
    assert run.report.polled == 0
    assert statuses(tmp_path) == {urls[0]: None, urls[1]: None}
