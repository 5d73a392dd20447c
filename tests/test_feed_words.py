"""What a feed repeats under every item says nothing of any one event (bot.stories.feedwords):
its boilerplate summary terms are dropped, its subject weighs little, so unrelated items of one
feed do not merge on them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.store.db import Store, open_db
from bot.stories import terms
from bot.stories.feedwords import NO_FEED_WORDS, feed_words
from bot.stories.terms import story_text, terms_of
from tests.pipeline_helpers import NOW
from tests.story_helpers import file_copy

TAGLINE = "The post appeared first on Zorblat Weekly, your Kubrickian cinema digest."
TITLES = [
    "Sora opens in Paris",
    "Sora pricing tiers leak",
    "Sora lands on Android tablets",
    "Cameo sharing comes to Sora",
]


def entries(summary: str = TAGLINE) -> list[tuple[str, str]]:
    return [(title, summary) for title in TITLES]


def test_a_summary_term_under_most_items_is_boilerplate() -> None:
    words = feed_words(entries(), terms_of)
    assert {"zorblat", "kubrickian"} <= words.boilerplate


@pytest.mark.parametrize("suffix", ["", " - Variety"])
def test_a_headline_term_in_most_headlines_is_the_feeds_subject(suffix: str) -> None:
    """A publisher suffix is no headline term (bot.stories.titles), however often it recurs."""
    feed = [(title + suffix, TAGLINE) for title in TITLES]
    assert feed_words(feed, terms_of).subject == {"sora"}


@pytest.mark.parametrize("count", [1, 3])
def test_a_feed_of_fewer_than_four_items_repeats_nothing(count: int) -> None:
    assert feed_words(entries()[:count], terms_of) == NO_FEED_WORDS


def ten_items(titled: int = 0, summarized: int = 0) -> list[tuple[str, str]]:
    """Ten items of distinct words, `Zorblat` in the first `titled` headlines and the first
    `summarized` summaries."""
    return [
        (
            f"{'Zorblat ' if n < titled else ''}Vantorqe{chr(97 + n)} opens",
            f"{'Zorblat ' if n < summarized else ''}Maldrekk{chr(97 + n)} backs it",
        )
        for n in range(10)
    ]


@pytest.mark.parametrize(("items", "boilerplate"), [(3, False), (4, True)])
def test_a_summary_term_under_more_than_three_in_ten_items_is_boilerplate(
    items: int, boilerplate: bool
) -> None:
    assert ("zorblat" in feed_words(ten_items(summarized=items), terms_of).boilerplate) is (
        boilerplate
    )


@pytest.mark.parametrize(("items", "subject"), [(5, False), (6, True)])
def test_a_headline_term_in_more_than_half_the_headlines_is_the_subject(
    items: int, subject: bool
) -> None:
    assert ("zorblat" in feed_words(ten_items(titled=items), terms_of).subject) is subject


@pytest.mark.parametrize(("titled", "subject"), [(3, False), (4, True)])
def test_a_subject_is_in_at_least_four_headlines(titled: int, subject: bool) -> None:
    """Three of five headlines naming `Zorblat` are three events about it, not the feed's
    subject: their copies elsewhere must find them by it."""
    five = ten_items(titled=titled)[:5]
    assert ("zorblat" in feed_words(five, terms_of).subject) is subject


@pytest.mark.parametrize("where", ["title", "summary"])
def test_a_word_repeated_within_one_item_counts_once(where: str) -> None:
    repeated = "Zorblat zorblat zorblat zorblat"
    feed = entries("")
    feed[0] = (repeated, "") if where == "title" else (TITLES[0], repeated)
    words = feed_words(feed, terms_of)
    assert "zorblat" not in words.boilerplate | words.subject


@pytest.mark.parametrize(
    ("before", "read"), [(terms.SUMMARY_TOKENS - 1, True), (terms.SUMMARY_TOKENS, False)]
)
def test_a_summary_is_read_as_far_as_a_copys_terms_are(before: int, read: bool) -> None:
    words = feed_words(entries("the " * before + "Zorblat"), terms_of)
    assert ("zorblat" in words.boilerplate) is read


def test_a_tagline_adds_no_term_to_a_copy_of_its_feed() -> None:
    words = feed_words(entries(), terms_of)
    assert story_text(TITLES[0], TAGLINE, words).weights == story_text(TITLES[0], "", words).weights


def test_boilerplate_is_no_term_and_the_subject_weighs_little() -> None:
    words = feed_words(entries(), terms_of)
    plain, in_feed = story_text(TITLES[0], TAGLINE), story_text(TITLES[0], TAGLINE, words)
    assert "zorblat" in plain.weights and "zorblat" not in in_feed.weights
    assert in_feed.weights["sora"] == pytest.approx(plain.weights["sora"] * terms.SUBJECT_WEIGHT)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Store]:
    store = open_db(tmp_path / "nw.db")
    yield store
    store.conn.close()


def test_items_of_one_feed_do_not_merge_on_what_it_repeats(db: Store) -> None:
    words = feed_words(entries(), terms_of)
    stories = {
        file_copy(db, title, NOW + n, summary=TAGLINE, feed=words).story_id
        for n, title in enumerate(TITLES)
    }
    assert len(stories) == len(TITLES)


def test_without_the_feeds_words_the_same_items_merge(db: Store) -> None:
    """The control: what the test above guards against does happen."""
    stories = {file_copy(db, t, NOW + n, summary=TAGLINE).story_id for n, t in enumerate(TITLES)}
    assert len(stories) < len(TITLES)
