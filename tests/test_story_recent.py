"""The story engine's memory of the term index (bot.stories.recent) answers every lookup as
the store would at that moment: the same stories, weights and order, the same cut per term,
ties in time broken the store's way, the centroids of the stories the engine made, and how
many stories use each term. It forgets what passes its bounds, and everything once the store
says another writer may have written (a rollback; on PostgreSQL, every new transaction)."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import Any, cast

import pytest

from bot.store import stories
from bot.store.db import Store, open_db, transaction
from bot.store.interface import Stories
from bot.store.stories import Centroid, TermRow
from bot.stories import recent as recent_module
from bot.stories.recent import RecentStories
from tests.pipeline_helpers import HOUR, NOW

TERMS = ["sora", "openai", "studio"]


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Store]:
    store = open_db(tmp_path / "nw.db")
    yield store
    store.close()


class Counting:
    """The store's stories module, counting the term rows each term was read for."""

    def __init__(self) -> None:
        self.reads: list[str] = []
        self.centroids_of: list[int] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(stories, name)

    def newest_with_terms(
        self, db: Store, terms: Sequence[str], per_term: int
    ) -> dict[str, list[TermRow]]:
        self.reads += terms
        return stories.newest_with_terms(db, terms, per_term)

    def centroids(
        self, db: Store, story_ids: Collection[int], terms: Collection[str]
    ) -> dict[int, Centroid]:
        self.centroids_of += story_ids
        return stories.centroids(db, story_ids, terms)


def counted(db: Store) -> tuple[RecentStories, Counting]:
    counting = Counting()
    return RecentStories(db, cast(Stories[Store], counting)), counting


def file(
    db: Store, recent: RecentStories, story: int, weights: dict[str, float], at: float
) -> None:
    """Add weights to a story as the engine does: the store writes, the memory follows."""
    held = recent.centroids([story], weights.keys()).get(story)
    stories.add_to_centroid(db, story, weights, set(weights), at, held=held)
    recent.filed(story, held, weights, set(weights), at)


def made(db: Store, recent: RecentStories, at: float) -> int:
    story = stories.new_story(db, at, at)
    recent.made(story, at)
    return story


def assert_same_answers(db: Store, recent: RecentStories, per_term: int) -> None:
    for since in (NOW - 10 * HOUR, NOW - 5 * HOUR, NOW - HOUR, NOW):
        got = recent.stories_with_terms(TERMS, since=since, per_term=per_term)
        want = stories.stories_with_terms(db, TERMS, since=since, per_term=per_term)
        assert all(type(story) is int for story in got)  # ids, as evidence records them
        assert [(story, list(held.items())) for story, held in got.items()] == [
            (story, list(held.items())) for story, held in want.items()
        ]
        mine = {"sora": 0.3, "openai": 0.7, "studio": 1.1}
        partial = recent.partial_scores(mine, TERMS, since=since, per_term=per_term)
        assert all(type(story) is int for story in partial)
        assert partial == {
            story: sum(mine[term] * weight for term, weight in held.items())
            for story, held in want.items()
        }


def test_lookups_match_the_store_through_ties_cuts_and_updates(db: Store) -> None:
    recent = RecentStories(db)
    ids = [stories.new_story(db, NOW, NOW) for _ in range(6)]
    for story in ids[:4]:  # four stories seen at the same moment: a tie at the cut
        file(db, recent, story, {"sora": 1.0, "openai": 2.0}, NOW - 5 * HOUR)
    assert_same_answers(db, recent, per_term=3)  # read now, kept from here on
    file(db, recent, ids[4], {"sora": 0.5, "studio": 1.5}, NOW - 5 * HOUR)  # ties again
    file(db, recent, ids[0], {"sora": 2.0}, NOW - HOUR)  # an old row moves to the front
    file(db, recent, ids[5], {"openai": 1.0}, NOW - 9 * HOUR)  # below the cut: not kept
    file(db, recent, ids[1], {"studio": 0.25}, NOW - 20 * HOUR)  # a later time stays
    file(db, recent, ids[0], {"sora": 1.0}, NOW - 8 * HOUR)  # an older copy keeps the time
    assert_same_answers(db, recent, per_term=3)
    assert_same_answers(db, recent, per_term=4)  # another cut: read again


def test_a_row_that_rises_above_the_cut_is_kept_in_its_place(db: Store) -> None:
    recent = RecentStories(db)
    ids = [stories.new_story(db, NOW, NOW) for _ in range(4)]
    for n, story in enumerate(ids):
        file(db, recent, story, {"sora": 1.0}, NOW - (n + 1) * HOUR)
    assert_same_answers(db, recent, per_term=2)  # the two newest kept
    file(db, recent, ids[3], {"sora": 1.0}, NOW - 1.5 * HOUR)  # the oldest rises to second
    file(db, recent, ids[2], {"sora": 1.0}, NOW - 1 * HOUR)  # a tie with the newest
    assert_same_answers(db, recent, per_term=2)


def test_the_centroid_of_a_story_the_engine_made_is_the_stored_one(db: Store) -> None:
    recent = RecentStories(db)
    story = made(db, recent, NOW - HOUR)
    file(db, recent, story, {"sora": 1.0, "openai": 2.0}, NOW - HOUR)
    file(db, recent, story, {"sora": 0.5, "studio": 3.0}, NOW)  # later: last_seen moves
    file(db, recent, story, {"sora": 0.5}, NOW - 2 * HOUR)  # earlier: published moves
    assert recent.centroids([story], TERMS) == stories.centroids(db, [story], TERMS)


def test_the_stories_using_each_term_are_counted_as_the_store_counts_them(db: Store) -> None:
    recent = RecentStories(db)
    first, second = stories.new_story(db, NOW, NOW), stories.new_story(db, NOW, NOW)
    file(db, recent, first, {"sora": 1.0}, NOW)
    assert recent.stories_using(TERMS) == stories.stories_using(db, TERMS)  # read, then kept
    file(db, recent, first, {"sora": 1.0, "openai": 1.0}, NOW)  # sora: the same story again
    file(db, recent, second, {"sora": 1.0, "studio": 1.0}, NOW)
    assert recent.stories_using(TERMS) == stories.stories_using(db, TERMS)


def test_a_kept_term_is_not_read_again_and_the_least_recently_used_goes_first(
    db: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recent_module, "MAX_ROWS", 2)
    recent, counting = counted(db)
    ids = [stories.new_story(db, NOW, NOW) for _ in range(3)]
    for term, story in zip(TERMS, ids, strict=True):
        file(db, recent, story, {term: 1.0}, NOW)  # one row under each term
    for term in ["sora", "openai", "sora", "studio"]:  # openai: the least recently used
        recent.stories_with_terms([term], since=NOW - HOUR, per_term=3)
    assert counting.reads == ["sora", "openai", "studio"]  # sora was kept
    assert recent.kept().rows == 2
    recent.stories_with_terms(["sora", "openai"], since=NOW - HOUR, per_term=3)
    assert counting.reads[3:] == ["openai"]  # forgotten past the bound, read again


def test_the_terms_kept_stay_within_their_bound(db: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recent_module, "MAX_TERMS", 2)
    recent, counting = counted(db)
    for term in ["sora", "openai", "sora", "studio", "sora"]:
        recent.stories_with_terms([term], since=NOW, per_term=5)
        assert recent.kept().terms <= 2
    assert counting.reads == ["sora", "openai", "studio"]  # openai went, sora stayed
    recent.stories_with_terms(TERMS, since=NOW, per_term=5)  # one lookup's terms all stay
    assert recent.kept().terms == 3


def test_what_it_forgets_past_its_bounds_the_store_answers_the_same(
    db: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recent_module, "MAX_ROWS", 2)  # fewer rows than one lookup reads
    monkeypatch.setattr(recent_module, "MAX_MADE", 1)
    monkeypatch.setattr(recent_module, "MAX_DOCS", 2)
    recent = RecentStories(db)
    ids = []
    for n in range(3):
        ids.append(made(db, recent, NOW))
        file(db, recent, ids[-1], {"sora": 1.0 + n, "openai": 2.0, "studio": 0.5}, NOW - n)
        assert_same_answers(db, recent, per_term=3)
        assert recent.stories_using(TERMS) == stories.stories_using(db, TERMS)
        kept = recent.kept()
        assert (kept.made, kept.counts) == (1, 2)
        assert kept.rows <= 3 * 3  # the one lookup's rows, never more
    assert recent.centroids(ids, TERMS) == stories.centroids(db, ids, TERMS)


def test_the_rows_kept_stay_within_the_bound_over_many_terms(
    db: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recent_module, "MAX_ROWS", 10)
    recent = RecentStories(db)
    story = stories.new_story(db, NOW, NOW)
    terms = [f"term{n}" for n in range(40)]
    file(db, recent, story, dict.fromkeys(terms, 1.0), NOW)
    for term in terms:
        assert recent.stories_with_terms([term], since=NOW, per_term=5) == {story: {term: 1.0}}
        assert recent.kept().rows <= 10
    assert recent.kept().rows == 10


def test_a_rollback_forgets_what_the_transaction_wrote(db: Store) -> None:
    recent = RecentStories(db)
    story = made(db, recent, NOW)
    file(db, recent, story, {"sora": 1.0}, NOW)
    with pytest.raises(RuntimeError), transaction(db):
        other = made(db, recent, NOW)
        file(db, recent, other, {"sora": 2.0, "openai": 1.0}, NOW + 1)
        assert set(recent.stories_with_terms(TERMS, since=NOW, per_term=5)) == {story, other}
        raise RuntimeError("rolled back")
    assert_same_answers(db, recent, per_term=5)
    assert recent.stories_using(TERMS) == stories.stories_using(db, TERMS)
    assert recent.centroids([other], TERMS) == {}


def test_on_sqlite_the_memory_outlives_a_committed_transaction(db: Store) -> None:
    recent, counting = counted(db)
    with transaction(db):
        recent.stories_with_terms(TERMS, since=NOW, per_term=5)
    with transaction(db):
        recent.stories_with_terms(TERMS, since=NOW, per_term=5)
    assert counting.reads == TERMS  # read once: one instance writes the file


def test_on_postgresql_a_new_transaction_sees_what_another_worker_wrote(pg_dsn: str) -> None:
    from bot.store.pg.opening import open_pg

    mine, theirs = open_pg(pg_dsn), open_pg(pg_dsn)
    recent, counting = counted(mine)
    try:
        with transaction(mine):
            ours = made(mine, recent, NOW)
            file(mine, recent, ours, {"sora": 1.0, "openai": 1.0}, NOW)
            assert recent.stories_with_terms(TERMS, since=NOW, per_term=5) == {
                ours: {"sora": 1.0, "openai": 1.0}
            }
        with transaction(theirs):  # another worker, between two of this one's transactions
            other = stories.new_story(theirs, NOW, NOW)
            stories.add_to_centroid(theirs, other, {"sora": 2.0, "studio": 1.0}, TERMS, NOW + 1)
            stories.add_to_centroid(theirs, ours, {"openai": 1.0}, TERMS, NOW + 2)
        with transaction(mine):
            assert recent.stories_with_terms(TERMS, since=NOW, per_term=5) == {
                other: {"sora": 2.0, "studio": 1.0},
                ours: {"sora": 1.0, "openai": 2.0},
            }
            assert recent.stories_using(TERMS) == stories.stories_using(mine, TERMS)
            assert recent.centroids([ours, other], TERMS) == stories.centroids(
                mine, [ours, other], TERMS
            )
        assert counting.reads == TERMS + TERMS  # read again after the lock was taken
    finally:
        mine.close()
        theirs.close()


def test_within_one_postgresql_transaction_the_memory_answers(pg_dsn: str) -> None:
    from bot.store.pg.opening import open_pg

    db = open_pg(pg_dsn)
    recent, counting = counted(db)
    try:
        with transaction(db):
            story = made(db, recent, NOW)
            file(db, recent, story, {"sora": 1.0}, NOW)
            for _ in range(2):
                assert recent.stories_with_terms(TERMS, since=NOW, per_term=5) == {
                    story: {"sora": 1.0}
                }
            assert counting.reads == TERMS
    finally:
        db.close()


def test_kept_counts_what_is_held(db: Store) -> None:
    recent = RecentStories(db)
    assert tuple(recent.kept()) == (0, 0, 0, 0)
    story = made(db, recent, NOW)
    file(db, recent, story, {"sora": 1.0, "openai": 1.0}, NOW)
    recent.stories_using(TERMS)
    recent.stories_with_terms(TERMS, since=NOW, per_term=5)
    assert recent.kept() == (2, 1, 3, 3)  # rows, made, counts, terms
    file(db, recent, stories.new_story(db, NOW, NOW), {"sora": 1.0, "studio": 1.0}, NOW)
    assert recent.kept().rows == 4  # a row more under sora, and studio's first


def test_the_least_recently_used_made_story_is_forgotten_first(
    db: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recent_module, "MAX_MADE", 2)
    recent, counting = counted(db)
    first, second = made(db, recent, NOW), made(db, recent, NOW)
    recent.centroids([first], TERMS)  # first is now the most recently used
    third = made(db, recent, NOW)
    assert counting.centroids_of == []
    for story in (first, third, second):
        assert recent.centroids([story], TERMS) == stories.centroids(db, [story], TERMS)
    assert counting.centroids_of == [second]  # forgotten, read from the store
