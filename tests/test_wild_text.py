"""Bytes decoded as declared, mojibake the publisher made repaired where sure, and one poison
item never costing the feed (issue 14)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.ingest.decoding import repaired_text
from bot.ingest.fetch import Fetcher
from tests.feeds import Entry, rss
from tests.wild import URL, parse, wild

DEMONTAGE = "Démontage du moteur, étape par étape"


def one_bad_byte() -> bytes:
    """A UTF-8 feed whose second summary lost the last byte of its "é"."""
    body = rss(
        [
            Entry(DEMONTAGE, "https://a.example/1", summary="Les pièces détachées."),
            Entry("Réparé", "https://a.example/2", summary="Fin de la série"),
        ]
    )
    return body.replace("série".encode(), b"s\xc3rie")


def test_a_utf8_feed_with_one_bad_byte_is_read_as_utf8() -> None:
    first, second = parse(one_bad_byte()).items
    assert first.title == DEMONTAGE
    assert second.title == "Réparé"
    assert second.summary == "Fin de la s\ufffdrie"


async def test_the_declared_charset_decides_through_the_fetch_path(feed_server: Any) -> None:
    feed_server.add("/utf8.xml", one_bad_byte(), content_type="application/rss+xml; charset=utf-8")
    latin = rss([Entry("Réparé", "https://a.example/2")]).replace(b"UTF-8", b"ISO-8859-1")
    latin = latin.replace("Réparé".encode(), "Réparé".encode("latin-1"))
    feed_server.add("/latin.xml", latin, content_type="text/xml; charset=iso-8859-1")
    async with Fetcher(allow_private=True) as fetcher:
        utf8 = await fetcher.fetch(feed_server.url("/utf8.xml"))
        latin1 = await fetcher.fetch(feed_server.url("/latin.xml"))
    assert utf8.body and latin1.body
    assert parse(utf8.body, utf8.final_url, utf8.content_type).items[0].title == DEMONTAGE
    assert parse(latin1.body, latin1.final_url, latin1.content_type).items[0].title == "Réparé"


def test_a_feed_labelled_utf8_but_written_in_latin1_is_still_read_as_latin1() -> None:
    body = rss([Entry("Réparé à neuf", "https://a.example/1")])
    body = body.replace("Réparé à neuf".encode(), "Réparé à neuf".encode("latin-1"))
    [item] = parse(body).items
    assert item.title == "Réparé à neuf"


@pytest.mark.parametrize(
    ("garbled", "repaired"),
    [
        ("Why the iPhone isnâ€™t getting cheaper", "Why the iPhone isn’t getting cheaper"),
        ("Razerâ€™s new mouse", "Razer’s new mouse"),
        ("DÃ©montage du moteur", "Démontage du moteur"),
        ("â€œQuotedâ€\x9d and â€“ dashed", "“Quoted” and – dashed"),
        ("The “real” quotes and a garbled isnâ€™t", "The “real” quotes and a garbled isn’t"),
        ("the â€œGrand Bargain,â€ an ambitious plan", "the “Grand Bargain,” an ambitious plan"),
    ],
)
def test_utf8_read_as_cp1252_by_the_publisher_is_repaired(garbled: str, repaired: str) -> None:
    assert repaired_text(garbled) == repaired


@pytest.mark.parametrize(
    "text",
    [
        "Aktuality.sk - aktuálne spravodajstvo",
        "Průměrná mzda v Česku vzrostla",
        "Größere Änderungen für Straßenbahnen",
        "« Ça coûte cher » selon l’économiste",
        "Élections à Besançon : résultats",
        "Zażółć gęślą jaźń",
        "Ελληνικά νέα σήμερα",
        "Последние новости",
        "Tin tức Việt Nam hôm nay: Ãnh sáng",
        "日本語のニュース",
        "Ê¤ë¤Û¤É¡¢PS2¤Ã¤Æ¤¹¤´¤¤²èÁü½èÍýÇ½ÎÏ¤À",  # EUC-JP read as Latin-1: no sure repair
        "café» and naïve",
        "Bargain,â€ an ambitious plan",  # a quote or a dagger: no sure repair
    ],
)
def test_text_in_other_languages_is_left_alone(text: str) -> None:
    assert repaired_text(text) == text


def test_a_feed_with_publisher_mojibake_gives_repaired_titles_and_summaries() -> None:
    body = rss(
        [Entry("Appleâ€™s chip isnâ€™t late", "https://a.example/1", summary="Itâ€™s here.")]
    )
    [item] = parse(body).items
    assert item.title == "Apple’s chip isn’t late"
    assert item.summary == "It’s here."


def test_a_garbled_closing_quote_is_repaired_before_its_control_byte_is_cleaned() -> None:
    body = rss([Entry("He said itâ€™s fineâ€\x9d twice", "https://a.example/1")])
    [item] = parse(body).items
    assert item.title == "He said it’s fine” twice"


def test_a_real_slovak_feed_is_left_as_written() -> None:
    parsed = parse(wild("aktuality.rss"), "https://www.aktuality.sk/rss/")
    assert parsed.title == "Aktuality.sk - aktuálne spravodajstvo"
    assert len(parsed.items) == 30
    assert all("Ã" not in item.title and "â€" not in item.title for item in parsed.items)


@pytest.mark.parametrize("poison", ["&#xD800;", "&#55296;", "&#xDFFF;", "&#x110000;",
                                    "&#99999999999999999999;"])  # fmt: skip
def test_one_poison_item_is_repaired_and_the_rest_of_the_feed_kept(poison: str) -> None:
    body = rss([Entry("POISON x", "https://a.example/1"), Entry("Good", "https://a.example/2")])
    parsed = parse(body.replace(b"POISON", poison.encode()), URL)
    assert parsed.error is None
    assert [item.title for item in parsed.items] == ["\ufffd x", "Good"]


def test_lone_surrogates_a_parser_hands_on_become_replacement_characters() -> None:
    from bot.ingest.parse import _parsed, _Reading

    entry = {"title": "Bad \ud800", "link": "https://a.example/1", "tags": [{"term": "\udfff"}]}
    [item] = _parsed("Feed", [entry], _Reading(URL, 1_800_000_000.0, None)).items
    assert item.fields == ("Bad \ufffd", "\ufffd")
    assert all(field.encode("utf-8") for field in item.fields)


def test_an_entry_that_cannot_be_read_is_dropped_and_the_others_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import bot.ingest.parse as parse_module

    real = parse_module.html_to_text

    def fails_on_one_entry(markup: str) -> str:
        if markup == "Unreadable":
            raise ValueError("an entry no rule foresaw")
        return real(markup)

    monkeypatch.setattr(parse_module, "html_to_text", fails_on_one_entry)
    body = rss([Entry("Unreadable", "https://a.example/1"), Entry("Good", "https://a.example/2")])
    parsed = parse(body)
    assert parsed.error is None
    assert [item.title for item in parsed.items] == ["Good"]


def test_a_real_feed_with_publisher_mojibake_is_read_as_the_publisher_meant() -> None:
    parsed = parse(
        wild("monitorss-nyt-us.xml"), "https://rss.nytimes.com/services/xml/rss/nyt/US.xml"
    )
    assert len(parsed.items) == 20
    titles = [item.title for item in parsed.items]
    assert "State Dept. Says Moscow’s Ukraine Diplomacy Was a ‘Pretense’" in titles
    [obituary] = [item for item in parsed.items if "Papademetriou" in item.title]
    assert obituary.summary.startswith("He designed the “Grand Bargain,” an ambitious plan")
    garbled = [t for item in parsed.items for t in item.fields if "â€" in t or "Ã©" in t]
    assert garbled == []
