"""Feed entries to items: the identity, date and text rules of SPEC "Polling" and "Stories"."""

from __future__ import annotations

from bot.parse import parse_feed
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


def test_duplicate_guids_in_one_feed_are_one_item() -> None:
    body = rss([Entry("First", guid="g1"), Entry("Second", guid="g1")])
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
