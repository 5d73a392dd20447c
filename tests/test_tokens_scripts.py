"""SPEC "Query language": runs of scripts written without spaces (Han, Hiragana, Katakana,
Hangul, Thai) are tokens of their own, split from neighbouring Latin letters and digits;
every other letter, digit or mark is part of a word; text is NFKC-normalised and case-folded.
"""

from __future__ import annotations

import pytest

from bot.match.tokens import is_spaceless, tokenize

SPACELESS_RUNS = [
    pytest.param("ภาษาไทย", id="thai"),
    pytest.param("ที่นี่", id="thai-with-tone-marks"),  # Mn marks stay inside the run
    pytest.param("한국어", id="hangul-syllables"),
    pytest.param("\u1102\u1103", id="hangul-jamo"),
    pytest.param("\ua961\ua962", id="hangul-jamo-extended-a"),
    pytest.param("ひらがな", id="hiragana"),
    pytest.param("カタカナ", id="katakana"),
    pytest.param("\u31f1\u31f2", id="katakana-phonetic-extensions"),
    pytest.param("一二三", id="han"),
    pytest.param("\u4db5", id="han-extension-a"),
    pytest.param("\U0002a700", id="han-extension-c"),
    pytest.param("\ufa0e", id="han-compatibility"),  # one NFKC leaves as it is
    pytest.param("人々", id="han-iteration-mark"),
]


@pytest.mark.parametrize("run", SPACELESS_RUNS)
def test_a_spaceless_script_is_a_token_of_its_own_between_latin_and_digits(run: str) -> None:
    assert tokenize(f"OpenAI{run}2026") == ["openai", run, "2026"]
    assert is_spaceless(run)


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("हिन्दी", ["हिन्दी"]),  # Devanagari is spaced: its marks stay in the word
        ("abcΐ123", ["abcΐ123"]),
        ("Ελλάδα", ["ελλάδα"]),
    ],
)
def test_letters_and_marks_of_spaced_scripts_join_their_neighbours(
    text: str, tokens: list[str]
) -> None:
    assert tokenize(text) == tokens
    assert not any(is_spaceless(token) for token in tokens)


@pytest.mark.parametrize("word", ["sora", "2026", "ελλάδα", "हिन्दी", ""])
def test_words_of_spaced_scripts_are_not_spaceless(word: str) -> None:
    assert not is_spaceless(word)


def test_punctuation_inside_a_spaceless_run_separates_it() -> None:
    assert tokenize("東京・大阪で") == ["東京", "大阪で"]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("STRASSE", "Straße"),  # case folding, not lower-casing
        ("\u0390", "\u0399\u0308\u0301"),  # casefold decomposes; normalised again after
        ("ＳＯＲＡ２", "sora2"),  # NFKC
        ("\u210collywood", "Hollywood"),  # NFKC first: a Fraktur H has no lower case of its own
        ("Sora 2", "sora 2"),
    ],
)
def test_text_is_compared_after_nfkc_and_case_folding(a: str, b: str) -> None:
    assert tokenize(a) == tokenize(b)


def test_a_case_folded_letter_is_one_composed_character() -> None:
    assert tokenize("\u0390") == ["\u0390"]
