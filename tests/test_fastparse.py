"""The fast parse path gives exactly the items feedparser gives, or steps aside.

Each test compares `parse_feed(fast=True)` with `parse_feed(fast=False)` (feedparser alone)
on the same bytes: over the feed corpus (shared, or its vendored subset), the bench's
generated feeds and random feeds (hypothesis). A fast path that declined everything would
pass those trivially, so the tests also require that it took the feeds it is meant for.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ingest.decoding import repaired_body
from bot.ingest.fastparse import fast_entries
from bot.ingest.parse import parse_feed
from tests.test_corpus import CORPUS, FILES

NOW = 1_800_000_000.0
URL = "https://feeds.example/news/rss.xml"
SERVED_AS = (
    None,
    "application/rss+xml",
    "text/xml",
    "text/html; charset=UTF-8",  # feedparser still reads it as XML, and so does the fast path
    "application/octet-stream",
)


def both_paths(body: bytes, content_type: str | None) -> tuple[object, object]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # feedparser warns about its deprecated keys
        fast = parse_feed(body, URL, content_type, now=NOW)
        slow = parse_feed(body, URL, content_type, now=NOW, fast=False)
    return fast, slow


def took_fast_path(body: bytes, content_type: str | None) -> bool:
    result = fast_entries(body, URL, content_type)
    return bool(result and result[1])


@pytest.mark.parametrize("content_type", SERVED_AS)
def test_every_corpus_feed_gives_the_same_items_on_both_paths(content_type: str | None) -> None:
    differ: list[str] = []
    fast_count = with_items = 0
    for path in FILES:
        body = path.read_bytes()
        fast, slow = both_paths(body, content_type)
        if fast != slow:
            differ.append(str(path.relative_to(CORPUS)))
        with_items += bool(slow.items)  # type: ignore[attr-defined]
        fast_count += took_fast_path(body, content_type)
    assert not differ, differ[:20]
    # Most of the corpus is feedparser's own tests of odd corners, which the fast path leaves
    # to feedparser; still, at least a third of the feeds with items must have taken it.
    assert fast_count * 3 >= with_items, (fast_count, with_items)


def test_the_bench_feeds_take_the_fast_path_and_give_the_same_items() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    try:
        from feeds import build_corpus  # bench/feeds.py: the feeds the CPU bench serves
    finally:
        sys.path.pop(0)
    corpus = build_corpus(30, 20, now=NOW)
    for body in corpus.bodies.values():
        assert took_fast_path(body, "application/rss+xml; charset=utf-8")
        fast, slow = both_paths(body, "application/rss+xml; charset=utf-8")
        assert fast == slow


PLAIN_RSS = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
    b"<item><title>Sora opens</title><link>https://n.example/1</link></item></channel></rss>"
)


def test_a_plain_rss_feed_takes_the_fast_path() -> None:
    assert took_fast_path(PLAIN_RSS, "application/rss+xml")


WILD = Path(__file__).resolve().parent / "fixtures" / "wild"


@pytest.mark.parametrize(
    "path", sorted(p for p in WILD.iterdir() if p.suffix in (".xml", ".rss")), ids=lambda p: p.name
)
@pytest.mark.parametrize("content_type", SERVED_AS)
def test_the_wild_feeds_give_the_same_items_on_both_paths(
    path: Path, content_type: str | None
) -> None:
    fast, slow = both_paths(path.read_bytes(), content_type)
    assert fast == slow


DC_TITLE = PLAIN_RSS.replace(b"<title>T</title>", b"<dc:title>Dublin Core</dc:title>").replace(
    b"<rss ", b'<rss xmlns:dc="http://purl.org/dc/elements/1.1/" '
)


# Issue 14's cases, each on the fast path where it is plain UTF-8 and well-formed after repair.
@pytest.mark.parametrize(
    ("case", "body"),
    [
        ("a channel titled by dc:title only", DC_TITLE),
        ("a repeated link", PLAIN_RSS.replace(b"</item>", b"</item>" + PLAIN_RSS[
            PLAIN_RSS.index(b"<item>"):PLAIN_RSS.index(b"</item>")].replace(b"Sora", b"Veo")
            + b"</item>")),
        ("a readable date feedparser leaves", PLAIN_RSS.replace(
            b"</link>", b"</link><pubDate>mer, 16 nov 2022 00:38:15 +0100</pubDate>")),
        ("a poison character reference", PLAIN_RSS.replace(b"Sora", b"&#xD800; Sora")),
        ("one bad byte in UTF-8", PLAIN_RSS.replace(b"Sora opens", "Démontage \xc3".encode(
            "utf-8", "surrogateescape"))),
        ("a link with spaces", PLAIN_RSS.replace(b"n.example/1", b"n.example/a b")),
        ("an Atom entry with only a PDF alternate", b'<feed xmlns="http://www.w3.org/2005/Atom">'
         b'<title>T</title><entry><id>tag:x,2026:1</id><title>Paper</title><link rel="alternate"'
         b' type="application/pdf" href="https://n.example/p.pdf"/></entry></feed>'),
    ],
)  # fmt: skip
def test_the_issue_14_cases_take_the_fast_path_and_agree(case: str, body: bytes) -> None:
    repaired = repaired_body(body, None)  # what parse_feed hands the fast path
    assert took_fast_path(repaired, None) or took_fast_path(repaired, "application/rss+xml"), case
    for content_type in SERVED_AS:
        fast, slow = both_paths(body, content_type)
        assert fast == slow, case


def test_the_fast_path_takes_dc_title_as_the_channel_title() -> None:
    fast, _ = both_paths(DC_TITLE, "application/rss+xml")
    assert fast.title == "Dublin Core"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("case", "body", "content_type"),
    [
        ("a DOCTYPE", PLAIN_RSS.replace(b"<rss", b"<!DOCTYPE rss><rss"), None),
        ("xml:base", PLAIN_RSS.replace(b"<item>", b'<item xml:base="https://b.example/">'), None),
        ("a Latin-1 document", PLAIN_RSS.replace(b"utf-8", b"iso-8859-1"), None),
        ("a byte-order mark", b"\xef\xbb\xbf" + PLAIN_RSS, None),
        ("a charset other than UTF-8", PLAIN_RSS, "application/rss+xml; charset=windows-1252"),
        ("markup inside a title", PLAIN_RSS.replace(b"Sora opens", b"<b>Sora</b> opens"), None),
        ("two titles in one item", PLAIN_RSS.replace(b"</link>", b"</link><title>x</title>"), None),
        ("a base64 Atom content", b'<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
         b'<content mode="base64">U29yYQ==</content></entry></feed>', None),
        ("an iTunes summary", PLAIN_RSS.replace(b"</link>", b"</link><itunes:summary xmlns:"
         b'itunes="http://www.itunes.com/DTDs/PodCast-1.0.dtd">s</itunes:summary>'), None),
        ("RSS 1.0", b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns='
         b'"http://purl.org/rss/1.0/"><item><title>x</title></item></rdf:RDF>', None),
        ("a malformed document", PLAIN_RSS.replace(b"</channel>", b""), None),
        ("50,000 nested elements in an item", PLAIN_RSS.replace(
            b"</link>", b"</link>" + b"<x>" * 50_000 + b"</x>" * 50_000), None),
    ],
)  # fmt: skip
def test_the_fast_path_leaves_to_feedparser(
    case: str, body: bytes, content_type: str | None
) -> None:
    assert not took_fast_path(body, content_type), case
    fast, slow = both_paths(body, content_type)
    assert fast == slow


# Text a feed may carry: markup characters, entities' targets, accents, C1 controls that
# feedparser maps to cp1252, UTF-8 read as Latin-1, emoji, and whitespace to strip.
TEXT = st.lists(
    st.sampled_from([*"ab <>&\"'é€Ã©\x80\x93\x85\xa0…🎬\n\t;#x/", " - Variety", "&amp;"]),
    max_size=30,
).map("".join)
DATES = st.sampled_from(
    ["Tue, 01 Dec 2026 10:00:00 GMT", "2026-12-01T10:00:00Z", "yesterday", "", "0000-00-00",
     "mer, 16 nov 2022 00:38:15 +0100", "22.11.2022 12:16:00", "Fri, 05/03/2019 - 15:21"]
)  # fmt: skip
LINKS = st.sampled_from(
    ["https://n.example/a?x=1&y=2", "/relative/path", "story.html", "", "javascript:alert(1)",
     "https://n.example/a b", "tag:n.example,2026:1"]
)  # fmt: skip


def _text_element(draw: st.DrawFn, tag: str, value: str, attrs: str = "") -> str:
    if draw(st.booleans()) and "]]>" not in value:
        return f"<{tag}{attrs}><![CDATA[{value}]]></{tag}>"
    return f"<{tag}{attrs}>{escape(value)}</{tag}>"


@st.composite
def rss_items(draw: st.DrawFn) -> str:
    parts = []
    if draw(st.booleans()):
        parts.append(_text_element(draw, "title", draw(TEXT)))
    if draw(st.booleans()):
        parts.append(_text_element(draw, "link", draw(LINKS)))
    if draw(st.booleans()):
        parts.append(_text_element(draw, "description", draw(TEXT)))
    if draw(st.booleans()):
        parts.append(_text_element(draw, "content:encoded", draw(TEXT)))
    if draw(st.booleans()):
        permalink = draw(st.sampled_from(["", ' isPermaLink="false"', ' isPermaLink="true"',
                                          ' isPermaLink="True"']))  # fmt: skip
        guid = draw(st.sampled_from(["g1", "urn:x:1", "tag:x,2026:1", "https://n.example/a"]))
        parts.append(_text_element(draw, "guid", guid, permalink))
    for _ in range(draw(st.integers(0, 2))):
        parts.append(_text_element(draw, "pubDate", draw(DATES)))
    if draw(st.booleans()):
        parts.append(_text_element(draw, "dc:date", draw(DATES)))
    for _ in range(draw(st.integers(0, 3))):
        domain = draw(st.sampled_from(["", ' domain="d"']))
        parts.append(
            _text_element(draw, "category", draw(st.sampled_from(["Film", "", "AI"])), domain)
        )
    if draw(st.booleans()):
        parts.append(_text_element(draw, "source", draw(TEXT), ' url="https://v.example/"'))
    if draw(st.booleans()):
        parts.append('<enclosure url="https://n.example/a.mp3" type="audio/mpeg"/>')
    if draw(st.booleans()):
        parts.append("<dc:creator>A. Writer</dc:creator><slash:comments>3</slash:comments>")
    order = draw(st.permutations(parts))
    return "<item>" + "".join(order) + "</item>"


@st.composite
def atom_entries(draw: st.DrawFn) -> str:
    parts = []
    kind = st.sampled_from(["", ' type="text"', ' type="html"', ' type="xhtml"'])
    if draw(st.booleans()):
        parts.append(_text_element(draw, "title", draw(TEXT), draw(kind)))
    for _ in range(draw(st.integers(0, 3))):
        rel = draw(st.sampled_from(["", ' rel="alternate"', ' rel="self"', ' rel="enclosure"']))
        kind_attr = draw(st.sampled_from(["", ' type="text/html"', ' type="TEXT/HTML"',
                                          ' type="application/pdf"',
                                          ' type="audio/mpeg"']))  # fmt: skip
        parts.append(f"<link{rel}{kind_attr} href={quoteattr(draw(LINKS))}/>")
    if draw(st.booleans()):
        parts.append(_text_element(draw, "id", draw(st.sampled_from(["tag:x,2026:1", "e1"]))))
    if draw(st.booleans()):
        parts.append(_text_element(draw, "summary", draw(TEXT), draw(kind)))
    if draw(st.booleans()):
        parts.append(_text_element(draw, "content", draw(TEXT), draw(kind)))
    for tag in ("published", "updated"):
        if draw(st.booleans()):
            parts.append(_text_element(draw, tag, draw(DATES)))
    for _ in range(draw(st.integers(0, 2))):
        term = draw(st.sampled_from([' term="film"', ' label="Film"', ' term="ai" label="AI"', ""]))
        parts.append(f"<category{term}/>")
    if draw(st.booleans()):
        parts.append("<author><name>A. Writer</name><uri>/people/a</uri></author>")
    return "<entry>" + "".join(draw(st.permutations(parts))) + "</entry>"


RSS_HEAD = (
    '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:slash="http://purl.org/rss/1.0/modules/slash/"><channel><title>News</title>'
)


@settings(max_examples=300, deadline=None)
@given(
    items=st.lists(rss_items(), min_size=1, max_size=4),
    declared=st.booleans(),
    content_type=st.sampled_from(SERVED_AS),
)
def test_random_rss_gives_the_same_items_on_both_paths(
    items: list[str], declared: bool, content_type: str | None
) -> None:
    prolog = '<?xml version="1.0" encoding="UTF-8"?>' if declared else ""
    body = (prolog + RSS_HEAD + "".join(items) + "</channel></rss>").encode("utf-8")
    fast, slow = both_paths(body, content_type)
    assert fast == slow


@settings(max_examples=300, deadline=None)
@given(
    entries=st.lists(atom_entries(), min_size=1, max_size=4),
    content_type=st.sampled_from(SERVED_AS),
)
def test_random_atom_gives_the_same_items_on_both_paths(
    entries: list[str], content_type: str | None
) -> None:
    body = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>News</title>" + "".join(entries) + "</feed>"
    ).encode("utf-8")
    fast, slow = both_paths(body, content_type)
    assert fast == slow
