"""An entry's link as a reader would follow it (issue 14): spaces percent-encoded, an Atom
entry's only alternate link kept whatever its type, never a `tag:` URI."""

from __future__ import annotations

import pytest

from tests.feeds import Entry, rss
from tests.wild import parse

ATOM = (
    '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
    "<title>Blog</title><updated>2026-12-01T10:00:00Z</updated>{}</feed>"
)


def atom_entry(links: str, entry_id: str = "tag:blogger.com,1999:blog-1.post-2") -> bytes:
    return ATOM.format(f"<entry><id>{entry_id}</id><title>Post</title>{links}</entry>").encode()


def test_a_link_with_spaces_is_percent_encoded_not_dropped() -> None:
    [item] = parse(rss([Entry("A", "https://a.example/annual report 2026.pdf")])).items
    assert item.link == "https://a.example/annual%20report%202026.pdf"


def test_a_relative_link_with_spaces_is_resolved_and_encoded() -> None:
    [item] = parse(rss([Entry("A", " /news/big story ")])).items
    assert item.link == "https://feeds.example/news/big%20story"


@pytest.mark.parametrize(
    ("links", "expected"),
    [
        ('<link rel="alternate" type="application/pdf" href="https://a.example/paper.pdf"/>',
         "https://a.example/paper.pdf"),
        ('<link type="audio/mpeg" href="https://a.example/episode.mp3"/>',
         "https://a.example/episode.mp3"),
        ('<link rel="alternate" type="application/pdf" href="https://a.example/paper.pdf"/>'
         '<link rel="alternate" type="text/html" href="https://a.example/post"/>',
         "https://a.example/post"),  # an HTML alternate still wins
        ('<link rel="enclosure" type="audio/mpeg" href="https://a.example/episode.mp3"/>', None),
        ('<link rel="self" href="https://a.example/feeds/posts/2"/>', None),
        ("", None),  # no link at all: the tag: id is never a link
    ],
)  # fmt: skip
def test_an_atom_entrys_alternate_link_of_any_type_is_its_link(
    links: str, expected: str | None
) -> None:
    [item] = parse(atom_entry(links)).items
    assert item.link == expected
    assert item.identity == "tag:blogger.com,1999:blog-1.post-2"


@pytest.mark.parametrize(
    "guid", ["tag:blogger.com,1999:blog-1.post-2", "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"]
)
def test_a_permalink_guid_that_is_no_web_address_is_never_a_link(guid: str) -> None:
    body = rss([Entry("A")]).replace(
        b"</title>\n</item>", f"</title><guid>{guid}</guid></item>".encode()
    )
    [item] = parse(body).items
    assert item.link is None
    assert item.identity == guid
