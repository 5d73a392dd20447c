"""The story engine's terms as a table: rare words weigh most, common words nothing, English
words by their stem, spaceless scripts by character pairs, the summary less than the title."""

from __future__ import annotations

import pytest

from bot.stories import terms
from bot.stories.terms import story_text


def test_a_rare_name_weighs_more_than_an_everyday_word() -> None:
    weights = story_text("Kubrick estate sues", "").weights
    assert weights["kubrick"] > weights["estat"] > 0


@pytest.mark.parametrize("word", ["the", "says", "new", "first", "and"])
def test_everyday_words_are_no_terms(word: str) -> None:
    assert word not in story_text(f"Sora {word} premiere", "").weights


@pytest.mark.parametrize(
    ("a", "b"),
    [("Union ratifies deal", "Union ratified deal"), ("Actors rehearsing", "Actor rehearses")],
)
def test_inflections_of_one_english_word_are_one_term(a: str, b: str) -> None:
    assert set(story_text(a, "").weights) == set(story_text(b, "").weights)


def test_a_spaceless_run_becomes_character_pairs_and_latin_names_stay_whole() -> None:
    text = story_text("OpenAIがSoraで提携", "")
    assert {"openai", "sora", "提携"} <= set(text.weights)
    assert text.latin == {"openai", "sora"}


def test_the_publisher_suffix_is_no_term() -> None:
    assert "variety" not in story_text("Sora opens to filmmakers - Variety", "").weights


def test_a_summary_term_weighs_less_than_the_same_rarity_in_the_title() -> None:
    text = story_text("Vantorqe estate sues", "Maldrekk backs the claim")  # names in no list
    weights = {text.spelled[term]: weight for term, weight in text.weights.items()}
    assert weights["maldrekk"] == pytest.approx(weights["vantorqe"] * terms.SUMMARY_WEIGHT)


def test_only_the_rarest_summary_terms_count() -> None:
    summary = " ".join(f"zqx{chr(97 + n)}{chr(97 + m)}" for n in range(10) for m in range(10))
    assert len(story_text("Sora", summary).weights) == 1 + terms.SUMMARY_TERMS


def test_terms_are_spelled_as_written_for_evidence() -> None:
    assert story_text("Union ratifies deal", "").spelled["ratifi"] == "ratifies"
