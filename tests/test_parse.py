"""Feed entries to items: the identity, date and text rules of SPEC "Polling" and "Stories"."""

from __future__ import annotations

from typing import Any

import pytest

from bot.ingest.parse import parse_feed
from tests.feeds import Entry, atom, rss

NOW = 1_800_000_000.0
HOUR = 3600.0


def test_a_search_feeds_title_loses_the_publisher_it_names_in_source() -> None:
    body = rss(
        [Entry("Sora opens to filmmakers - Variety", "https://n.example/1", outlet="Variety")]
    )
    [item] = parse_feed(body, "https://news.google.com/rss/search?q=Sora", now=NOW).items
    assert item.title == "Sora opens to filmmakers"
    assert item.outlet == "Variety"


def test_a_title_suffix_that_is_not_the_named_publisher_stays() -> None:
    body = rss([Entry("Sora - a review", "https://n.example/1", outlet="Variety")])
    [item] = parse_feed(body, "https://feed.example/", now=NOW).items
    assert item.title == "Sora - a review"


def test_a_google_news_description_that_only_repeats_headlines_is_no_summary() -> None:
    cluster = (
        '<ol><li><a href="https://n.example/1">Sora opens to filmmakers</a>&nbsp;'
        '<font color="#6f6f6f">Variety</font></li><li><a href="https://n.example/2">'
        "OpenAI opens Sora</a>&nbsp;<font>TechCrunch</font></li></ol>"
    )
    body = rss(
        [
            Entry(
                "Sora opens to filmmakers - Variety",
                "https://n.example/1",
                summary=cluster,
                outlet="Variety",
            )
        ]
    )
    [item] = parse_feed(body, "https://news.google.com/rss/search?q=Sora", now=NOW).items
    assert item.summary == ""
    assert not any("TechCrunch" in field for field in item.fields)


def test_a_real_summary_of_a_search_item_is_kept() -> None:
    body = rss(
        [
            Entry(
                "Sora opens", "https://n.example/1", summary="Studios get access.", outlet="Variety"
            )
        ]
    )
    [item] = parse_feed(body, "https://feed.example/", now=NOW).items
    assert item.summary == "Studios get access."


def test_identity_is_the_guid_else_the_link_else_a_hash_of_the_text() -> None:
    body = rss(
        [
            Entry("One", "https://a.example/1", guid="tag:a,2027:1"),
            Entry("Two", "https://a.example/2"),
            Entry("Three"),
        ]
    )
    one, two, three = parse_feed(body, "https://feed.example/", now=NOW).items
    assert one.identity == "tag:a,2027:1"
    assert two.identity == "https://a.example/2"
    assert three.identity.startswith("hash:")


def test_a_guid_repeated_in_one_response_identifies_nothing_there() -> None:
    body = rss([Entry("First", "https://a.example/1", guid="g1"), Entry("Second", guid="g1")])
    first, second = parse_feed(body, "https://feed.example/", now=NOW).items
    assert first.identity == "https://a.example/1"
    assert second.identity.startswith("hash:")


def test_the_same_entry_served_twice_in_one_feed_is_one_item() -> None:
    body = rss([Entry("First", guid="g1"), Entry("First", guid="g1")])
    items = parse_feed(body, "https://feed.example/", now=NOW).items
    assert [item.title for item in items] == ["First"]


def test_atom_updated_stands_in_for_a_missing_published_date() -> None:
    body = atom([Entry("Sora", "https://a.example/1", published=NOW - 2 * HOUR)])
    [item] = parse_feed(body, "https://feed.example/", now=NOW).items
    assert item.published == NOW - 2 * HOUR


def test_a_date_far_in_the_future_counts_as_undated() -> None:
    body = rss([Entry("Sora", "https://a.example/1", published=NOW + 30 * 24 * HOUR)])
    [item] = parse_feed(body, "https://feed.example/", now=NOW).items
    assert item.published is None


def test_unsafe_links_are_dropped_and_relative_links_resolved() -> None:
    body = rss([Entry("A", "javascript:alert(1)", guid="a"), Entry("B", "/story/2", guid="b")])
    first, second = parse_feed(body, "https://feed.example/news/rss", now=NOW).items
    assert first.link is None
    assert second.link == "https://feed.example/story/2"


def test_the_text_a_watch_sees_is_title_summary_content_and_categories_not_the_url() -> None:
    body = rss(
        [
            Entry(
                "Title words",
                "https://sora.example/sora",
                summary="<p>Summary <b>words</b></p>",
                content="<div>Content words</div>",
                categories=["Category words"],
            )
        ]
    )
    [item] = parse_feed(body, "https://feed.example/", now=NOW).items
    assert item.fields == ("Title words", "Summary words", "Content words", "Category words")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
 <!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">
]>
<rss version="2.0"><channel><title>t</title><item><title>&i;</title></item></channel></rss>"""


def test_billion_laughs_fails_fast_with_a_reason_and_no_items() -> None:
    import time as clock

    started = clock.process_time()
    parsed = parse_feed(BILLION_LAUGHS, "https://feed.example/", now=NOW)
    assert clock.process_time() - started < 2.0
    assert parsed.items == ()
    assert (
        parsed.error
        == "not a feed: nested entity definitions are refused (entity expansion attack)"
    )


def test_an_external_entity_is_never_read_or_fetched(tmp_path: Any, feed_server: Any) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">'
        f'<!ENTITY y SYSTEM "{feed_server.url("/dtd")}">]>'
        '<rss version="2.0"><channel><title>t</title>'
        "<item><title>Sora &x; &y;</title><link>https://a.example/1</link></item>"
        "</channel></rss>"
    ).encode()
    parsed = parse_feed(body, "https://feed.example/", now=NOW)
    assert parsed.items == () and parsed.error == "not a feed: external entities are refused"
    assert feed_server.requests == []


def test_an_internal_entity_in_a_well_formed_feed_is_accepted() -> None:
    """HARDENING B2's policy: expat's own limits suffice, so lemon24/reader #212 feeds work."""
    body = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY studio "Warner Bros.">]>'
        b'<rss version="2.0"><channel><title>t</title>'
        b"<item><title>Sora deal with &studio;</title><link>https://a.example/1</link></item>"
        b"</channel></rss>"
    )
    [item] = parse_feed(body, "https://feed.example/", now=NOW).items
    assert item.title == "Sora deal with Warner Bros."


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   \n\t ",
        b"<html><head><title>Document Moved</title></head><body>Moved</body></html>",
        b'{"articles": []}',
        b"<html><body><form action='https://consent.google.com/save'>Before you continue"
        b"</form></body></html>",
    ],
)
def test_bodies_that_are_not_feeds_fail_with_a_reason(body: bytes) -> None:
    parsed = parse_feed(body, "https://feed.example/", now=NOW)
    assert parsed.items == ()
    assert parsed.error and parsed.error.startswith("not a feed")
