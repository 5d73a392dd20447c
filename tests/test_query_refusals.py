"""SPEC "Query language": invisible characters (bidi controls, zero-width and tag characters,
other format characters) are refused with a caret under them, in chat, CLI and files alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.chat.commands import Command, handle
from bot.match.query import QueryError, parse_query
from bot.match.watchlists import WatchlistError, load_watchlist
from bot.store.db import Store, open_db

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("query", "named", "column"),
    [
        ("Zwsp\u200bwatch", "U+200B ZERO WIDTH SPACE at column 5 is invisible", 4),
        ("\u202eSora", "U+202E RIGHT-TO-LEFT OVERRIDE at column 1 is an invisible bidi control", 0),
        ("Sora \u2066WGA\u2069", "U+2066 LEFT-TO-RIGHT ISOLATE", 5),
        ("Sora\u200e", "U+200E LEFT-TO-RIGHT MARK", 4),
        ("Sora\u200f", "U+200F RIGHT-TO-LEFT MARK", 4),
        ("\u061cSora", "U+061C ARABIC LETTER MARK", 0),
        ("Sora\u202a", "U+202A LEFT-TO-RIGHT EMBEDDING", 4),
        ("So\u200cra", "U+200C ZERO WIDTH NON-JOINER at column 3 is invisible", 2),
        ("So\u200dra", "U+200D ZERO WIDTH JOINER at column 3 is invisible", 2),
        ("Sora\u2060", "U+2060 WORD JOINER at column 5 is invisible", 4),
        ("\ufeffSora", "U+FEFF ZERO WIDTH NO-BREAK SPACE at column 1 is invisible", 0),
        ("Sora\u180e", "U+180E MONGOLIAN VOWEL SEPARATOR", 4),
        ("Sora\U000e0041", "U+E0041 TAG LATIN CAPITAL LETTER A at column 5 is an invisible tag", 4),
        ("Sora \U000e0001x", "U+E0001 LANGUAGE TAG", 5),
        ("Sora\u2062x", "U+2062 INVISIBLE TIMES", 4),
        ("Sora\ufe0f", "U+FE0F VARIATION SELECTOR-16 at column 5 is invisible", 4),
        ("Sora\u3164", "U+3164 HANGUL FILLER at column 5 is invisible", 4),
        ("Sora\u0600", "U+0600 ARABIC NUMBER SIGN at column 5 is a format character", 4),
    ],
)
def test_invisible_characters_are_refused_by_name_with_a_caret_under_them(
    query: str, named: str, column: int
) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(query)
    assert named in str(caught.value)
    assert "type the query without it" in str(caught.value)
    assert caught.value.start == column
    assert caught.value.pointer().split("\n")[1].index("^") == column


@pytest.mark.parametrize(
    ("query", "understood"),
    [
        # RFC 5892 CONTEXTJ: ZWNJ between joining Arabic-script letters (Persian "mi-khaham")
        # and ZWJ after a virama (Devanagari) shape the word visibly; they stay, as separators.
        (
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
            '"\u0645\u06cc \u062e\u0648\u0627\u0647\u0645"',
        ),
        ("\u0915\u094d\u200d\u0937", '"\u0915\u094d \u0937"'),
    ],
)
def test_joiners_that_shape_a_script_visibly_are_accepted(query: str, understood: str) -> None:
    assert parse_query(query).describe() == understood


def test_a_soft_hyphen_is_a_hyphenation_hint_and_is_dropped() -> None:
    # Feed text loses its soft hyphens too (bot.text.clean_text), so the watch means the word
    # it looks like: Hollywood, not the phrase "holly wood".
    query = parse_query("Holly\u00adwood")
    assert query.describe() == "hollywood"
    assert query.text == "Hollywood"


@pytest.fixture
def db(tmp_path: Path) -> Store:
    return open_db(tmp_path / "nw.db")


def test_chat_refuses_an_invisible_character_and_stores_nothing(
    db: Store,
) -> None:
    reply = handle(db, Command("watch", "add Zwsp\u200bwatch", "slack:C1", "U1", True), NOW)
    assert not reply.ok
    assert "U+200B ZERO WIDTH SPACE at column 5 is invisible" in reply.text
    assert "\n    ^\n" in reply.text  # the caret under the character, in the code block
    assert db.execute("SELECT COUNT(*) FROM watches").fetchone()[0] == 0


def test_chat_stores_a_soft_hyphened_word_as_the_word(db: Store) -> None:
    handle(db, Command("watch", "add Holly\u00adwood", "slack:C1", "U1", True), NOW)
    assert db.execute("SELECT query FROM watches").fetchall() == [("Hollywood",)]
    reply = handle(db, Command("watch", "remove Hollywood", "slack:C1", "U1", True), NOW)
    assert reply.ok


def test_a_watchlist_file_with_an_invisible_character_names_the_file_and_the_key(
    tmp_path: Path,
) -> None:
    path = tmp_path / "team.toml"
    path.write_text('[[watch]]\nquery = "Sora"\n[[watch]]\nquery = "\\u202eWGA"\n', "utf-8")
    with pytest.raises(WatchlistError) as caught:
        load_watchlist(str(path), tmp_path)
    message = str(caught.value)
    assert str(path) in message and "watch[1].query" in message
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in message


def test_the_command_line_refuses_an_invisible_character_with_a_caret(tmp_path: Path) -> None:
    from tests.pipeline_helpers import write_config
    from tests.test_cli import newswatch

    config = write_config(tmp_path, watches=["Sora"])
    result = newswatch("--config", str(config), "watch", "add", "Zwsp\u200bwatch", cwd=tmp_path)
    assert result.returncode == 2
    assert "U+200B ZERO WIDTH SPACE at column 5 is invisible" in result.stderr
    assert "\n    ^\n" in result.stderr
