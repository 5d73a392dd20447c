"""Feed markup to plain, safe text, as tables of cases (SPEC "Query language" and "Alerts";
HARDENING A6, A7, A8, E1)."""

from __future__ import annotations

import time
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bot.text
from bot.text import MAX_MARKS, clean_text, html_to_text, summary

FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # one grapheme: four emoji joined by ZWJ
RAINBOW_FLAG = "🏳\ufe0f\u200d🌈"
ENGLAND = "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
# What clean_text must never leave: zero-width space, marks and embeddings, overrides,
# isolates and the byte-order mark (besides every Cc control and lone surrogate).
INVISIBLE = frozenset(
    "\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
)


def is_mark(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Me")


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<script>alert(1)</script>Hello", "Hello"),
        ("<SCRIPT type='text/javascript'>if (a < b) x()</SCRIPT>Hello", "Hello"),
        ("<style>p { color: red }</style>Hello", "Hello"),
        ("<noscript><p>Enable JavaScript</p></noscript>Hello", "Hello"),
        ("<template><p>later</p></template>Hello", "Hello"),
        ("<iframe src='x'>frame text</iframe>Hello", "Hello"),
        ("<object data='x'><p>fallback</p></object>Hello", "Hello"),
        ("<video>Your browser does not support video.</video>Hello", "Hello"),
        (
            "<html><head><title>Page</title><style>x</style></head><body>Hello</body></html>",
            "Hello",
        ),
    ],
)
def test_scripts_styles_and_hidden_elements_are_dropped(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<p>a</p><p>b</p>", "a b"),
        ("<div>a</div><div>b</div>", "a b"),
        ("a<br>b<br/>c", "a b c"),
        ("<ul><li>one</li><li>two</li></ul>", "one two"),
        ("<h1>Title</h1>Body", "Title Body"),
        ("<blockquote>quote</blockquote>after", "quote after"),
        ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b c"),
        ("<P>upper</P><P>case</P>", "upper case"),
    ],
)
def test_block_elements_separate_words(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("Sor<b>a</b> opens", "Sora opens"),
        ("<a href='x'>Open</a><em>AI</em>", "OpenAI"),
        ("<span>Holly</span><span>wood</span>", "Hollywood"),
    ],
)
def test_inline_elements_do_not_split_words(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("&amp;amp;", "&amp;"),
        ("<p>&amp;amp;</p>", "&amp;"),
        ("AT&amp;T", "AT&T"),
        ("it&#x27;s", "it's"),
        ("it&#39;s <b>caf&eacute;</b>", "it's café"),
        ("&lt;b&gt;not bold&lt;/b&gt;", "<b>not bold</b>"),
        ("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", "<script>alert(1)</script>"),
        ("a&nbsp;b", "a b"),
    ],
)
def test_entities_are_decoded_exactly_once(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<!channel> the strike is over", "<!channel> the strike is over"),
        ("<p><!channel> the strike is over</p>", "<!channel> the strike is over"),
        ("&lt;!channel&gt; escaped in the feed", "<!channel> escaped in the feed"),
        ("<@U123> said so", "<@U123> said so"),
        ("<b>news</b> for <@U123> and <#C42|general>", "news for <@U123> and <#C42|general>"),
        ("a < b", "a < b"),
        ("<i>math</i>: a < b and 1 <= 2", "math: a < b and 1 <= 2"),
        ("I <3 Sora <p>too</p>", "I <3 Sora too"),
        ("ends with <", "ends with <"),
    ],
)
def test_literal_less_than_and_chat_syntax_survive_as_text(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        (
            "<table><tr><td>a<table><tr><td>inner</td></tr></table></td><td>b</td></tr></table>",
            "a inner b",
        ),
        ("<table><tr><td><table><tr><td><table><td>deep</td></table>", "deep"),
        ("<table><tr><td>x</td></tr></table><table><tr><td>y</td></tr></table>", "x y"),
    ],
)
def test_nested_tables_become_their_cell_text(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="x" onerror="alert(1)">after',
        "<img src=x onerror=alert(1)>after",
        '<a href="javascript:alert(1)" onclick="evil()">after</a>',
        '<svg onload="alert(1)"></svg>after',
        '<a title="<p>not text</p>">after</a>',
    ],
)
def test_tags_and_attributes_leave_no_text(markup: str) -> None:
    assert html_to_text(markup) == "after"


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        (
            '<a href="https://news.google.com/rss/articles/CBMi?oc=5" target="_blank">'
            'Sora opens to filmmakers</a>&nbsp;&nbsp;<font color="#6f6f6f">Variety</font>',
            "Sora opens to filmmakers Variety",
        ),
        (
            '<ol><li><a href="x">Strike ends</a>&nbsp;&nbsp;<font color="#6f6f6f">Deadline</font>'
            '</li><li><a href="y">Deal ratified</a>&nbsp;&nbsp;<font>Variety</font></li></ol>',
            "Strike ends Deadline Deal ratified Variety",
        ),
    ],
)
def test_google_news_description_becomes_title_and_outlet(markup: str, text: str) -> None:
    assert clean_text(html_to_text(markup)) == text


def test_nbsp_becomes_plain_spaces_left_for_clean_text_to_fold() -> None:
    assert html_to_text('<a href="x">Title</a>&nbsp;&nbsp;<font>Variety</font>') == (
        "Title  Variety"
    )


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("Plain &amp; simple", "Plain & simple"),
        ("a < b &gt; c", "a < b > c"),
        ("<!channel> &lt;@U1&gt;", "<!channel> <@U1>"),
    ],
)
def test_text_without_markup_skips_the_parser(
    markup: str, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_parser(*args: object) -> None:
        raise AssertionError("the parser ran on plain text")

    monkeypatch.setattr(bot.text, "LexborHTMLParser", no_parser)
    assert html_to_text(markup) == text


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<![CDATA[<p>wrapped</p>]]>", "wrapped"),
        ("<!-- a comment -->shown", "shown"),
        ("<!DOCTYPE html><p>shown</p>", "shown"),
    ],
)
def test_cdata_comments_and_doctypes_are_markup(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


@pytest.mark.parametrize(
    "markup",
    [
        "<p>word</p>" * 500_000,  # 5.5 MB
        "<div>" * 1_000_000,  # nesting: lexbor walks its stack per block tag
        "<video>" * 40_000 + "</audio>" * 40_000,
        "<a " * 1_700_000,
        "&amp;" * 1_000_000,
        "word " * 1_000_000 + "<b>x</b>",
    ],
    ids=["paragraphs", "nested-divs", "nested-videos", "unclosed-tags", "entities", "text"],
)
def test_html_to_text_of_megabytes_is_fast(markup: str) -> None:
    start = time.perf_counter()
    html_to_text(markup)
    summary(markup)
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("evil\u202etxt.exe", "eviltxt.exe"),
        ("\u2066isolate\u2069 \u200eLRM\u200f", "isolate LRM"),
        ("nul\x00byte", "nulbyte"),
        ("bell\x07 and escape\x1b[31m", "bell and escape[31m"),
        ("c1\x85next\x9bcontrol", "c1 nextcontrol"),
        ("tab\tand\nnewline\r\nend", "tab and newline end"),
        ("lone\ud800surrogate\udfffs", "lonesurrogates"),
        ("\ufeffbom", "bom"),
        ("zero\u200bwidth", "zerowidth"),
        ("soft\xadhyphen", "softhyphen"),
        ("hidden\U000e0041\U000e0042tags", "hiddentags"),
    ],
)
def test_controls_bidi_and_invisible_characters_are_removed(text: str, cleaned: str) -> None:
    assert clean_text(text) == cleaned


@pytest.mark.parametrize(
    "text",
    [
        FAMILY,
        RAINBOW_FLAG,
        ENGLAND,
        "👍🏽",
        "🇺🇸🇬🇧",
        "1\ufe0f\u20e3",
        "می\u200cخواهم",  # Persian: ZWNJ inside a word
        "क्\u200dष",  # Devanagari: ZWJ
    ],
)
def test_joiner_sequences_are_kept_intact(text: str) -> None:
    assert clean_text(f"before {text} after") == f"before {text} after"


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("e\u0301", "é"),  # NFC
        ("  many   spaces\u3000and\xa0nbsp\u2028 ", "many spaces and nbsp"),
        ("Z" + "\u0336\u0317\u0318\u0319\u031a\u031c" * 10 + "!", "Z\u0336\u0317\u0318\u0319!"),
        ("a" + "\u0301" * 50 + "b", "á\u0301\u0301\u0301b"),  # NFC composes one of the four
        ("x" + "\u0316\u200c" * 20, "x\u0316\u200c\u0316\u200c\u0316\u200c\u0316\u200c"),
    ],
)
def test_normalised_folded_and_zalgo_capped(text: str, cleaned: str) -> None:
    assert clean_text(text) == cleaned


def test_zalgo_is_capped_at_max_marks_per_base() -> None:
    zalgo = "".join(base + "\u0316\u0317\u0336\u0489\u035c" * 10 for base in "Sora")
    cleaned = clean_text(zalgo)
    assert "".join(c for c in cleaned if not is_mark(c)) == "Sora"
    assert len(cleaned) == 4 * (1 + MAX_MARKS)


@pytest.mark.parametrize(
    ("markup", "limit", "expected"),
    [
        ("Short and sweet", 300, "Short and sweet"),
        ("<p>Exactly</p> <p>fits</p>", 12, "Exactly fits"),
        ("one two three four", 18, "one two three four"),
        ("one two three four", 17, "one two three…"),
        ("one two three four", 14, "one two three…"),
        ("one two three four", 13, "one two…"),
        ("one two, three", 13, "one two…"),  # no dangling comma before the ellipsis
        ("a " + "b" * 400, 300, "a…"),
        ("b" * 400, 10, "bbbbbbbbb…"),
        ("abc", 1, "…"),
        ("abc", 0, ""),
    ],
)
def test_summary_cuts_at_a_word_with_an_ellipsis(markup: str, limit: int, expected: str) -> None:
    result = summary(markup, limit)
    assert result == expected
    assert len(result) <= max(limit, 0)


def test_summary_of_long_text_is_at_most_300_with_the_ellipsis() -> None:
    result = summary("<p>" + "word " * 200 + "</p>")
    assert len(result) == 300
    assert result.endswith("word…")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a" * 8 + "e\u0301\u0302" + "zzz", "a" * 8 + "…"),  # é + mark: not split from its marks
        ("a" * 7 + FAMILY + "zzz", "a" * 7 + "…"),  # ZWJ family: whole or not at all
        ("a" * 6 + FAMILY + "zzz", "a" * 6 + "…"),
        ("a" * 8 + "🇺🇸🇬🇧", "a" * 8 + "…"),  # a flag is a pair of regional indicators
        ("a" * 7 + "🇺🇸🇬🇧", "a" * 7 + "🇺🇸" + "…"),
        ("a" * 8 + "👍🏽zz", "a" * 8 + "…"),  # skin tone stays on its emoji
        ("a" * 8 + "क्षzz", "a" * 8 + "…"),  # the virama stays on its consonant
    ],
)
def test_summary_never_cuts_inside_a_grapheme(text: str, expected: str) -> None:
    assert summary(text, 10) == expected


NASTY = st.sampled_from(
    [
        "\x00",
        "\x1b",
        "\x85",
        "\x9b",
        "\u202e",
        "\u2066",
        "\ufeff",
        "\u200b",
        "\u200d",
        "\u200c",
        "\ud800",
        "\udfff",
        "\u0301",
        "\u0489",
        "\U000e0041",
        "\U0001f1fa",
        "\U0001f3fd",
        "👨",
        "<",
        "&amp;",
        "<p>",
        "<script>",
        " ",
        "\n",
    ]
)
# Text made of any code point (lone surrogates included) and of the pieces that break things.
ANY_TEXT = st.lists(st.one_of(st.characters(codec=None, exclude_categories=()), NASTY)).map("".join)


@given(ANY_TEXT)
@settings(max_examples=300, deadline=None)
def test_clean_text_never_raises_and_is_utf8_without_controls(text: str) -> None:
    cleaned = clean_text(text)
    cleaned.encode("utf-8")
    assert not any(unicodedata.category(c) in ("Cc", "Cs") or c in INVISIBLE for c in cleaned)
    assert cleaned == cleaned.strip()
    assert "  " not in cleaned


@given(ANY_TEXT)
@settings(max_examples=300, deadline=None)
def test_summary_is_never_longer_than_300(markup: str) -> None:
    result = summary(markup * 20)
    assert len(result) <= 300
    result.encode("utf-8")
