"""Canonical story URLs and shown links as tables (SPEC "Stories"; HARDENING A4, E1, F1)."""

from __future__ import annotations

import pytest

from bot.stories.urls import MAX_LINK_LENGTH, canonical_url, safe_link

FEED = "https://feeds.example.com/rss/latest.xml"
GOOGLE = "https://news.google.com/rss/articles/"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            "http://variety.com/2024/film/news/sora-1236/",
            "https://variety.com/2024/film/news/sora-1236/",
        ),
        ("https://deadline.com/2024/06/strike-ends/", "http://deadline.com/2024/06/strike-ends/"),
    ],
)
def test_http_and_https_share_a_key(a: str, b: str) -> None:
    assert canonical_url(a) == canonical_url(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://WWW.Variety.com/2024/film/", "https://variety.com/2024/film/"),
        ("https://Deadline.COM/2024/06/x/", "https://deadline.com/2024/06/x/"),
    ],
)
def test_host_is_case_folded(a: str, b: str) -> None:
    assert canonical_url(a) == canonical_url(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            "https://www.variety.com/2024/film/news/sora/",
            "https://variety.com/2024/film/news/sora/",
        ),
        ("http://www.deadline.com/story", "https://deadline.com/story"),
    ],
)
def test_leading_www_is_dropped(a: str, b: str) -> None:
    assert canonical_url(a) == canonical_url(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://mail.variety.com/story", "https://variety.com/story"),
        ("https://www2.variety.com/story", "https://variety.com/story"),
        ("https://variety.com.www.example/story", "https://variety.com/story"),
    ],
)
def test_other_host_prefixes_are_kept(a: str, b: str) -> None:
    assert canonical_url(a) != canonical_url(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://variety.com:443/2024/film/", "https://variety.com/2024/film/"),
        ("http://variety.com:80/2024/film/", "https://variety.com/2024/film/"),
    ],
)
def test_default_ports_are_dropped(a: str, b: str) -> None:
    assert canonical_url(a) == canonical_url(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://variety.com:8443/2024/film/", "https://variety.com/2024/film/"),
        ("http://variety.com:8080/story", "http://variety.com:8081/story"),
    ],
)
def test_other_ports_are_kept(a: str, b: str) -> None:
    assert canonical_url(a) != canonical_url(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            "https://www.lemonde.fr/culture/article/x.html#xtor=RSS-3208",
            "https://www.lemonde.fr/culture/article/x.html",
        ),
        ("https://deadline.com/2024/06/strike/#comments", "https://deadline.com/2024/06/strike/"),
    ],
)
def test_fragment_is_dropped(a: str, b: str) -> None:
    assert canonical_url(a) == canonical_url(b)


@pytest.mark.parametrize(
    "tracked",
    [
        "https://variety.com/story/?utm_source=rss&utm_medium=feed",
        "https://variety.com/story/?utm_campaign=x&utm_content=y&utm_term=z&utm_id=1",
        "https://variety.com/story/?UTM_Source=RSS",
        "https://variety.com/story/?utm%5Fsource=rss",
        "https://variety.com/story/?fbclid=IwAR0abc",
        "https://variety.com/story/?gclid=Cj0KCQ&dclid=x&msclkid=y",
        "https://variety.com/story/?mc_cid=abc&mc_eid=def",
        "https://variety.com/story/?igshid=MzRlODBiNWFlZA==",
        "https://variety.com/story/?ref_src=twsrc%5Etfw",
        "https://variety.com/story/?cmpid=rss&ocid=msedgntp",
        "https://variety.com/story/?FBCLID=x&Gclid=y",
        "https://variety.com/story/?",
    ],
)
def test_tracking_parameters_are_dropped(tracked: str) -> None:
    assert canonical_url(tracked) == canonical_url("https://variety.com/story")


@pytest.mark.parametrize(
    ("tracked", "kept"),
    [
        ("https://variety.com/?p=123&utm_source=rss", "variety.com?p=123"),
        ("https://variety.com/?utm_source=rss&p=123&fbclid=x&page=2", "variety.com?p=123&page=2"),
    ],
)
def test_other_parameters_are_kept_around_tracking_ones(tracked: str, kept: str) -> None:
    assert canonical_url(tracked) == kept


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://techcrunch.com/?p=123", "https://techcrunch.com/?p=124"),
        ("https://example.com/watch?v=abc&utm_source=x", "https://example.com/watch?v=abd"),
        ("https://example.com/list?b=2&a=1", "https://example.com/list?a=1&b=2"),
    ],
)
def test_other_parameters_distinguish_urls(a: str, b: str) -> None:
    assert canonical_url(a) != canonical_url(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            f"{GOOGLE}CBMiVWh0dHBzOi8vdmFyaWV0eS5jb20vMjAyNC9maWxtL25ld3Mvc29yYS0x0gEA?oc=5",
            f"{GOOGLE}CBMiVWh0dHBzOi8vZGVhZGxpbmUuY29tLzIwMjQvMDYvc3RyaWtlLWVuZHMv0gEA?oc=5",
        ),
        (f"{GOOGLE}CBMiAbc?oc=5", f"{GOOGLE}CBMiAbd?oc=5"),
    ],
)
def test_google_news_wrappers_stay_distinct_per_article_id(a: str, b: str) -> None:
    assert canonical_url(a) != canonical_url(b)


def test_google_news_wrapper_keeps_its_id_and_oc_parameter() -> None:
    url = f"{GOOGLE}CBMiAbc?oc=5&utm_source=x"
    assert canonical_url(url) == "news.google.com/rss/articles/CBMiAbc?oc=5"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://variety.com/2024/film/news/sora/", "https://variety.com/2024/film/news/sora"),
        ("https://x.com/", "http://www.X.com"),
        ("https://variety.com", "https://variety.com/"),
        ("https://variety.com/story//", "https://variety.com/story"),
    ],
)
def test_trailing_slash_is_dropped(a: str, b: str) -> None:
    assert canonical_url(a) == canonical_url(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://variety.com/caf%c3%a9", "https://variety.com/caf%C3%A9"),
        ("https://variety.com/café", "https://variety.com/caf%C3%A9"),
        ("https://variety.com/%7Euser/a%2Db", "https://variety.com/~user/a-b"),
        ("https://variety.com/a b", "https://variety.com/a%20b"),
        ("https://bücher.de/x", "https://xn--bcher-kva.de/x"),
    ],
)
def test_percent_encoding_and_host_encoding_are_normalised(a: str, b: str) -> None:
    assert canonical_url(a) == canonical_url(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://variety.com/a%2Fb", "https://variety.com/a/b"),
        ("https://variety.com/?q=a%26b", "https://variety.com/?q=a&b"),
        ("https://variety.com/Story", "https://variety.com/story"),
    ],
)
def test_meaningful_escapes_and_path_case_are_kept(a: str, b: str) -> None:
    assert canonical_url(a) != canonical_url(b)


def test_key_has_no_scheme() -> None:
    assert (
        canonical_url("https://www.Variety.com/2024/film/?p=1#top") == "variety.com/2024/film?p=1"
    )


@pytest.mark.parametrize(
    ("garbage", "key"),
    [
        ("", ""),
        ("   ", ""),
        ("not a url", "not a url"),
        ("  urn:uuid:1234  ", "urn:uuid:1234"),
        ("http://[::1", "http://[::1"),
        ("http://variety.com:99999/", "http://variety.com:99999/"),
        ("http://variety.com:port/", "http://variety.com:port/"),
        ("https:///no-host", "https:///no-host"),
        ("mailto:tips@variety.com", "mailto:tips@variety.com"),
    ],
)
def test_garbage_is_its_own_stable_key(garbage: str, key: str) -> None:
    assert canonical_url(garbage) == key


@pytest.mark.parametrize(
    ("link", "shown"),
    [
        ("/story", "https://feeds.example.com/story"),
        ("story.html", "https://feeds.example.com/rss/story.html"),
        ("//cdn.variety.com/x", "https://cdn.variety.com/x"),
        ("?p=123", "https://feeds.example.com/rss/latest.xml?p=123"),
    ],
)
def test_relative_links_resolve_against_the_feed_url(link: str, shown: str) -> None:
    assert safe_link(link, FEED) == shown


@pytest.mark.parametrize(
    "link",
    [
        "https://WWW.Variety.com/2024/film/news/sora/?utm_source=rss&utm_medium=feed#xtor=RSS-3",
        f"{GOOGLE}CBMiVWh0dHBzOi8vdmFyaWV0eS5jb20v0gEA?oc=5",
        "HTTP://Deadline.com:8080/a/../b?",
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:8000/story",
        "http://[::1]/story",
    ],
)
def test_absolute_links_are_shown_exactly_as_given(link: str) -> None:
    assert safe_link(link, FEED) == link


def test_surrounding_whitespace_is_stripped() -> None:
    assert safe_link("  https://variety.com/story\n", FEED) == "https://variety.com/story"


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "file:///etc/passwd",
        "ftp://ftp.example.com/story.txt",
        "mailto:tips@variety.com",
        "vbscript:msgbox(1)",
    ],
)
def test_schemes_other_than_http_and_https_are_refused(link: str) -> None:
    assert safe_link(link, FEED) is None


@pytest.mark.parametrize("link", ["http:/story", "https:///story", "http://:80/story", "https:"])
def test_links_without_a_host_are_refused(link: str) -> None:
    assert safe_link(link, FEED) is None


@pytest.mark.parametrize(
    "link",
    [
        "https://variety.com/a story",
        "https://variety.com/a\tstory",
        "https://variety.com/a\x00story",
        "https://variety.com/a\x1bstory",
        "https://variety.com/\u202egpj.exe",
        "https://vari\u200bety.com/story",
        "https://variety.com/a\u00a0story",
        "java\nscript:alert(1)",
    ],
)
def test_links_with_spaces_or_control_characters_are_refused(link: str) -> None:
    assert safe_link(link, FEED) is None


@pytest.mark.parametrize("link", ["https:\\\\evil.example/x", "/\\evil.example/x"])
def test_links_with_backslashes_are_refused(link: str) -> None:
    assert safe_link(link, FEED) is None


def test_link_at_the_length_limit_is_kept() -> None:
    link = "https://variety.com/" + "a" * (MAX_LINK_LENGTH - len("https://variety.com/"))
    assert safe_link(link, FEED) == link


def test_link_over_the_length_limit_is_refused() -> None:
    link = "https://variety.com/" + "a" * MAX_LINK_LENGTH
    assert safe_link(link, FEED) is None


@pytest.mark.parametrize(
    "link",
    ["http://[::1/story", "http://variety.com:99999/", "http://variety.com:port/", "http://x:0/"],
)
def test_links_with_a_malformed_host_or_port_are_refused(link: str) -> None:
    assert safe_link(link, FEED) is None


@pytest.mark.parametrize("link", [None, "", "   "])
def test_missing_links_are_none(link: str | None) -> None:
    assert safe_link(link, FEED) is None


def test_relative_link_against_a_non_http_feed_url_is_refused() -> None:
    assert safe_link("/story", "file:///srv/feeds/latest.xml") is None
