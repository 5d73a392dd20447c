"""SPEC "Stories": a key repeated among the items of one response identifies nothing there, and
Google News items are identified by headline and publisher (issue 14)."""

from __future__ import annotations

import pytest

from bot.ingest.googlenews import publisher_url
from tests.feeds import Entry, atom, rss
from tests.wild import parse, wild

NDTV = (
    "https://www.ndtv.com/world-news/"
    + "elon-musk-reclaims-the-title-of-worlds-richest-man-3820328"
)
GOOGLE_NEWS = "https://news.google.com/rss/search?q=%22Elon+Musk%22&hl=en-US&gl=US&ceid=US:en"


def test_entries_that_all_link_to_one_page_are_each_their_own_item() -> None:
    items = parse(wild("release-notes.xml")).items
    assert len(items) == 4
    assert len({item.identity for item in items}) == 4
    assert all(item.identity.startswith("hash:") for item in items)


def test_a_link_shared_by_some_entries_still_identifies_the_entry_it_is_unique_to() -> None:
    body = rss(
        [
            Entry("Daily links, Monday", "https://blog.example/links"),
            Entry("Daily links, Tuesday", "https://blog.example/links"),
            Entry("A long read", "https://blog.example/long-read"),
        ]
    )
    monday, tuesday, long_read = parse(body).items
    assert long_read.identity == "https://blog.example/long-read"
    assert monday.identity.startswith("hash:") and tuesday.identity.startswith("hash:")
    assert monday.identity != tuesday.identity


@pytest.mark.parametrize("build", [rss, atom])
def test_a_guid_every_entry_reuses_falls_through_to_the_links(build: object) -> None:
    body = build(  # type: ignore[operator]
        [
            Entry("One", "https://a.example/1", guid="tag:a.example,2027:feed"),
            Entry("Two", "https://a.example/2", guid="tag:a.example,2027:feed"),
        ]
    )
    assert [item.identity for item in parse(body).items] == [
        "https://a.example/1",
        "https://a.example/2",
    ]


def test_an_identity_another_entry_holds_as_its_guid_is_not_reused_as_a_link() -> None:
    body = rss(
        [
            Entry("One", "https://a.example/1", guid="https://a.example/2"),
            Entry("Two", "https://a.example/2"),
        ]
    )
    one, two = parse(body).items
    assert one.identity == "https://a.example/2"
    assert two.identity.startswith("hash:")


def test_google_news_items_are_identified_by_headline_and_publisher_not_the_guid() -> None:
    first = parse(wild("google-news-search.xml"), GOOGLE_NEWS).items
    again = wild("google-news-search.xml").replace(b"<guid isPermaLink=\"false\">CBMi", b"<guid "
                                                  b'isPermaLink="false">XYZ')  # fmt: skip
    second = parse(again, GOOGLE_NEWS).items
    assert [item.identity for item in first] == [
        "gnews:elon musk reclaims the title of world's richest man|ndtv.com",
        "gnews:strikes start at top hotel chains as housekeepers seek higher wages and daily "
        "room cleaning|apnews.com",
    ]
    assert [item.identity for item in second] == [item.identity for item in first]


def test_a_legacy_google_news_id_links_to_the_publisher_a_new_one_to_google() -> None:
    ndtv, ap = parse(wild("google-news-search.xml"), GOOGLE_NEWS).items
    assert ndtv.link == NDTV
    assert ndtv.title == "Elon Musk reclaims the title of world's richest man"
    assert ndtv.outlet == "NDTV"
    assert ap.link is not None and ap.link.startswith("https://news.google.com/rss/articles/CBMi")


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("https://news.google.com/rss/articles/CBMiJ2h0dHBzOi8vd3d3LmV4YW1wbGUuY29tL25ld3MvMTIz"
         "NDUuaHRtbNIBAA?oc=5", "https://www.example.com/news/12345.html"),  # with an AMP URL
        ("https://news.google.com/articles/CBMiJ2h0dHBzOi8vd3d3LmV4YW1wbGUuY29tL25ld3MvMTIz"
         "NDUuaHRtbA", "https://www.example.com/news/12345.html"),
        ("https://news.google.com/rss/articles/CBMiXkFVX3lxTFBReTJhSkRlckZEdU5yRy1UUUQ2VnBTb01F"
         "RnlJMzZYMTJXOEx6cG41VjhLN3NYX3cyUXV6Wk1td2pTeHBUS1JqdEZieEtFdGRJT0JvclVKUTNKcXo5MVE"
         "?oc=5", None),  # new style: "AU_yqL..." is opaque
        ("https://news.google.com/rss/articles/CBMiopaque", None),  # truncated
        ("https://news.google.com/news/url?sa=t&fd=R&ct2=us&usg=AFQjCNE&clid=c3a7d30bb8a4878e06b8"
         "0cf16b898331&url=https://www.reuters.com/article/us-openai-idUSKBN1", "https://www.reuters"
         ".com/article/us-openai-idUSKBN1"),  # the oldest form: the URL in the query
        ("https://news.google.com/news/url?sa=t&url=javascript:alert(1)", None),
        ("https://news.google.com/rss/articles/CBMi%%%", None),
        ("https://news.google.com/rss/articles/CBMiE2phdmFzY3JpcHQ6YWxlcnQoMSk", None),
        ("https://news.google.com/topics/CAAqJggKIiBDQkFTRWdvSUwyMHZNRGx1YlY4U0FtVnVHZ0pWVXlnQVAB",
         None),
    ],
)  # fmt: skip
def test_publisher_urls_are_read_offline_from_legacy_ids_only(
    link: str, expected: str | None
) -> None:
    assert publisher_url(link) == expected


def test_entries_alike_but_for_their_dates_are_two_items() -> None:
    body = rss(
        [
            Entry("Daily digest", "https://blog.example/digest", published=1_799_900_000.0),
            Entry("Daily digest", "https://blog.example/digest", published=1_799_990_000.0),
        ]
    )
    first, second = parse(body).items
    assert first.identity != second.identity
    assert [first.published, second.published] == [1_799_900_000.0, 1_799_990_000.0]


def test_a_google_news_item_naming_no_publisher_url_is_still_not_identified_by_its_guid() -> None:
    body = wild("google-news-search.xml").replace(b' url="https://www.ndtv.com"', b"")
    ndtv = parse(body, GOOGLE_NEWS).items[0]
    assert ndtv.identity == "gnews:elon musk reclaims the title of world's richest man|"
