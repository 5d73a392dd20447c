"""SPEC "Polling", "Stories" and "Alerts", end to end: loopback feeds -> SQLite and
PostgreSQL (each test runs on both) -> jsonl."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from tests.feeds import Entry, atom, rdf, rss
from tests.pipeline_helpers import (
    HOUR,
    Clock,
    make_app,
    read_alerts,
    stored_rows,
    write_config,
)

RSS = "application/rss+xml"


async def poll(config: Path, clock: Clock, all_sources: bool = True) -> Any:
    app = make_app(config, clock)
    try:
        return await app.cycle(all_sources=all_sources)
    finally:
        await app.close()


async def test_first_poll_alerts_only_items_within_backfill(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    clock = Clock()
    feed_server.add(
        "/f.xml",
        body=rss(
            [
                Entry(
                    "Sora opens to filmmakers",
                    "https://a.example/1",
                    published=clock.now - 2 * HOUR,
                ),
                Entry("Sora pricing leaks", "https://a.example/2", published=clock.now - 30 * HOUR),
            ]
        ),
        content_type=RSS,
    )
    config = write_config(
        tmp_path, database=database, feeds=[feed_server.url("/f.xml")], watches=["Sora"]
    )
    await poll(config, clock)
    assert [a["title"] for a in read_alerts(tmp_path)] == ["Sora opens to filmmakers"]


async def test_later_polls_alert_new_items_older_than_backfill_but_not_max_age(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    clock = Clock()
    feed_server.add(
        "/f.xml",
        body=rss([Entry("Unrelated", "https://a.example/0", published=clock.now)]),
        content_type=RSS,
    )
    config = write_config(
        tmp_path, database=database, feeds=[feed_server.url("/f.xml")], watches=["Sora"]
    )
    await poll(config, clock)
    feed_server.add(
        "/f.xml",
        body=rss(
            [
                Entry("Sora two days late", "https://a.example/1", published=clock.now - 48 * HOUR),
                Entry(
                    "Sora eight days late",
                    "https://a.example/2",
                    published=clock.now - 8 * 24 * HOUR,
                ),
            ]
        ),
        content_type=RSS,
    )
    clock.advance(HOUR)
    await poll(config, clock)
    assert [a["title"] for a in read_alerts(tmp_path)] == ["Sora two days late"]


async def test_alert_record_has_the_spec_fields(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    clock = Clock()
    feed_server.add(
        "/f.xml",
        body=rss(
            [
                Entry(
                    "SAG-AFTRA &amp; studios talk",
                    "https://a.example/1?utm_source=x",
                    summary="<p>The <b>union</b> met&nbsp;today.</p>",
                    published=clock.now - HOUR,
                ),
            ],
            title="Trade Daily",
        ),
        content_type=RSS,
    )
    config = write_config(
        tmp_path, database=database, feeds=[feed_server.url("/f.xml")], watches=["SAG-AFTRA"]
    )
    await poll(config, clock)
    [alert] = read_alerts(tmp_path)
    assert set(alert) == {
        "kind",
        "channel",
        "story",
        "title",
        "url",
        "source",
        "published",
        "summary",
        "watches",
        "watch_names",
        "outlets",
    }
    assert alert["kind"] == "alert"
    assert alert["channel"] == "jsonl:alerts0.jsonl"  # the target string as configured
    assert alert["title"] == "SAG-AFTRA & studios talk"
    assert alert["url"] == "https://a.example/1?utm_source=x"
    assert alert["source"] == "Trade Daily"
    assert alert["published"].startswith("2027-01-15T")
    assert alert["summary"] == "The union met today."
    assert alert["watches"] == ["SAG-AFTRA"]
    assert alert["watch_names"] == [None]  # one a watch, null where it has no name
    assert alert["outlets"] == 1


async def test_undated_item_is_published_when_first_seen_and_reported_as_null(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    clock = Clock()
    feed_server.add(
        "/f.xml", body=rss([Entry("Sora undated", "https://a.example/1")]), content_type=RSS
    )
    config = write_config(
        tmp_path, database=database, feeds=[feed_server.url("/f.xml")], watches=["Sora"]
    )
    await poll(config, clock)
    [alert] = read_alerts(tmp_path)
    assert alert["published"] is None


async def test_copies_with_one_canonical_url_are_one_story(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    clock = Clock()
    t = clock.now - HOUR
    feed_server.add(
        "/a.xml",
        body=rss(
            [
                Entry(
                    "WGA contract vote set",
                    "https://www.news.example/story/?utm_medium=rss#top",
                    published=t,
                )
            ]
        ),
        content_type=RSS,
    )
    feed_server.add(
        "/b.xml",
        body=atom(
            [
                Entry(
                    "Writers Guild sets a vote on the new deal",
                    "http://news.example/story",
                    published=t,
                )
            ]
        ),
        content_type="application/atom+xml",
    )
    config = write_config(
        tmp_path,
        database=database,
        feeds=[feed_server.url("/a.xml"), feed_server.url("/b.xml")],
        watches=["WGA", '"Writers Guild"'],
    )
    await poll(config, clock)
    alerts = read_alerts(tmp_path)
    assert len(alerts) == 1
    assert sorted(alerts[0]["watches"]) == sorted(["WGA", '"Writers Guild"'])


async def test_a_feeds_items_are_filed_oldest_first_so_a_story_begins_with_its_first_report(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    clock = Clock()
    newest_first = [
        Entry("Sora reaches Japan", "https://a.example/3", published=clock.now - HOUR),
        Entry("WGA statement on AI", "https://a.example/2", published=clock.now - 2 * HOUR),
        Entry("Sora opens to filmmakers", "https://a.example/1", published=clock.now - 3 * HOUR),
    ]
    feed_server.add("/f.xml", body=rss(newest_first), content_type=RSS)
    config = write_config(
        tmp_path, database=database, feeds=[feed_server.url("/f.xml")], watches=["Sora", "WGA"]
    )
    await poll(config, clock)
    assert [a["title"] for a in read_alerts(tmp_path)] == [
        "Sora opens to filmmakers",
        "WGA statement on AI",
        "Sora reaches Japan",
    ]


async def test_near_identical_titles_within_72_hours_are_one_story(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    clock = Clock()
    feed_server.add(
        "/a.xml",
        body=rss(
            [
                Entry(
                    "OpenAI pitches Sora to Hollywood studios this week",
                    "https://a.example/x",
                    published=clock.now - 2 * HOUR,
                )
            ]
        ),
        content_type=RSS,
    )
    feed_server.add(
        "/b.xml",
        body=rdf(
            [
                Entry(
                    "OpenAI pitches Sora to Hollywood studios this month - Deadline",
                    "https://b.example/y",
                    published=clock.now - HOUR,
                )
            ]
        ),
        content_type=RSS,
    )
    config = write_config(
        tmp_path,
        database=database,
        feeds=[feed_server.url("/a.xml"), feed_server.url("/b.xml")],
        watches=["Sora"],
    )
    await poll(config, clock)
    assert len(read_alerts(tmp_path)) == 1


async def test_near_identical_titles_further_apart_than_72_hours_are_two_stories(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    clock = Clock()
    feed_server.add(
        "/a.xml",
        body=rss(
            [
                Entry(
                    "Sora update brings longer clips to every user",
                    "https://a.example/x",
                    published=clock.now - HOUR,
                )
            ]
        ),
        content_type=RSS,
    )
    config = write_config(
        tmp_path, database=database, feeds=[feed_server.url("/a.xml")], watches=["Sora"]
    )
    await poll(config, clock)
    clock.advance(80 * HOUR)
    feed_server.add(
        "/a.xml",
        body=rss(
            [
                Entry(
                    "Sora update brings longer clips to every user",
                    "https://a.example/z",
                    published=clock.now - HOUR,
                )
            ]
        ),
        content_type=RSS,
    )
    await poll(config, clock)
    assert len(read_alerts(tmp_path)) == 2


async def test_a_story_alerts_once_per_channel_across_polls(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    clock = Clock()
    feed_server.add(
        "/a.xml",
        body=rss(
            [
                Entry(
                    "SAG-AFTRA board approves deal",
                    "https://a.example/1",
                    published=clock.now - HOUR,
                )
            ]
        ),
        content_type=RSS,
    )
    config = write_config(
        tmp_path,
        database=database,
        feeds=[feed_server.url("/a.xml")],
        watches=["SAG-AFTRA"],
        channels=2,
    )
    await poll(config, clock)
    clock.advance(HOUR)
    feed_server.add(
        "/a.xml",
        body=rss(
            [
                Entry(
                    "SAG-AFTRA board approves deal",
                    "https://a.example/1",
                    published=clock.now - 2 * HOUR,
                ),
                Entry(
                    "SAG-AFTRA board approves the deal",
                    "https://c.example/9",
                    published=clock.now - HOUR,
                ),
            ]
        ),
        content_type=RSS,
    )
    await poll(config, clock)
    assert len(read_alerts(tmp_path, 0)) == 1
    assert len(read_alerts(tmp_path, 1)) == 1


async def test_unchanged_feed_is_fetched_conditionally_and_alerts_nothing(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    clock = Clock()
    feed_server.add(
        "/a.xml",
        body=rss([Entry("Sora", "https://a.example/1", published=clock.now)]),
        content_type=RSS,
        etag='"v1"',
    )
    config = write_config(
        tmp_path, database=database, feeds=[feed_server.url("/a.xml")], watches=["Sora"]
    )
    await poll(config, clock)
    clock.advance(HOUR)
    report = await poll(config, clock)
    assert report.poll.not_modified == 1
    assert feed_server.requests[-1].headers.get("If-None-Match") == '"v1"'
    assert len(read_alerts(tmp_path)) == 1


async def test_an_unchanged_feed_is_recorded_as_polled_and_not_due_again_at_once(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    """The 304s of a poll are committed together at its end: each must still land."""
    clock = Clock()
    for name in ("a", "b"):
        body = rss([Entry(f"Story {name}", f"https://{name}.example/1", published=clock.now)])
        feed_server.add(f"/{name}.xml", body=body, content_type=RSS, etag='"v1"')
    feeds = [feed_server.url("/a.xml"), feed_server.url("/b.xml")]
    config = write_config(tmp_path, database=database, feeds=feeds, watches=["Sora"])
    await poll(config, clock)
    clock.advance(HOUR)
    report = await poll(config, clock)
    assert report.poll.not_modified == 2
    rows = stored_rows(config, "SELECT last_status, last_poll, next_poll FROM sources")
    assert [row[0] for row in rows] == ["304 not modified"] * 2
    assert all(row[1] == clock.now and row[2] > clock.now for row in rows)
    again = await poll(config, clock, all_sources=False)
    assert again.poll.polled == 0  # none is due again at once


async def test_an_edited_item_is_an_update_not_a_new_alert(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    clock = Clock()
    feed_server.add(
        "/a.xml",
        body=rss([Entry("Sora demo", "https://a.example/1", guid="g1", published=clock.now)]),
        content_type=RSS,
    )
    config = write_config(
        tmp_path, database=database, feeds=[feed_server.url("/a.xml")], watches=["Sora"]
    )
    await poll(config, clock)
    feed_server.add(
        "/a.xml",
        body=rss(
            [
                Entry(
                    "Sora demo wows studio heads",
                    "https://a.example/1b",
                    guid="g1",
                    published=clock.now,
                )
            ]
        ),
        content_type=RSS,
    )
    clock.advance(HOUR)
    await poll(config, clock)
    assert len(read_alerts(tmp_path)) == 1


async def test_a_feed_that_shrinks_and_grows_back_reposts_nothing(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    clock = Clock()
    entries = [
        Entry(f"Sora item {n}", f"https://a.example/{n}", published=clock.now - n * 60)
        for n in range(5)
    ]
    feed_server.add("/a.xml", body=rss(entries), content_type=RSS)
    config = write_config(
        tmp_path, database=database, feeds=[feed_server.url("/a.xml")], watches=["Sora"]
    )
    await poll(config, clock)
    feed_server.add("/a.xml", body=rss(entries[:1]), content_type=RSS)
    await poll(config, clock)
    feed_server.add("/a.xml", body=rss(entries), content_type=RSS)
    await poll(config, clock)
    assert len(read_alerts(tmp_path)) == 5


async def test_a_body_that_is_not_a_feed_fails_and_leaves_state_untouched(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    clock = Clock()
    good = rss([Entry("Sora a", "https://a.example/1", published=clock.now)])
    feed_server.add("/a.xml", body=good, content_type=RSS, etag='"v1"')
    config = write_config(
        tmp_path, database=database, feeds=[feed_server.url("/a.xml")], watches=["Sora"]
    )
    await poll(config, clock)
    feed_server.add(
        "/a.xml", body=b"<html><body>Please accept cookies</body></html>", content_type="text/html"
    )
    report = await poll(config, clock)
    assert next(iter(report.poll.failed.values())).startswith("not a feed")
    feed_server.add("/a.xml", body=good, content_type=RSS)
    await poll(config, clock)
    assert len(read_alerts(tmp_path)) == 1
    app = make_app(config, clock)
    row = app.db.execute("SELECT failures, etag FROM sources").fetchone()
    await app.close()
    assert row == (0, None)


async def test_a_failing_source_is_disabled_after_ten_failures_and_channels_told_once(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    clock = Clock()
    feed_server.add("/a.xml", body=b"oops", status=500)
    config = write_config(
        tmp_path, database=database, feeds=[feed_server.url("/a.xml")], watches=["Sora"]
    )
    delays = []
    for _ in range(12):
        report = await poll(config, clock, all_sources=False)
        app = make_app(config, clock)
        next_poll, disabled = app.db.execute("SELECT next_poll, disabled FROM sources").fetchone()
        await app.close()
        delays.append(next_poll - clock.now)
        if disabled:
            break
        clock.now = next_poll
    assert disabled and len(delays) == 10
    assert delays[:3] == sorted(delays[:3]) and delays[1] >= 2 * 300
    assert max(delays) <= 6 * HOUR
    notices = [a for a in read_alerts(tmp_path) if a["kind"] == "notice"]
    assert len(notices) == 1 and "HTTP 500" in notices[0]["text"]
    clock.advance(7 * HOUR)
    report = await poll(config, clock, all_sources=False)
    assert report.poll.polled == 0


async def test_a_search_source_is_polled_per_query_and_its_items_are_hits(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    clock = Clock()
    feed_server.add(
        "/search",
        body=rss([Entry("Studio deal announced", "https://n.example/1", published=clock.now)]),
        content_type=RSS,
    )
    template = feed_server.url("/search") + "?q={query}"
    config = write_config(
        tmp_path, database=database, searches=[template], watches=["SAG-AFTRA", "WGA"]
    )
    await poll(config, clock)
    queries = sorted(r.path for r in feed_server.requests)
    assert queries == ["/search?q=SAG-AFTRA", "/search?q=WGA"]
    [alert] = read_alerts(tmp_path)  # one story, hit by both searches
    assert sorted(alert["watches"]) == ["SAG-AFTRA", "WGA"]


async def test_items_are_matched_as_text_against_every_other_watch(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    clock = Clock()
    feed_server.add(
        "/search",
        body=rss([Entry("WGA weighs in on Sora", "https://n.example/1", published=clock.now)]),
        content_type=RSS,
    )
    template = feed_server.url("/search") + "?q={query}"
    config = write_config(
        tmp_path, database=database, searches=[template], watches=["Sora"], extra=""
    )
    await poll(config, clock)
    [alert] = read_alerts(tmp_path)
    assert alert["watches"] == ["Sora"]


async def test_an_outbox_row_is_sent_once_after_the_target_recovers(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    clock = Clock()
    feed_server.add(
        "/a.xml",
        body=rss([Entry("Sora", "https://a.example/1", published=clock.now)]),
        content_type=RSS,
    )
    config = write_config(
        tmp_path, database=database, feeds=[feed_server.url("/a.xml")], watches=["Sora"]
    )
    (tmp_path / "alerts0.jsonl").mkdir()  # the target cannot be written: an outage
    report = await poll(config, clock)
    assert report.delivery.sent == 0 and report.delivery.retrying == 1
    (tmp_path / "alerts0.jsonl").rmdir()
    clock.advance(HOUR)
    app = make_app(config, clock)
    try:
        await app.deliver()
        await app.deliver()
    finally:
        await app.close()
    assert len(read_alerts(tmp_path)) == 1


async def test_a_story_found_by_search_and_by_its_publisher_alerts_with_the_publishers_copy(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    clock = Clock()
    title = "OpenAI Courts Hollywood Studios With Sora Licensing Program"
    wrapper = "https://news.google.com/rss/articles/CBMiYWh0dHBzOi8vdmFyaWV0eS5jb20v?oc=5"
    feed_server.add(
        "/search",
        body=rss(
            [
                Entry(
                    f"{title} - Variety",
                    wrapper,
                    summary=f'<a href="{wrapper}">{title}</a>&nbsp;&nbsp;<font>Variety</font>',
                    published=clock.now - HOUR,
                    outlet="Variety",
                )
            ],
            title="Google News",
        ),
        content_type=RSS,
    )
    feed_server.add(
        "/variety.xml",
        body=rss(
            [
                Entry(
                    title,
                    "https://variety.com/2026/digital/news/openai-sora-1236214402/",
                    summary="The ChatGPT maker has been meeting studios.",
                    published=clock.now - HOUR,
                )
            ],
            title="Variety",
        ),
        content_type=RSS,
    )
    config = write_config(
        tmp_path,
        database=database,
        feeds=[feed_server.url("/variety.xml")],
        searches=[feed_server.url("/search") + "?q={query}"],
        watches=["Sora"],
    )
    await poll(config, clock)
    [alert] = read_alerts(tmp_path)
    assert alert["title"] == title
    assert alert["url"] == "https://variety.com/2026/digital/news/openai-sora-1236214402/"
    assert alert["summary"] == "The ChatGPT maker has been meeting studios."
    assert alert["source"] == "Variety"


async def test_a_clock_that_jumps_back_does_not_stall_polling_nor_loop(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    clock = Clock()
    feed_server.add(
        "/f.xml",
        body=rss([Entry("Sora", "https://a.example/1", published=clock.now)]),
        content_type=RSS,
    )
    config = write_config(
        tmp_path, database=database, feeds=[feed_server.url("/f.xml")], watches=["Sora"]
    )
    await poll(config, clock, all_sources=False)
    clock.advance(-HOUR)  # NTP steps the clock back an hour
    report = await poll(config, clock, all_sources=False)
    assert report.poll.polled == 1  # due at once, not an hour later
    report = await poll(config, clock, all_sources=False)
    assert report.poll.polled == 0  # and then on its normal interval again, no tight loop


async def test_a_clock_that_jumps_a_day_ahead_polls_once_and_alerts_nothing_twice(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    clock = Clock()
    feed_server.add(
        "/f.xml",
        body=rss([Entry("Sora", "https://a.example/1", published=clock.now)]),
        content_type=RSS,
    )
    config = write_config(
        tmp_path, database=database, feeds=[feed_server.url("/f.xml")], watches=["Sora"]
    )
    await poll(config, clock, all_sources=False)
    clock.advance(24 * HOUR)
    assert (await poll(config, clock, all_sources=False)).poll.polled == 1
    assert (await poll(config, clock, all_sources=False)).poll.polled == 0
    assert len(read_alerts(tmp_path)) == 1


async def test_file_channels_get_their_rows_a_channel_at_a_time(
    tmp_path: Path, feed_server: Any, monkeypatch: pytest.MonkeyPatch, database: str
) -> None:
    """Outbox rows of file channels are read a channel's together, so a poll with alerts
    for many jsonl channels writes full batches (one fsync each), not a few rows per file."""
    import bot.deliver.drain

    monkeypatch.setattr(bot.deliver.drain, "BATCH", 10)  # 90 rows: 9 reads of the outbox
    clock = Clock()
    # Thirty unrelated stories: headlines that share no word but the watched one.
    words = [hashlib.sha256(str(n).encode()).hexdigest()[:8] for n in range(90)]
    entries = [
        Entry(f"Sora {' '.join(words[3 * n : 3 * n + 3])}", f"https://a.example/{n}",
              published=clock.now - 60)
        for n in range(30)
    ]  # fmt: skip
    feed_server.add("/f.xml", body=rss(entries), content_type=RSS)
    config = write_config(
        tmp_path, database=database, feeds=[feed_server.url("/f.xml")], watches=["Sora"], channels=3
    )
    app = make_app(config, clock)
    writes: list[tuple[str, int]] = []
    jsonl = app.adapters["jsonl"]
    send_batch = jsonl.send_batch

    async def counted(target: str, messages: list[Any]) -> None:
        writes.append((target, len(messages)))
        await send_batch(target, messages)

    monkeypatch.setattr(jsonl, "send_batch", counted)
    try:
        await app.cycle(all_sources=True)
    finally:
        await app.close()
    assert [len(read_alerts(tmp_path, n)) for n in range(3)] == [30, 30, 30]
    assert len(writes) == 9 and {size for _, size in writes} == {10}, writes
