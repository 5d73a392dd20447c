"""SPEC "Stories" URL rules the table in test_urls.py leaves at their edges: which query
names are tracking, empty pairs, a host's trailing dot, ports a scheme-relative URL implies,
schemes other than http(s), escapes; and HARDENING A4 for a shown link.
"""

from __future__ import annotations

import pytest

from bot.stories.urls import canonical_url, safe_link

FEED = "https://feeds.example/rss"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://x.com/a?UTM_Source=feed", "https://x.com/a"),  # names are case-folded
        ("https://x.com/a?%75tm_source=feed", "https://x.com/a"),  # and unescaped
        ("https://x.com/a?+fbclid=1", "https://x.com/a"),  # a '+' is a space
        ("https://x.com/a?ocid=1&igshid=2&mc_eid=3", "https://x.com/a"),
        ("https://x.com/a?x=1&&y=2&", "https://x.com/a?x=1&y=2"),  # empty pairs dropped
        ("https://x.com./a", "https://x.com/a"),  # the root's trailing dot
        ("//x.com:443/a", "//x.com/a"),  # scheme-relative: either default port
        ("//x.com:80/a", "https://x.com/a"),
        ("https://x.com:443/a", "http://x.com:80/a"),
        ("https://x.com/%7Euser", "https://x.com/~user"),  # unreserved escapes decoded
        ("https://x.com/a%2fb", "https://x.com/a%2Fb"),  # hex case
        ("https://x.com/a%20b", "https://x.com/a b"),  # an escape is not escaped again
        ("HTTPS://X.COM/a", "https://x.com/a"),
    ],
)
def test_these_urls_are_one_story(a: str, b: str) -> None:
    assert canonical_url(a) == canonical_url(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://x.com/a?utmost=1", "https://x.com/a"),  # utm_ is a prefix with its '_'
        ("https://x.com/a?ocid2=1", "https://x.com/a"),
        ("ftp://x.com/a", "http://x.com/a"),  # another scheme is its own key
        ("https://x.com:8443/a", "https://x.com/a"),
        ("https://www2.x.com/a", "https://2.x.com/a"),
        ("https://x.com/a%2Fb", "https://x.com/a/b"),  # an escaped slash means something
    ],
)
def test_these_urls_are_different_stories(a: str, b: str) -> None:
    assert canonical_url(a) != canonical_url(b)


@pytest.mark.parametrize(
    ("link", "base"),
    [
        ("http://x.com:0/a", FEED),  # port 0 is no port
        ("https://x.com/a\u200bb", FEED),  # a zero-width space hides in the link
        ("https://x.com/a\u202eb", FEED),  # a bidi override reorders what is shown
        ("story", "https://feeds.example/a b/"),  # resolved against a base it is not plain
    ],
)
def test_a_link_that_would_not_show_what_it_is_is_refused(link: str, base: str) -> None:
    assert safe_link(link, base) is None


@pytest.mark.parametrize(
    "link", ["https://x.com/a", "http://x.com:8080/a", "https://bücher.de/a", "https://x.com/é"]
)
def test_a_plain_http_or_https_link_is_shown_as_given(link: str) -> None:
    assert safe_link(link, FEED) == link
