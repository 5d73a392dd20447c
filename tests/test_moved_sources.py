"""HARDENING C9: a feed that moved for good is fetched at its new address, once it served a feed.

The configured URL stays the source's identity (its items, validators and watches); the
new address is kept only after a valid feed came from it, never for a temporary redirect,
and a failure there sends the next poll back through the configured URL, whose redirect
chain is checked hop by hop again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.ops.status import sources_table
from tests.feeds import Entry, rss
from tests.pipeline_helpers import HOUR, Clock, make_app, read_alerts, write_config

RSS = "application/rss+xml"
TITLES = ["Sora opens to filmmakers", "WGA studies Sora contracts"]


def feed_body(now: float) -> bytes:
    return rss(
        [Entry(t, f"https://a.example/{n}", published=now - 60) for n, t in enumerate(TITLES)]
    )


async def poll_twice(tmp_path: Path, feed_server: Any, clock: Clock) -> tuple[int, int, str]:
    """Two polls an interval apart; requests to /old and /new, and the sources table."""
    config = write_config(tmp_path, feeds=[feed_server.url("/old")], watches=["Sora"])
    app = make_app(config, clock)
    try:
        await app.cycle(all_sources=True)
        clock.advance(HOUR)
        await app.cycle(all_sources=True)
        table = sources_table(app.db, clock())
    finally:
        await app.close()
    return len(feed_server.requests_to("/old")), len(feed_server.requests_to("/new")), table


async def test_a_permanent_redirect_is_fetched_at_its_new_address_once_it_served_a_feed(
    tmp_path: Path, feed_server: Any
) -> None:
    clock = Clock()
    feed_server.redirect("/old", "/new", status=301)
    feed_server.add("/new", body=feed_body(clock.now), content_type=RSS)
    old, new, table = await poll_twice(tmp_path, feed_server, clock)
    assert (old, new) == (1, 2)
    assert f"moved for good to: {feed_server.url('/new')}" in table
    assert len(read_alerts(tmp_path)) == 2  # each story once, though fetched twice


async def test_a_temporary_redirect_is_followed_every_time_and_never_kept(
    tmp_path: Path, feed_server: Any
) -> None:
    clock = Clock()
    feed_server.redirect("/old", "/new", status=302)
    feed_server.add("/new", body=feed_body(clock.now), content_type=RSS)
    old, new, table = await poll_twice(tmp_path, feed_server, clock)
    assert (old, new) == (2, 2)
    assert "moved for good" not in table


async def test_a_permanent_redirect_to_a_page_that_is_not_a_feed_is_not_kept(
    tmp_path: Path, feed_server: Any
) -> None:
    clock = Clock()
    feed_server.redirect("/old", "/new", status=301)
    feed_server.add(
        "/new", body=b"<html><body>Parked domain</body></html>", content_type="text/html"
    )
    old, new, table = await poll_twice(tmp_path, feed_server, clock)
    assert (old, new) == (2, 2)
    assert "moved for good" not in table and "not a feed" in table


async def test_a_moved_source_that_fails_at_its_new_address_goes_back_to_its_configured_url(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    clock = Clock()
    feed_server.redirect("/old", "/new", status=308)
    feed_server.add("/new", body=feed_body(clock.now), content_type=RSS)
    config = write_config(
        tmp_path, database=database, feeds=[feed_server.url("/old")], watches=["Sora"]
    )
    app = make_app(config, clock)
    try:
        await app.cycle(all_sources=True)  # /old -> /new, kept
        feed_server.add("/new", status=500, body=b"gone wrong")
        feed_server.add("/old", body=feed_body(clock.now), content_type=RSS)  # moved back
        clock.advance(HOUR)
        failed = await app.cycle(all_sources=True)
        clock.advance(HOUR)
        recovered = await app.cycle(all_sources=True)
        table = sources_table(app.db, clock())
    finally:
        await app.close()
    assert list(failed.poll.failed.values()) == ["HTTP 500"]
    assert recovered.poll.failed == {} and recovered.poll.new_items == 0
    assert len(feed_server.requests_to("/old")) == 2  # the first poll and the recovery
    assert "moved for good" not in table
    assert len(read_alerts(tmp_path)) == 2  # the same stories, never re-posted
