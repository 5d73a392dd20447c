"""What a feed repeats under every item says nothing of any one event (bot.stories.feedwords):
its boilerplate summary terms are dropped, its subject weighs little, so unrelated items of one
feed do not merge on them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.store.db import Store, open_db
from bot.stories import feedwords, terms
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


def test_a_headline_term_in_most_headlines_is_the_feeds_subject() -> None:
    assert feed_words(entries(), terms_of).subject == {"sora"}


@pytest.mark.parametrize("count", [1, feedwords.MIN_ITEMS - 1])
def test_a_feed_of_few_items_repeats_nothing(count: int) -> None:
    assert feed_words(entries()[:count], terms_of) == NO_FEED_WORDS


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
