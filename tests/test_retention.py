"""Retention: the `retention` key, and pruning old items while stories stay merged and
waiting deliveries keep what they need."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from bot.store.db import Store
from bot.store.retention import PRUNE_EVERY, prune, prune_due
from bot.stories.engine import StoryEngine
from bot.stories.terms import story_text
from bot.stories.urls import canonical_url
from tests.story_helpers import file_copy

DAY = 86400.0
NOW = 1_800_000_000.0


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "list.toml").write_text('name = "t"\n[[watch]]\nquery = "Sora"\n', "utf-8")
    path = tmp_path / "newswatch.toml"
    path.write_text(
        text + '\n[[channels]]\ntarget = "jsonl:a.jsonl"\nwatchlists = ["list.toml"]\n', "utf-8"
    )
    return path


def test_retention_defaults_to_30_days(tmp_path: Path) -> None:
    assert load_config(str(write(tmp_path, "")), {}).retention == 30 * DAY


def test_retention_is_parsed_like_max_age(tmp_path: Path) -> None:
    assert load_config(str(write(tmp_path, 'retention = "90d"')), {}).retention == 90 * DAY


def test_unset_retention_follows_a_longer_max_age(tmp_path: Path) -> None:
    assert load_config(str(write(tmp_path, 'max_age = "60d"')), {}).retention == 60 * DAY


@pytest.mark.parametrize(
    "text",
    ['retention = "2d"', 'max_age = "10d"\nretention = "9d"', 'retention = "soon"'],
    ids=["under-72h", "under-max-age", "bad-duration"],
)
def test_a_bad_retention_is_a_config_error_naming_the_key(tmp_path: Path, text: str) -> None:
    with pytest.raises(ConfigError, match="retention"):
        load_config(str(write(tmp_path, text)), {})


def _store(db: Store, title: str, link: str, first_seen: float, identity: str) -> int:
    """An item stored as the poller stores it, placed in its story; its id."""
    return file_copy(db, title, first_seen, link, source_id=1).item_id


def _story_of(db: Store, item_id: int) -> int:
    return int(db.execute("SELECT story_id FROM items WHERE id = ?", [item_id]).fetchone()[0])


def test_prune_removes_old_items_and_keeps_recent_stories_merged(any_store: Store) -> None:
    db = any_store
    db.execute("INSERT INTO sources (id, url) VALUES (1, 'https://f.example/')")
    db.execute("INSERT INTO channels (id, target) VALUES (1, 'jsonl:a')")
    old = _store(
        db, "Old story about studio deal talks", "https://a.example/old", NOW - 40 * DAY, "o"
    )
    waiting = _store(
        db, "Waiting story on the union vote", "https://a.example/w", NOW - 40 * DAY, "w"
    )
    recent = _store(
        db, "Sora opens to filmmakers in Hollywood", "https://a.example/s", NOW - DAY, "r"
    )
    db.execute(
        "INSERT INTO deliveries (channel_id, kind, story_id, item_id, created) "
        "SELECT 1, 'alert', story_id, id, ? FROM items WHERE id = ?",
        [NOW - 40 * DAY, waiting],
    )
    old_story = _story_of(db, old)
    assert db.execute("SELECT 1 FROM story_terms WHERE story_id = ?", [old_story]).fetchall()
    assert prune_due(db, NOW)
    assert prune(db, 30 * DAY, NOW) == 1
    ids = {row[0] for row in db.execute("SELECT id FROM items")}
    assert ids == {waiting, recent}  # a pending delivery keeps its item
    assert not db.execute("SELECT 1 FROM story_terms WHERE story_id = ?", [old_story]).fetchall()
    assert not db.execute(
        "SELECT 1 FROM story_urls WHERE canonical = ?", [canonical_url("https://a.example/old")]
    ).fetchall()
    # Story identity within the 72 h window is intact: a copy merges by URL and by its terms.
    engine = StoryEngine(db)
    story = _story_of(db, recent)
    by_url = engine.place(canonical_url("https://a.example/s/"), story_text("", ""), NOW)
    assert by_url.story_id == story
    by_terms = engine.place(None, story_text("Sora opens to filmmakers in Hollywood", ""), NOW)
    assert by_terms.story_id == story
    # At most once a day.
    assert not prune_due(db, NOW + PRUNE_EVERY - 1)
    assert prune_due(db, NOW + PRUNE_EVERY)


async def test_a_poll_prunes_at_its_end(tmp_path: Path, database: str) -> None:
    from tests.feeds import Entry, rss
    from tests.feedserver import FeedServer
    from tests.pipeline_helpers import Clock, make_app, write_config

    with FeedServer() as server:
        server.add("/f.xml", rss([Entry("Sora opens to filmmakers", link="https://x.example/1")]))
        clock = Clock()
        app = make_app(
            write_config(
                tmp_path, feeds=[server.url("/f.xml")], watches=["Sora"], database=database
            ),
            clock,
        )
        try:
            await app.cycle(all_sources=True)
            assert app.db.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 1
            clock.advance(31 * DAY)
            server.add("/f.xml", rss([Entry("Another thing entirely", link="https://x.example/2")]))
            await app.cycle(all_sources=True)
            titles = [row[0] for row in app.db.execute("SELECT title FROM items")]
            assert titles == ["Another thing entirely"]
        finally:
            await app.close()


def test_a_story_keeps_its_urls_and_terms_while_any_copy_remains(any_store: Store) -> None:
    db = any_store
    db.execute("INSERT INTO sources (id, url) VALUES (1, 'https://f.example/')")
    old_link, recent = "https://a.example/old", "Kubrick estate sues over Sora clips"
    story = _story_of(db, _store(db, "Studio deal talks open", old_link, NOW - 40 * DAY, "o"))
    file_copy(db, recent, NOW - DAY, "https://a.example/new", source_id=1, story=story)
    assert prune(db, 30 * DAY, NOW) == 1
    engine = StoryEngine(db)
    assert engine.place(canonical_url(old_link), story_text("", ""), NOW).story_id == story
    assert engine.place(None, story_text(recent, ""), NOW).story_id == story
