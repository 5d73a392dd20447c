"""The story engine's terms as a table: rare words weigh most, common words nothing, English
words by their stem, spaceless scripts by character pairs, the summary less than the title."""

from __future__ import annotations

import pytest

from bot.stories.feedwords import NO_FEED_WORDS, FeedWords
from bot.stories.prior import zipf
from bot.stories.terms import story_text


@pytest.mark.parametrize(("word", "term"), [("says", "say"), ("market", "market")])
def test_a_common_headline_word_weighs_half_and_tells_no_event(word: str, term: str) -> None:
    assert 5.2 <= zipf(word) < 6.0  # everyday, not common enough to drop
    text = story_text(f"Sora {word} premiere", "")
    assert text.weights[term] == pytest.approx((8.0 - zipf(word)) * 0.5)
    assert text.everyday == {term}


def test_of_many_everyday_words_a_headline_keeps_its_three_rarest() -> None:
    words = ["says", "market", "report", "data", "shows", "record", "price"]
    text = story_text("Sora " + " ".join(words), "")
    rarest = sorted(words, key=zipf)[:3]
    assert {text.spelled[term] for term in text.everyday} == set(rarest)
    assert len(text.weights) == 1 + 3


def test_a_common_word_of_a_summary_is_no_term() -> None:
    assert story_text("Sora", "Vantorqe says").weights.keys() == {"sora", "vantorq"}


@pytest.mark.parametrize(
    ("title", "term", "weight"),
    [
        ("SAG-AFTRA members ratify", "sag_aftra", 7.0),  # `aftra` is in no list
        ("Stocks at one-month low", "one_month", (8.0 - zipf("month")) * 0.5),  # everyday
    ],
)
def test_a_word_with_inner_punctuation_is_as_rare_as_its_rarest_part(
    title: str, term: str, weight: float
) -> None:
    assert story_text(title, "").weights[term] == pytest.approx(weight, abs=0.01)


def test_a_rare_name_weighs_more_than_an_everyday_word() -> None:
    weights = story_text("Kubrick estate sues", "").weights
    assert weights["kubrick"] > weights["estat"] > 0


# Everyday in English, in German only (`nicht`), in the Romance languages, in Japanese.
@pytest.mark.parametrize("word", ["the", "new", "first", "and", "und", "nicht", "que", "ます"])
def test_everyday_words_are_no_terms(word: str) -> None:
    assert (
        story_text(f"Sora {word} premiere", "").weights == story_text("Sora premiere", "").weights
    )


@pytest.mark.parametrize(
    ("title", "summary", "feed", "term", "weight"),
    [
        ("Vantorqe premiere", "", NO_FEED_WORDS, "vantorq", 7.0),  # in no word list: 8 - 1
        ("Strike day 100", "", NO_FEED_WORDS, "100", 3.5),  # a number: 8 - 4.5
        ("Netflix Q2 profit", "", NO_FEED_WORDS, "q2", 3.5),  # a token holding a digit
        ("OpenAIがSoraで提携", "", NO_FEED_WORDS, "で提", 1.0),  # a pair no list holds
        ("Sora", "Vantorqe backs it", NO_FEED_WORDS, "vantorq", 2.8),  # a summary's: 0.4
        ("Vantorqe premiere", "", FeedWords(subject=frozenset({"vantorq"})), "vantorq", 1.75),
    ],
    ids=["unlisted", "number", "digit", "pair", "summary", "feed subject"],
)
def test_a_term_weighs_eight_less_its_everyday_frequency_scaled_by_where_it_stands(
    title: str, summary: str, feed: FeedWords, term: str, weight: float
) -> None:
    assert story_text(title, summary, feed).weights[term] == pytest.approx(weight)


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


@pytest.mark.parametrize("suffix", [" - Variety", " - Deadline"])
def test_the_publisher_suffix_is_no_term(suffix: str) -> None:
    title = "Sora opens to filmmakers"
    assert story_text(title + suffix, "").weights == story_text(title, "").weights


@pytest.mark.parametrize(
    ("title", "term", "spelled"),
    [
        ("SAG-AFTRA members ratify", "sag_aftra", "sag-aftra"),
        ("Jos.A.Bank sold", "jos_bank", "jos-bank"),
    ],
)
def test_a_name_written_with_inner_punctuation_is_one_term(
    title: str, term: str, spelled: str
) -> None:
    text = story_text(title, "")
    assert text.spelled[term] == spelled
    assert not {"sag", "aftra", "jos", "bank"} & set(text.weights)


def test_a_lone_character_of_a_spaceless_script_is_a_term() -> None:
    assert "鯖" in story_text("Sora 鯖", "").weights


def test_a_summary_term_weighs_less_than_the_same_rarity_in_the_title() -> None:
    text = story_text("Vantorqe estate sues", "Maldrekk backs the claim")  # names in no list
    weights = {text.spelled[term]: weight for term, weight in text.weights.items()}
    assert weights["maldrekk"] == pytest.approx(weights["vantorqe"] * 0.4)


def test_a_title_term_repeated_in_the_summary_keeps_its_title_weight() -> None:
    title = "Vantorqe estate sues"
    assert story_text(title, "Vantorqe").weights == story_text(title, "").weights


def test_only_the_12_rarest_summary_terms_count() -> None:
    summary = " ".join(f"zqx{chr(97 + n)}{chr(97 + m)}" for n in range(10) for m in range(10))
    assert len(story_text("Sora", summary).weights) == 1 + 12


def test_of_a_long_summary_the_rarest_terms_are_kept() -> None:
    listed = "budget premiere festival script contract ticket actor cinema sequel trailer casting"
    text = story_text("Sora", f"{listed} producer Vantorqe")  # 13 terms: the commonest goes
    assert "vantorqe" in text.spelled.values()


@pytest.mark.parametrize(("before", "read"), [(79, True), (80, False)])
def test_a_summary_is_read_to_its_80th_token(before: int, read: bool) -> None:
    text = story_text("Sora", "the " * before + "Vantorqe")
    assert ("vantorq" in text.weights) is read


def test_a_copy_without_a_title_is_known_by_its_summary() -> None:
    text = story_text("", "Vantorqe sues Maldrekk")
    assert {"vantorqe", "maldrekk"} <= set(text.spelled.values())


def test_a_summary_that_opens_with_the_headline_adds_no_terms() -> None:
    """Google News's summary is the headline, then other outlets' headlines."""
    title = "Sora opens to filmmakers - Variety"
    summary = "Sora opens to filmmakers Variety Maldrekk strike ends Deadline"
    assert story_text(title, summary).weights == story_text(title, "").weights


@pytest.mark.parametrize(
    ("title", "term", "spelled"),
    [("Union ratifies deal", "ratifi", "ratifies"), ("OpenAIがSoraで提携", "提携", "提携")],
)
def test_terms_are_spelled_as_written_for_evidence(title: str, term: str, spelled: str) -> None:
    assert story_text(title, "").spelled[term] == spelled


@pytest.mark.parametrize(
    ("written", "term"),
    [
        ("$2 million", "2m"),
        ("$2M", "2m"),
        ("2mn", "2m"),
        ("2 mln", "2"),  # a suffix apart is a word, not a magnitude
        ("$19bn", "19bn"),
        ("$19 billion", "19bn"),
        ("$19 Billion", "19bn"),
        ("$1.5 billion", "1_5bn"),
        ("5,000 thousand", "5m"),  # groups of three digits are thousands
        ("150,000", "150k"),  # with no magnitude too, as `150k` is written
        ("2.500 millones", "2_5bn"),  # as Spanish and German write them
        ("2,500 million", "2_5bn"),
        ("1000m", "1bn"),
        ("350万台", "3_5m"),  # Japanese and Chinese count in myriads (万, 億)
        ("25億ドル", "2_5bn"),
        ("25亿美元", "2_5bn"),
        ("350만대", "3_5m"),  # and Korean (만, 억)
        ("25억 달러", "2_5bn"),
        ("4年で", "4"),  # no magnitude after it
        ("3 trillion", "3tn"),
        ("10 millones", "10m"),
        ("10 Millionen", "10m"),
        ("4 milliards", "4bn"),
        ("10k", "10k"),
        ("Q2", "q2"),  # a letter before the digits: no amount
        ("4mb", "4mb"),  # megabytes: no magnitude
        ("Day 100", "100"),  # a number with no magnitude stays itself
    ],
)
def test_an_amount_is_one_term_however_it_is_written(written: str, term: str) -> None:
    assert term in story_text(f"Vantorqe raises {written}", "").weights


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Colorado collects $2 million in pot taxes", "Colorado raises $2M in marijuana taxes"),
        ("Facebook buys WhatsApp for $19bn", "Facebook to buy WhatsApp for $19 billion"),
    ],
)
def test_one_amount_written_two_ways_is_a_shared_term(a: str, b: str) -> None:
    shared = set(story_text(a, "").weights) & set(story_text(b, "").weights)
    assert any(term[0].isdigit() for term in shared)


def test_two_amounts_stay_two_terms() -> None:
    assert "2m" in story_text("Colorado raises $2 million", "").weights
    assert "2m" not in story_text("Colorado raises $3 million", "").weights


@pytest.mark.parametrize(
    ("title", "terms"),
    [
        ("Vantorqe 3 trillion", {"vantorq", "3tn"}),  # the magnitude is in the amount only
        ("Vantorqe million", {"vantorq", "million"}),  # after a word: a word, no amount
    ],
)
def test_an_amounts_magnitude_is_no_term_of_its_own(title: str, terms: set[str]) -> None:
    assert set(story_text(title, "").weights) == terms
