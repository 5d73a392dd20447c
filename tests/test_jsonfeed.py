"""SPEC "Configuration": a source may be a JSON Feed 1.0 or 1.1, read as a first-class format."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.ingest.fetch import Fetcher
from tests.pipeline_helpers import HOUR, Clock, make_app, read_alerts, write_config
from tests.wild import NOW, parse, wild

FEED_URL = "https://example.org/feed.json"


def json_feed(
    items: list[dict[str, Any]], version: str = "https://jsonfeed.org/version/1.1"
) -> bytes:
    document = {"version": version, "title": "My Example Feed", "items": items}
    return json.dumps(document).encode()


def test_a_json_feed_item_gives_every_field_an_rss_item_would() -> None:
    body = json_feed(
        [
            {
                "id": "2",
                "url": "https://example.org/second-item",
                "title": "Sora opens <beta> to filmmakers",
                "content_html": "<p>Studios get <b>access</b>.</p>",
                "summary": "Studios get access.",
                "date_published": "2026-12-01T10:00:00-05:00",
                "tags": ["Film", "AI"],
                "authors": [{"name": "A. Writer"}],
            }
        ]
    )
    parsed = parse(body, FEED_URL, "application/feed+json")
    assert parsed.title == "My Example Feed" and parsed.error is None
    [item] = parsed.items
    assert item.identity == "2"
    assert item.link == "https://example.org/second-item"
    assert item.title == "Sora opens <beta> to filmmakers"  # plain text stays as written
    assert item.summary == "Studios get access."
    title, summary, content, *tags = item.fields
    assert (title, summary, content) == (item.title, item.summary, "Studios get access.")
    assert tags == ["Film", "AI"]
    assert item.published == datetime(2026, 12, 1, 15, tzinfo=UTC).timestamp()


def test_content_text_and_date_modified_stand_in_for_missing_fields() -> None:
    body = json_feed(
        [{"id": 7, "url": "https://example.org/7", "content_text": "Plain & simple <text>",
          "date_modified": "2026-12-02T08:00:00Z"}]
    )  # fmt: skip
    [item] = parse(body, FEED_URL, "application/json").items
    assert item.identity == "7"  # JSON Feed 1.0 publishers wrote numbers
    assert item.summary == "Plain & simple <text>"
    assert item.published == datetime(2026, 12, 2, 8, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("name", "title", "count"),
    [
        ("inessential.json", "inessential.com", 20),  # 1.0
        ("3960.json", "fboës - Der Blog | Startseite", 20),  # 1.1
        ("pxlnv.json", "Pixel Envy", 20),  # http://jsonfeed.org/version/1
        ("feedjira-json_feed_with_escaped_uris.json", "Luke Dorny's v6", 30),  # \/ escapes
        ("authors.json", "Author test feed", 4),  # 1.1 authors, no dates, no links
    ],
)
def test_real_json_feeds_are_read(name: str, title: str, count: int) -> None:
    parsed = parse(wild(name), FEED_URL, "application/feed+json")
    assert parsed.error is None
    assert parsed.title == title
    assert len(parsed.items) == count
    assert all(item.title or item.summary for item in parsed.items if name != "authors.json")


def test_a_real_json_feed_keeps_its_links_dates_and_text() -> None:
    first = parse(wild("inessential.json"), FEED_URL).items[0]
    assert (
        first.link == "http://inessential.com/2017/06/02/james_dempsey_and_the_breakpoints_benefi"
    )
    assert first.title == "James Dempsey and the Breakpoints Benefit App Camp for Girls"
    assert first.published == datetime(2017, 6, 3, 5, 5, 47, tzinfo=UTC).timestamp()  # -07:00
    assert "playing keyboard" in first.summary


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (wild("ScriptingNews.json"), "application/json", "not a JSON Feed"),  # RSS as JSON
        (b'{"version": "https://jsonfeed.org/version/2", "items": []}', None, "not a JSON Feed"),
        (b'{"title": "an API answer"}', "application/json", "not a JSON Feed"),
        (b"[1, 2, 3]", "application/json", "not a JSON Feed"),
        (b'{"version": "https://jsonfeed.org/version/1", "items": {}}', None, "items list"),
        (b'{"version": "https://jsonfeed.org/version/1", "items": [', None, "invalid JSON"),
        (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, None, "nested too deeply"),
        (b'{"version": 1, "n": ' + b"9" * 10_000 + b"}", None, "invalid JSON"),
    ],
)
def test_json_that_is_not_a_json_feed_is_refused_with_a_reason(
    body: bytes, content_type: str | None, reason: str
) -> None:
    parsed = parse(body, FEED_URL, content_type)
    assert parsed.items == ()
    assert parsed.error is not None and parsed.error.startswith("not a feed: ")
    assert reason in parsed.error


def test_an_empty_json_feed_is_a_quiet_poll() -> None:
    parsed = parse(json_feed([]), FEED_URL, "application/feed+json")
    assert parsed.items == () and parsed.error is None


def test_a_json_feed_with_thousands_of_items_is_capped() -> None:
    items = [
        {"id": str(n), "url": f"https://example.org/{n}", "title": f"Item {n}"} for n in range(2000)
    ]
    assert len(parse(json_feed(items), FEED_URL).items) == 500


async def test_a_json_feed_served_as_feed_json_is_fetched_and_parsed(feed_server: Any) -> None:
    feed_server.add("/feed.json", wild("3960.json"), content_type="application/feed+json")
    async with Fetcher(allow_private=True) as fetcher:
        result = await fetcher.fetch(feed_server.url("/feed.json"))
    assert result.status == 200 and result.body is not None
    assert result.content_type == "application/feed+json"
    parsed = parse(result.body, result.final_url, result.content_type)
    assert len(parsed.items) == 20
    assert parsed.items[1].title == "„Sabine“ am Flughafen Amsterdam"


async def test_a_json_feed_source_alerts_end_to_end(tmp_path: Path, feed_server: Any) -> None:
    stamp = datetime.fromtimestamp(NOW - 2 * HOUR, UTC).isoformat()
    body = json_feed(
        [{"id": "1", "url": "https://example.org/sora", "title": "Sora opens to filmmakers",
          "content_html": "<p>Studios get access.</p>", "date_published": stamp}]
    )  # fmt: skip
    feed_server.add("/feed.json", body, content_type="application/feed+json")
    config = write_config(tmp_path, feeds=[feed_server.url("/feed.json")], watches=["Sora"])
    app = make_app(config, Clock(NOW))
    try:
        await app.cycle(all_sources=True)
    finally:
        await app.close()
    [alert] = read_alerts(tmp_path)
    assert alert["title"] == "Sora opens to filmmakers"
    assert alert["url"] == "https://example.org/sora"


def test_raw_tabs_and_newlines_inside_strings_do_not_lose_the_feed() -> None:
    body = json_feed([{"id": "1", "url": "https://example.org/1", "title": "TAB"}])
    [item] = parse(body.replace(b"TAB", b"Sora\topens\nwide"), FEED_URL).items
    assert item.title == "Sora opens wide"
