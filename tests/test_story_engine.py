"""SPEC "Stories" on a real SQLite file: a copy joins a stored story by canonical URL, or by
reporting the same event within 72 h (shared rare terms, found through the term index);
near misses one name or number apart, and different events about one subject, stay apart;
every placement records its evidence; the alert shows the story's best copy."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from bot.store.db import Store, open_db
from bot.store.stories import (
    add_to_centroid,
    best_copy,
    centroids,
    new_story,
    stories_using,
    stories_with_terms,
    story_titles,
)
from bot.stories import engine
from bot.stories.engine import StoryEngine
from bot.stories.terms import story_text
from tests.pipeline_helpers import HOUR, NOW
from tests.story_helpers import file_copy, source

VARIETY = "OpenAI Courts Hollywood Studios With Sora Licensing Program - Variety"
VERGE = "OpenAI wants Hollywood to make its next blockbuster with Sora"
JAPANESE = "OpenAI、Hollywoodの映画スタジオにSoraの使用許諾プログラムを提案"
JAPANESE_IN_KATAKANA = "OpenAI、ハリウッド大手スタジオに「Sora」ライセンスを提案　米報道"
KOREAN = "OpenAI, 할리우드 스튜디오에 'Sora' 라이선스 프로그램 제안"
JAPANESE_OTHER_EVENT = "OpenAIの動画アプリ「Sora」、1000万ダウンロードを突破"


@pytest.fixture
def db(any_store: Store) -> Store:
    """An empty store, SQLite or PostgreSQL (each test runs on both)."""
    return any_store


def story_of(db: Store, title: str, at: float = NOW, link: str | None = None) -> int:
    return file_copy(db, title, at, link).story_id


# ---------------------------------------------------------------- by canonical URL


def test_copies_at_one_canonical_url_are_one_story_whatever_their_titles(db: Store) -> None:
    first = story_of(db, "Studio deal announced", link="https://www.deadline.com/a?utm_source=x")
    copy = file_copy(db, "Totally different words", NOW, "http://deadline.com/a/")
    assert copy.story_id == first
    assert copy.evidence == {"rule": "url", "canonical": "deadline.com/a"}


def test_copies_at_different_canonical_urls_are_not_joined_by_url(db: Store) -> None:
    first = story_of(db, "Studio deal announced", link="https://a.example/1")
    copy = file_copy(db, "Totally different words", NOW, "https://a.example/2")
    assert copy.story_id != first


def test_a_canonical_url_stays_with_the_story_that_filed_it_first(db: Store) -> None:
    first = story_of(db, "Studio deal announced", link="https://a.example/1")
    other = file_copy(db, "Other story", NOW, "https://a.example/2", story=new_story(db, NOW, NOW))
    file_copy(db, "Again", NOW, "https://a.example/1", story=other.story_id)
    assert file_copy(db, "Third", NOW, "https://a.example/1").story_id == first


# ---------------------------------------------------------------- by event


def test_one_event_under_three_headlines_from_three_outlets_is_one_story(db: Store) -> None:
    stories = {story_of(db, VARIETY), story_of(db, VERGE), story_of(db, JAPANESE)}
    assert len(stories) == 1


def test_a_copy_in_another_script_joins_on_the_names_it_shares(db: Store) -> None:
    first = story_of(db, VARIETY)
    copy = file_copy(db, JAPANESE, NOW + HOUR)
    assert copy.story_id == first
    assert set(copy.evidence["shared"]) == {"openai", "sora", "hollywood"}


@pytest.mark.parametrize("title", [JAPANESE_IN_KATAKANA, KOREAN], ids=["katakana", "hangul"])
def test_a_copy_in_another_script_joins_on_the_names_it_writes_in_its_own_letters(
    db: Store, title: str
) -> None:
    first = story_of(db, VARIETY)
    copy = file_copy(db, title, NOW + HOUR)
    assert copy.story_id == first
    assert {"openai", "sora"} <= set(copy.evidence["shared"])
    assert any(shared.startswith("hollywood (") for shared in copy.evidence["shared"])


def test_a_copy_in_another_script_finds_its_story_by_names_every_story_uses(db: Store) -> None:
    # Seven earlier stories name OpenAI and Sora: the two weigh less than the copy's kana.
    for n in range(7):
        story_of(db, f"OpenAI's Sora {n + 1} event", NOW - 10 * HOUR + n)
    first = story_of(db, VARIETY)
    assert story_of(db, JAPANESE_IN_KATAKANA, NOW + HOUR) == first


def test_a_story_in_another_script_is_found_by_a_copy_in_latin_letters(db: Store) -> None:
    first = story_of(db, JAPANESE_IN_KATAKANA)
    assert story_of(db, VARIETY, NOW + HOUR) == first


@pytest.mark.parametrize(
    "copy",
    [
        "ネットフリックス、韓国コンテンツに4年で25億ドル投資",
        "넷플릭스, 4년간 한국 콘텐츠에 25억 달러 투자",
    ],
)
def test_a_copy_in_another_script_shares_an_amount_it_writes_in_myriads(
    db: Store, copy: str
) -> None:
    """`25億ドル` and `25억 달러` are `$2.5 billion`: with Netflix and content, three shared."""
    first = story_of(db, "Netflix to Invest $2.5 Billion in Korean Content Over Four Years")
    assert story_of(db, copy, NOW + HOUR) == first


def test_a_copy_in_another_script_sharing_only_two_names_is_its_own_story(db: Store) -> None:
    assert story_of(db, JAPANESE_OTHER_EVENT, NOW + HOUR) != story_of(db, VARIETY)


def test_a_second_copy_in_a_spaceless_script_joins_when_it_agrees_with_the_first(
    db: Store,
) -> None:
    first = story_of(db, VARIETY)
    assert story_of(db, JAPANESE_IN_KATAKANA, NOW + HOUR) == first
    again = "OpenAIがハリウッドの大手スタジオに「Sora」のライセンスを提案"
    assert story_of(db, again, NOW + 2 * HOUR) == first


def test_a_copy_in_a_spaceless_script_must_agree_with_the_storys_copies_in_it(db: Store) -> None:
    first = story_of(db, "OpenAI Sora Hollywood studios licensing program unveiled")
    story_of(db, "OpenAI、Sora Hollywood向けライセンス制度を発表", NOW + 1)
    other = "OpenAI、Sora Hollywood版のアニメ制作会社3社と提携、国内で"
    assert story_of(db, other, NOW + 2) != first


def test_a_merge_records_the_rule_the_score_and_the_shared_terms(db: Store) -> None:
    first = file_copy(db, VARIETY, NOW)
    copy = file_copy(db, VERGE, NOW + HOUR)
    assert copy.story_id == first.story_id
    assert copy.evidence["rule"] == "event"
    assert engine.MERGE_SCORE <= copy.evidence["score"] <= 1.0
    assert {"openai", "sora", "hollywood"} <= set(copy.evidence["shared"])
    assert copy.evidence["with"] == first.item_id


def test_a_first_copy_records_that_it_began_its_story(db: Store) -> None:
    assert file_copy(db, VARIETY, NOW).evidence == {"rule": "first"}


@pytest.mark.parametrize(
    ("later", "apart"),
    [(71 * HOUR, False), (72 * HOUR, False), (73 * HOUR, True), (-73 * HOUR, True)],
    ids=["71h later", "72h later", "73h later", "73h earlier"],
)
def test_copies_of_one_event_merge_only_within_72_hours(
    db: Store, later: float, apart: bool
) -> None:
    first = story_of(db, VARIETY)
    assert (story_of(db, VERGE, NOW + later) != first) is apart


@pytest.mark.parametrize(
    ("repeated", "later", "together"),
    [
        (0, 5 * HOUR, True),
        (0, 7 * HOUR, False),
        (4 * HOUR, 9 * HOUR, True),
        (4 * HOUR, -3 * HOUR, True),
        (0, -7 * HOUR, False),
    ],
    ids=[
        "in the story's first hours",
        "after them",
        "within hours of its newest copy",
        "an older copy read later, within hours of its earliest",
        "an older copy long before it",
    ],
)
def test_a_copy_in_the_burst_of_a_story_joins_it_on_less(
    db: Store, repeated: float, later: float, together: bool
) -> None:
    headline = "Mt. Gox Seeks U.S. Court Shield During Japan Bankruptcy"
    first = story_of(db, headline)
    if repeated:
        assert story_of(db, headline, NOW + repeated, link="https://b.example/1") == first
    copy = file_copy(db, "Bitcoin exchange seeks U.S. bankruptcy protection", NOW + later)
    assert (copy.story_id == first) is together
    if together:
        assert engine.BURST_SCORE <= copy.evidence["score"] < engine.MERGE_SCORE


def test_headlines_sharing_only_common_words_are_different_stories(db: Store) -> None:
    first = story_of(db, "New report says the market will grow this year")
    assert story_of(db, "New report says the weather will change this week") != first


@pytest.mark.parametrize(
    ("first", "copy"),
    [
        (
            "Wall St opens lower after S&P's record close",
            "US STOCKS SNAPSHOT-Wall St opens lower after S&P's record close",
        ),
        ("Gold price falls to one-month low", "Gold falls to one-month low on strong dollar"),
    ],
)
def test_copies_worded_in_everyday_words_are_one_story(db: Store, first: str, copy: str) -> None:
    """Common words count, at half their rarity: a headline of few rare words has them."""
    story = story_of(db, first)
    assert story_of(db, copy, NOW + HOUR) == story


def test_a_headline_whose_one_rare_word_is_shared_joins_on_it_and_everyday_words(
    db: Store,
) -> None:
    """A copy must share as many telling terms as it has, up to two: here one, `Carney`."""
    story = story_of(db, "Carney says the market data is clear")
    assert story_of(db, "Market data is clear, says Carney", NOW + HOUR) == story


def test_headlines_sharing_one_name_and_everyday_words_are_different_events(db: Store) -> None:
    first = story_of(db, "OpenAI report says the market will grow")
    assert story_of(db, "OpenAI report says the weather will change", NOW + HOUR) != first


def test_headlines_sharing_only_one_name_are_different_events(db: Store) -> None:
    first = story_of(db, "Sora goes public")
    assert story_of(db, "Sora adds sound", NOW + HOUR) != first


def test_a_copy_with_much_to_say_must_share_more_than_its_subject(db: Store) -> None:
    clips = file_copy(
        db,
        "OpenAI says Sora can now generate minute-long clips",
        NOW,
        summary="The update doubles the maximum clip length and adds synchronized audio.",
    )
    downloads = file_copy(
        db,
        "OpenAI's Sora app tops 10 million downloads in five weeks",
        NOW + HOUR,
        summary="The invite-only app reached the mark faster than ChatGPT did.",
    )
    assert downloads.story_id != clips.story_id
    same_event = file_copy(
        db,
        "OpenAI's Sora can now generate minute-long videos",
        NOW + 2 * HOUR,
        summary="The clip length doubles, with synchronized audio for dialogue.",
    )
    assert same_event.story_id == clips.story_id


def test_empty_titles_never_merge(db: Store) -> None:
    assert story_of(db, "") != story_of(db, "", NOW + 1)


# ---------------------------------------------------------------- kept apart


@pytest.mark.parametrize(
    ("first", "second", "reason"),
    [
        (
            "WGA East Ratifies First Contract at Vox Media",
            "WGA East Ratifies First Contract at Vice Media",
            "'vice' vs 'vox'",
        ),
        ("Writers Strike Enters Day 100", "Writers Strike Enters Day 101", "'101' vs '100'"),
        (
            "Netflix Q2 subscriber growth beats forecasts",
            "Netflix Q3 subscriber growth beats forecasts",
            "'q3' vs 'q2'",
        ),
        (
            "HBO renews The Last of Us for Season 3",
            "HBO renews The Last of Us for Season 4",
            "'4' vs '3'",
        ),
    ],
)
def test_a_name_or_a_number_keeps_alike_headlines_apart_and_says_why(
    db: Store, first: str, second: str, reason: str
) -> None:
    earlier = file_copy(db, first, NOW)
    later = file_copy(db, second, NOW + HOUR)
    assert later.story_id != earlier.story_id
    kept = later.evidence["kept_apart"]
    assert kept[0]["story"] == earlier.story_id
    assert kept[0]["reason"].startswith(reason)


@pytest.mark.parametrize(
    "headlines",
    [
        [
            "SAG-AFTRA reaches tentative deal with studios over AI protections",
            "SAG-AFTRA members ratify contract with studios over AI protections",
            "SAG-AFTRA calls strike against studios over AI protections",
        ],
        [
            "Meridian Pictures sues Framewise over AI training on its films",
            "Judge rules Meridian Pictures may pursue Framewise over AI training on its films",
            "Meridian Pictures and Framewise settle over AI training on its films",
        ],
    ],
)
def test_different_events_about_one_subject_are_different_stories(
    db: Store, headlines: list[str]
) -> None:
    stories = [story_of(db, title, NOW + n * HOUR) for n, title in enumerate(headlines)]
    assert len(set(stories)) == len(headlines)


def test_a_copy_kept_apart_from_one_story_may_still_join_another(db: Store) -> None:
    vox = story_of(db, "WGA East Ratifies First Contract at Vox Media")
    vice = story_of(db, "WGA East Ratifies First Contract at Vice Media", NOW + HOUR)
    again = story_of(db, "WGA East ratifies its first contract at Vice Media", NOW + 2 * HOUR)
    assert vox != vice
    assert again == vice


# ---------------------------------------------------------------- the index


def test_the_outcome_is_the_same_for_the_same_copies_in_the_same_order(tmp_path: Path) -> None:
    titles = [VARIETY, VERGE, "Writers Strike Enters Day 100", JAPANESE, "Strike Enters Day 101"]

    def run(name: str) -> list[int]:
        db = open_db(tmp_path / name)
        return [story_of(db, title, NOW + n) for n, title in enumerate(titles)]

    assert run("a.db") == run("b.db")


def test_a_lookup_reads_at_most_the_newest_stories_per_term(db: Store) -> None:
    stories = [new_story(db, NOW, NOW) for _ in range(engine.PER_TERM + 30)]
    for n, story in enumerate(stories):
        file_copy(db, f"Sora clip number {n} posted", NOW + n, story=story)
    found = stories_with_terms(db, ["sora", "clip"], since=NOW - HOUR, per_term=engine.PER_TERM)
    assert set(found) == set(stories[-engine.PER_TERM :])


def test_a_term_that_many_stories_use_weighs_less_than_a_rare_one(db: Store) -> None:
    text = story_text("Sora premiere draws Kubrick fans", "")
    before = StoryEngine(db)._weights(text)
    for n in range(200):
        file_copy(db, f"Sora news {n}", NOW + n, story=new_story(db, NOW, NOW))
    after = StoryEngine(db)._weights(text)
    assert after["sora"] < before["sora"]
    assert after["kubrick"] == before["kubrick"]


# ---------------------------------------------------------------- the centroid


def test_a_storys_centroid_is_the_sum_of_its_copies_weights_and_its_norms_their_length(
    db: Store,
) -> None:
    story = new_story(db, NOW, NOW)
    add_to_centroid(db, story, {"sora": 2.0, "提携": 1.0}, {"sora"}, NOW)
    add_to_centroid(db, story, {"sora": 1.0, "kubrick": 3.0}, {"sora", "kubrick"}, NOW + 1)
    held = centroids(db, [story], ["sora", "kubrick", "提携"])[story]
    assert held.weights == {"sora": 3.0, "kubrick": 3.0, "提携": 1.0}
    assert (held.norm, held.latin_norm) == pytest.approx((math.sqrt(19.0), math.sqrt(18.0)))


def test_a_story_dates_from_its_earliest_copy_and_is_found_until_its_latest(db: Store) -> None:
    story = new_story(db, NOW + 10, NOW + 10)
    add_to_centroid(db, story, {"sora": 1.0}, {"sora"}, NOW + 10)
    add_to_centroid(db, story, {"sora": 1.0}, {"sora"}, NOW)  # an older copy, filed later
    assert centroids(db, [story], [])[story].published == NOW
    assert story in stories_with_terms(db, ["sora"], since=NOW + 5, per_term=10)


def test_the_store_counts_its_stories_and_each_term_once_a_story(db: Store) -> None:
    first, second = new_story(db, NOW, NOW), new_story(db, NOW, NOW)
    for story in (first, first, second):
        add_to_centroid(db, story, {"sora": 1.0}, {"sora"}, NOW)
    assert stories_using(db, ["sora", "kubrick"]) == (2, {"sora": 2})


def test_a_copy_with_more_terms_than_a_statement_binds_is_counted_whole(db: Store) -> None:
    story = new_story(db, NOW, NOW)
    weights = {f"term{n:04d}": 1.0 for n in range(1000)}
    add_to_centroid(db, story, weights, set(weights), NOW)
    assert set(centroids(db, [story], weights)[story].weights) == set(weights)
    assert stories_using(db, weights)[1] == dict.fromkeys(weights, 1)


def test_a_storys_newest_copies_are_compared_newest_first(db: Store) -> None:
    story = new_story(db, NOW, NOW)
    ids = [file_copy(db, f"Sora clip {n}", NOW, story=story).item_id for n in range(4)]
    file_copy(db, "Another story entirely", NOW, story=new_story(db, NOW, NOW))
    assert story_titles(db, story, 2) == [(ids[3], "sora clip 3"), (ids[2], "sora clip 2")]


# ---------------------------------------------------------------- the best copy

PUBLISHER = "https://variety.com/2026/sora"
GOOGLE = "https://news.google.com/rss/articles/CBMiXYZ"


@pytest.mark.parametrize(
    ("copies", "best"),
    [
        # (feed kind, link, summary, published offset); the best copy's index
        ([("search", PUBLISHER, "s", 0), ("feed", PUBLISHER, "s", 10)], 1),  # own feed first
        ([("feed", None, "s", 0), ("feed", PUBLISHER, "s", 10)], 1),  # a link beats none
        ([("feed", GOOGLE, "s", 0), ("feed", PUBLISHER, "s", 10)], 1),  # not the wrapper
        ([("feed", PUBLISHER, "", 0), ("feed", PUBLISHER, "s", 10)], 1),  # with a summary
        ([("feed", PUBLISHER, "s", 10), ("feed", PUBLISHER, "s", 0)], 1),  # the earliest
        ([("feed", PUBLISHER, "s", 0), ("feed", PUBLISHER, "s", 0)], 0),  # then the first
    ],
)
def test_the_best_copy_is_the_publishers_own_then_the_earliest(
    db: Store, copies: list[tuple[str, str | None, str, float]], best: int
) -> None:
    feed = source(db, "https://feeds.example/rss")
    search = source(db, "https://news.google.com/rss/search?q=wga", template="{query}")
    story = new_story(db, NOW, NOW)
    ids = [
        file_copy(
            db,
            f"{VARIETY} {n}",
            NOW + offset,
            link and f"{link}/{n}",
            story=story,
            source_id=search if kind == "search" else feed,
            summary=summary,
        ).item_id
        for n, (kind, link, summary, offset) in enumerate(copies)
    ]
    assert best_copy(db, story) == ids[best]
