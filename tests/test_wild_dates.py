"""SPEC "Polling": an item is published at its date; dates a person reads at once but feedparser
leaves unparsed are read too, exactly, and nothing is invented (issue 14)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from bot.ingest.dates import readable_date
from bot.ingest.parsepool import ParsePool
from tests.feeds import Entry, rss
from tests.wild import NOW, URL, parse


def utc(*parts: int) -> float:
    return datetime(*parts, tzinfo=UTC).timestamp()  # type: ignore[misc]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Thu,28 Jul 2022 4:35:5 GMT+9", utc(2022, 7, 27, 19, 35, 5)),  # GMT+9 is 9 h ahead
        ("Tue, 15 Nov 2022 10:00:00 UTC-03:00", utc(2022, 11, 15, 13, 0)),
        ("mer, 16 nov 2022 00:38:15 +0100", utc(2022, 11, 15, 23, 38, 15)),  # Italian
        ("lun, 14 novembre 2022 08:00:00 GMT", utc(2022, 11, 14, 8, 0)),  # French
        ("Di, 15 Nov 2022 10:00:00 CEST", utc(2022, 11, 15, 8, 0)),  # German, a named zone
        ("Mi, 02 Feb 2022 07:05:00 +0100", utc(2022, 2, 2, 6, 5)),
        ("sáb, 19 nov 2022 10:00:00 -0300", utc(2022, 11, 19, 13, 0)),  # Spanish
        ("Seg, 24 Set 2018 19:42:40 -0300", utc(2018, 9, 24, 22, 42, 40)),  # Portuguese
        ("vr, 3 mrt 2023 09:15:00 +0100", utc(2023, 3, 3, 8, 15)),  # Dutch
        ("22.11.2022 12:16:00", utc(2022, 11, 22, 12, 16)),
        ("05.03.2019 15:21", utc(2019, 3, 5, 15, 21)),  # dots: day first
        ("Friday, January 29, 2021 04:42 PM", utc(2021, 1, 29, 16, 42)),
        ("Fri, 05/03/2019 - 15:21", utc(2019, 5, 3, 15, 21)),  # a Friday: 3 May, not 5 March
        ("Tue, 05/03/2019 - 15:21", utc(2019, 3, 5, 15, 21)),  # a Tuesday: 5 March
        ("25/12/2022 08:00", utc(2022, 12, 25, 8, 0)),  # only one reading is a date
        ("2022-11-22", utc(2022, 11, 22)),
        ("Mar 15 2022 10:00 GMT", utc(2022, 3, 15, 10, 0)),  # "mar" is also a Tuesday
        ("2022-11-22 10:00 PST", utc(2022, 11, 22, 18, 0)),
        ("Sun Nov 6 2022 08:00:00 GMT+0100 (Central European Standard Time)",
         utc(2022, 11, 6, 7, 0)),  # JavaScript's Date.toString()
        ("2022/11/22 10:00", utc(2022, 11, 22, 10, 0)),
        ("Le 16 novembre 2022 à 10h45", utc(2022, 11, 16, 10, 45)),
        ("Donnerstag, 17. November 2022, 10:45 Uhr", utc(2022, 11, 17, 10, 45)),
        ("martes, 15 de noviembre de 2022 10:00", utc(2022, 11, 15, 10, 0)),
        ("17 listopada 2022 10:45", utc(2022, 11, 17, 10, 45)),  # Polish
        ("mar, 15 mar 2022 10:00:00 +0100", utc(2022, 3, 15, 9, 0)),  # Spanish Tuesday
    ],
)  # fmt: skip
def test_a_date_a_person_reads_is_read_exactly(raw: str, expected: float) -> None:
    assert readable_date(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "05/03/2019 15:21",  # 5 March or 3 May: nothing says which
        "Nov 2022",  # no day
        "16 nov 15:00",  # no year
        "yesterday",
        "0000-00-00",
        "15 Nov 2022 10:00 XYZ",  # an unknown zone would be read as UTC
        "Mon, 14 Nov 2022 25:00:00 GMT",
        "1 2 3",  # dateutil reads 2 January 2003
        "12 5 2022 10:00",  # no month a person would read
        "16 nov 22",  # a two-digit year beside a month name: left to feedparser
        "",
        "9" * 500,
    ],
)
def test_a_date_that_cannot_be_read_surely_is_none(raw: str) -> None:
    assert readable_date(raw) is None


@pytest.mark.parametrize(
    ("day_first", "expected"),
    [(True, utc(2019, 3, 5, 15, 21)), (False, utc(2019, 5, 3, 15, 21)), (None, None)],
)
def test_the_feeds_language_settles_a_numeric_date_nothing_else_does(
    day_first: bool | None, expected: float | None
) -> None:
    assert readable_date("05/03/2019 15:21", day_first) == expected


@pytest.mark.parametrize(
    ("declaration", "expected"),
    [
        ("", None),
        ("<language>de-DE</language>", utc(2019, 3, 5, 15, 21)),
        ("<language>en-gb</language>", utc(2019, 3, 5, 15, 21)),
        ("<dc:language>pt-BR</dc:language>", utc(2019, 3, 5, 15, 21)),
        ("<language>en-us</language>", utc(2019, 5, 3, 15, 21)),
        ("<language>en</language>", None),  # English of which country?
        ("<language>ja</language>", None),
    ],
)
def test_a_feed_declaring_its_language_has_its_numeric_dates_read_its_way(
    declaration: str, expected: float | None
) -> None:
    body = rss([Entry("Sora", "https://a.example/1")]).replace(
        b"</item>", b"<pubDate>05/03/2019 15:21</pubDate></item>"
    )
    body = body.replace(b"<channel>", b'<channel xmlns:dc="http://purl.org/dc/elements/1.1/">')
    body = body.replace(b"</title>", b"</title>" + declaration.encode(), 1)
    [item] = parse(body).items
    assert item.published == expected


def test_an_atom_feeds_xml_lang_and_a_json_feeds_language_count_too() -> None:
    from bot.ingest.language import day_first

    assert day_first(b'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">') is True
    assert day_first(b'<feed xml:lang="en-US" xmlns="http://www.w3.org/2005/Atom">') is False
    assert day_first(b'{"version": "https://jsonfeed.org/version/1.1", "language": "it"}')


def test_an_item_with_a_readable_date_feedparser_leaves_is_published_then() -> None:
    body = rss([Entry("Sora", "https://a.example/1")]).replace(
        b"</item>", b"<pubDate>mer, 16 nov 2022 00:38:15 +0100</pubDate></item>"
    )
    [item] = parse(body).items
    assert item.published == utc(2022, 11, 15, 23, 38, 15)


def test_a_real_portuguese_feed_keeps_every_date() -> None:
    from tests.test_corpus import VENDORED_CORPUS

    body = (VENDORED_CORPUS / "rss-parser" / "test" / "input" / "uolNoticias.rss").read_bytes()
    items = parse(body).items
    assert len(items) == 15 and all(item.published is not None for item in items)
    assert items[0].published == utc(2018, 9, 24, 22, 42, 40)  # Seg, 24 Set 2018 19:42:40 -0300


def test_an_undated_items_unreadable_date_text_is_reported_with_the_feed() -> None:
    body = rss([Entry("One", "https://a.example/1"), Entry("Two", "https://a.example/2")])
    body = body.replace(b"</item>", b"<pubDate>sometime last week</pubDate></item>")
    parsed = parse(body)
    assert [item.published for item in parsed.items] == [None, None]
    assert parsed.unreadable_date == "sometime last week"
    assert parse(rss([Entry("Three", "https://a.example/3")])).unreadable_date is None


async def test_an_unreadable_date_is_logged_once_per_source_with_its_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    body = rss([Entry("One", "https://a.example/1")])
    body = body.replace(b"</item>", b"<pubDate>sometime last week</pubDate></item>")
    pool = ParsePool(1)  # the parse runs in a worker process; the pool logs in this one
    try:
        with caplog.at_level(logging.INFO, logger="newswatch.parse"):
            for source in (1, 1, 2):
                await pool.parse(source, body, URL, None, NOW)
    finally:
        pool.close()
    logged = [r.getMessage() for r in caplog.records if "unreadable date" in r.getMessage()]
    assert logged == ["unreadable date 'sometime last week'"] * 2  # sources 1 and 2, once each
