"""SPEC "Stories" on a real SQLite file: a new copy finds its stored story by canonical URL,
else by a near-identical title within 72 h through the title index (never a scan), newest
copy first; the alert shows the story's best copy. The index property: whenever
near_identical(a, b), a copy titled `a` finds the stored copy titled `b`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings

from bot.store.db import Store, open_db
from bot.stories.lookup import LEGACY_KEY, StoryIndex, best_copy, new_story
from bot.stories.titles import candidate_tokens, index_keys, lookup_keys, near_identical
from bot.stories.urls import canonical_url
from tests.pipeline_helpers import HOUR, NOW
from tests.test_titles import nearby_pairs

Tokens = tuple[str, ...]
WINDOW = 72 * HOUR
TITLE = ("wga", "reaches", "tentative", "deal", "with", "studios", "after", "talks")


def find_story(db: Store, link: str | None, title: Tokens, published: float) -> int | None:
    """The stored story a copy belongs to, as a poll asks (its own StoryIndex)."""
    return StoryIndex(db).find(canonical_url(link) if link else None, title, published)


def index_copy(
    db: Store, item: int, story: int, link: str | None, title: Tokens, at: float
) -> None:
    StoryIndex(db).index(item, story, canonical_url(link) if link else None, title, at)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Store]:
    store = open_db(tmp_path / "nw.db")
    yield store
    store.conn.close()


def source(db: Store, url: str, template: str | None = None) -> int:
    cursor = db.execute(
        "INSERT INTO sources (url, template) VALUES (?, ?) ON CONFLICT (url) DO UPDATE "
        "SET url = url RETURNING id",
        [url, template],
    )
    return int(cursor.fetchone()[0])


def store_copy(
    db: Store,
    title: Tokens,
    published: float,
    link: str | None = None,
    *,
    story: int | None = None,
    source_id: int | None = None,
    summary: str = "a summary",
) -> int:
    """File a copy as the pipeline does: its story found (or given, or new), then indexed."""
    if story is None:
        story = find_story(db, link, title, published) or new_story(db, published, published)
    if source_id is None:
        source_id = source(db, "https://feeds.example/rss")
    cursor = db.execute(
        "INSERT INTO items (source_id, identity, story_id, fingerprint, link, title, title_key, "
        "summary, outlet, published, first_seen) VALUES (?, ?, ?, '', ?, ?, ?, ?, 'o', ?, ?)",
        [
            source_id,
            f"{published}-{' '.join(title)}-{link}",
            story,
            link,
            " ".join(title),
            " ".join(title),
            summary,
            published,
            published,
        ],
    )
    index_copy(db, int(cursor.lastrowid or 0), story, link, title, published)
    return story


# ---------------------------------------------------------------- by canonical URL


def test_copies_at_one_canonical_url_are_one_story_whatever_their_titles(
    db: Store,
) -> None:
    first = store_copy(db, TITLE, NOW, "https://www.variety.com/a/?utm_source=x")
    other_title = ("studios", "and", "writers", "agree")
    assert find_story(db, "http://variety.com/a", other_title, NOW + 30 * 24 * HOUR) == first


def test_a_canonical_url_stays_with_the_story_that_filed_it_first(
    db: Store,
) -> None:
    first = store_copy(db, TITLE, NOW, "https://variety.com/a")
    second = new_story(db, NOW, NOW)
    store_copy(db, ("another", "story"), NOW, "https://variety.com/a", story=second)
    assert find_story(db, "https://variety.com/a", ("unrelated",), NOW) == first


# ---------------------------------------------------------------- by title, within 72 h


@pytest.mark.parametrize(
    ("offset", "same"),
    [
        (0.0, True),
        (WINDOW, True),  # the stored copy is 72 h older
        (-WINDOW, True),  # the stored copy is 72 h newer (feeds arrive out of order)
        (WINDOW + 1, False),
        (-WINDOW - 1, False),
        (WINDOW - HOUR, True),
    ],
)
def test_a_near_identical_title_joins_the_story_only_within_72_hours(
    db: Store, offset: float, same: bool
) -> None:
    stored = store_copy(db, TITLE, NOW)
    copy = (*TITLE[:-1], "negotiations")  # one edit
    found = find_story(db, None, copy, NOW + offset)
    assert (found == stored) is same
    assert found is None or same


def test_the_newest_near_identical_copy_decides_the_story(db: Store) -> None:
    new = ("aa", "bbb", "cccc", "ddddd", "eeeeee", "fffffff", "gg", "hhh")
    older = store_copy(db, ("aa", "bbb", "cccc", "ddddd", "eeeeee", "fffffff", "x", "y"), NOW)
    newer = store_copy(db, ("p", "q", "cccc", "ddddd", "eeeeee", "fffffff", "gg", "hhh"), NOW + 5)
    assert older != newer  # four edits apart: two stories
    assert find_story(db, None, new, NOW + 10) == newer


def test_a_candidate_that_only_shares_words_is_passed_over_for_an_older_real_copy(
    db: Store,
) -> None:
    stored = store_copy(db, TITLE, NOW)
    lookalike = store_copy(db, ("wga", "reaches", "tentative", "x", "y", "z", "w", "v"), NOW + 5)
    assert lookalike != stored
    assert find_story(db, None, TITLE, NOW + 10) == stored


def test_copies_indexed_by_single_tokens_before_schema_3_are_still_found(
    db: Store,
) -> None:
    story = new_story(db, NOW, NOW)
    cursor = db.execute(
        "INSERT INTO items (source_id, identity, story_id, fingerprint, title, title_key, "
        "summary, outlet, published, first_seen) VALUES (?, 'old', ?, '', ?, ?, '', 'o', ?, ?)",
        [
            source(db, "https://feeds.example/rss"),
            story,
            " ".join(TITLE),
            " ".join(TITLE),
            NOW,
            NOW,
        ],
    )
    db.conn.executemany(
        "INSERT INTO title_index (token, published, item_id) VALUES (?, ?, ?)",
        [(token, NOW, cursor.lastrowid) for token in candidate_tokens(TITLE)],
    )
    db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [LEGACY_KEY, NOW])
    assert find_story(db, None, TITLE, NOW + HOUR) == story


# ---------------------------------------------------------------- the index property

# Found by search: near-identical pairs whose shared neighbouring pairs are few, so a lookup
# with one key fewer, or reckoning one edit fewer, misses the stored copy.
HARD_PAIRS: list[tuple[Tokens, Tokens]] = [
    (
        ("a", "g", "bb", "ccc", "iii", "hh", "ffffff", "dddd"),
        ("a", "g", "bb", "iii", "hh", "bb", "dddd"),
    ),
    (
        ("bb", "g", "ffffff", "hh", "eeeee", "a", "ccc"),
        ("bb", "g", "eeeee", "ffffff", "g", "eeeee", "a", "ccc"),
    ),
    (("sora",), ("sora",)),  # a one-token key is filed and looked up under its token
    (("sora", "opens"), ("sora", "opens")),
    (TITLE, TITLE),
]


@pytest.mark.parametrize(("a", "b"), HARD_PAIRS)
def test_a_copy_finds_every_stored_near_identical_copy_through_the_index(
    db: Store, a: Tokens, b: Tokens
) -> None:
    assert near_identical(a, b)
    stored = store_copy(db, b, NOW)
    assert find_story(db, None, a, NOW + HOUR) == stored


@given(nearby_pairs())
@settings(max_examples=300)
def test_near_identical_implies_the_lookup_keys_meet_the_stored_index_keys(
    pair: tuple[Tokens, Tokens],
) -> None:
    a, b = pair
    if near_identical(a, b):
        assert set(lookup_keys(a)) & set(index_keys(b))


@given(nearby_pairs())
@settings(max_examples=60, deadline=None)
def test_near_identical_implies_the_stored_index_finds_b_from_a(
    pair: tuple[Tokens, Tokens],
) -> None:
    a, b = pair
    if not near_identical(a, b):
        return
    with tempfile.TemporaryDirectory() as folder:
        store = open_db(Path(folder) / "nw.db")
        try:
            stored = store_copy(store, b, NOW)
            assert find_story(store, None, a, NOW) == stored
        finally:
            store.conn.close()


# ---------------------------------------------------------------- best copy


PUBLISHER = "https://variety.com/story"
GOOGLE = "https://news.google.com/rss/articles/CBMi"


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
    for n, (kind, link, summary, offset) in enumerate(copies):
        store_copy(
            db,
            (*TITLE, str(n)),
            NOW + offset,
            link and f"{link}/{n}",
            story=story,
            source_id=search if kind == "search" else feed,
            summary=summary,
        )
    ids = [row[0] for row in db.execute("SELECT id FROM items ORDER BY id")]
    assert best_copy(db, story) == ids[best]
