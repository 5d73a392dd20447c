"""SPEC "Chat commands": a channel holds at most 100 watches added in chat, a user at most 100
across the channels of one workspace or server, and watchlist files at most 10,000 a channel
(more is refused at start, naming the file). Real SQLite, through the command layer."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.chat.commands import Command, Reply, handle
from bot.config import ConfigError, load_config
from bot.match.watchlists import MAX_FILE_WATCHES_PER_CHANNEL
from bot.store.db import Store, open_db
from bot.store.watches import (
    MAX_WATCHES_PER_CHANNEL,
    channel_id,
    sync_file_watches,
)

NOW = 1_800_000_000.0
FILED = "jsonl:alerts.jsonl"  # the channel that test configs give watchlist files


@pytest.fixture
def db(any_store: Store) -> Store:
    """An empty store, SQLite or PostgreSQL (each test runs on both)."""
    return any_store


def add(db: Store, query: str, target: str, user: str = "U1", scope: str = "") -> Reply:
    return handle(db, Command("watch", f"add {query}", target, user, True, scope=scope), NOW)


def fill(db: Store, spread: dict[str, int], user: str, scope: str) -> None:
    """`user` adds the given number of watches in each channel; every add must succeed."""
    for target, count in spread.items():
        for n in range(count):
            reply = add(db, f"{user} {target} term{n}", target, user, scope)
            assert reply.ok, reply.text


@pytest.mark.parametrize(
    ("spread", "then", "allowed"),
    [
        ({"slack:C1": 99}, "slack:C1", True),
        ({"slack:C1": 100}, "slack:C2", False),  # the user's 101st, in another channel
        ({"slack:C1": 50, "slack:C2": 49}, "slack:C3", True),
        ({"slack:C1": 50, "slack:C2": 50}, "slack:C3", False),
        ({"slack:C1": 60, "slack:CNOTCONFIGURED": 40}, "slack:C1", False),  # every channel counts
    ],
)
def test_a_user_holds_at_most_100_watches_across_the_channels_of_a_workspace(
    db: Store, spread: dict[str, int], then: str, allowed: bool
) -> None:
    fill(db, spread, "U1", "slack:T1")
    reply = add(db, "onemore", then, "U1", "slack:T1")
    assert reply.ok is allowed
    if not allowed:
        assert "you already have 100 watches in this workspace" in reply.text
        assert "the most one person may add" in reply.text
        assert db.execute("SELECT COUNT(*) FROM watches WHERE query = 'onemore'").fetchone() == (0,)


@pytest.mark.parametrize(
    ("other_user", "other_scope", "allowed"),
    [
        ("U2", "slack:T1", True),  # another person in the same workspace
        ("U1", "slack:T2", True),  # the same id in another workspace
        ("U1", "slack:T1", False),
    ],
)
def test_the_user_limit_is_per_person_and_per_workspace(
    db: Store, other_user: str, other_scope: str, allowed: bool
) -> None:
    fill(db, {"slack:C1": 50, "slack:C2": 50}, "U1", "slack:T1")
    assert add(db, "onemore", "slack:C3", other_user, other_scope).ok is allowed


def test_a_discord_user_is_limited_per_server(db: Store) -> None:
    fill(db, {"discord:1": 60, "discord:2": 40}, "42", "discord:900")
    reply = add(db, "onemore", "discord:3", "42", "discord:900")
    assert not reply.ok and "you already have 100 watches in this server" in reply.text


def test_removing_a_watch_frees_a_place_for_the_user_who_added_it(
    db: Store,
) -> None:
    fill(db, {"slack:C1": 50, "slack:C2": 50}, "U1", "slack:T1")
    assert handle(db, Command("watch", "remove #1", "slack:C1", "U2", True), NOW).ok
    assert add(db, "onemore", "slack:C3", "U1", "slack:T1").ok


def test_the_channel_limit_counts_watches_added_by_everyone(db: Store) -> None:
    fill(db, {"slack:C1": 50}, "U1", "slack:T1")
    fill(db, {"slack:C1": 50}, "U2", "slack:T1")
    reply = add(db, "onemore", "slack:C1", "U3", "slack:T1")
    assert not reply.ok
    assert f"this channel already has {MAX_WATCHES_PER_CHANNEL} watches added in chat" in reply.text


def test_file_watches_do_not_use_up_the_channel_chat_limit(tmp_path: Path) -> None:
    queries = [f"filed{n}" for n in range(150)]
    config = load_config(str(_config(tmp_path, {"big.toml": queries})), {})
    db = open_db(tmp_path / "nw.db")
    sync_file_watches(db, config, NOW)
    fill(db, {FILED: 99}, "U1", "slack:T1")
    assert add(db, "the hundredth", FILED, "U1", "slack:T1").ok


def test_adding_a_query_the_channel_already_watches_is_not_refused_at_the_limit(
    db: Store,
) -> None:
    fill(db, {"slack:C1": 100}, "U1", "slack:T1")
    reply = add(db, "U1 slack:C1 term5", "slack:C1", "U2", "slack:T1")
    assert reply.ok and "already watches" in reply.text


def test_who_added_a_watch_and_where_is_stored(db: Store) -> None:
    add(db, "Sora", "slack:C1", "U1", "slack:T1")
    row = db.execute("SELECT added_by, scope FROM watches WHERE query = 'Sora'").fetchone()
    assert row == ("U1", "slack:T1")


def test_without_a_workspace_the_platform_is_the_scope(db: Store) -> None:
    channel_id(db, "slack:C1")
    fill(db, {"slack:C1": 50, "slack:C2": 50}, "U1", "")
    assert not add(db, "onemore", "slack:C3", "U1").ok
    assert add(db, "onemore", "discord:3", "U1").ok


# -- watchlist files ---------------------------------------------------------------------------


def _config(tmp_path: Path, files: dict[str, list[str]]) -> Path:
    for name, queries in files.items():
        body = "".join(f'[[watch]]\nquery = "{q}"\n' for q in queries)
        (tmp_path / name).write_text(f'name = "{name}"\n{body}', encoding="utf-8")
    names = ", ".join(f'"{name}"' for name in files)
    path = tmp_path / "newswatch.toml"
    path.write_text(
        f'database = "nw.db"\n[[channels]]\ntarget = "{FILED}"\nwatchlists = [{names}]\n',
        encoding="utf-8",
    )
    return path


def test_a_watchlist_file_may_give_a_channel_10000_watches(tmp_path: Path) -> None:
    queries = [f"term{n}" for n in range(MAX_FILE_WATCHES_PER_CHANNEL)]
    config = load_config(str(_config(tmp_path, {"big.toml": queries})), {})
    db = open_db(tmp_path / "nw.db")
    sync_file_watches(db, config, NOW)
    assert db.execute("SELECT COUNT(*) FROM watches").fetchone() == (10_000,)


@pytest.mark.parametrize(
    ("files", "named"),
    [
        ({"big.toml": [f"term{n}" for n in range(10_001)]}, "big.toml"),
        (
            {
                "a.toml": [f"a{n}" for n in range(6_000)],
                "b.toml": [f"b{n}" for n in range(4_001)],
            },
            "b.toml",
        ),
    ],
)
def test_more_than_10000_file_watches_in_a_channel_stop_start_up_naming_the_file(
    tmp_path: Path, files: dict[str, list[str]], named: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(str(_config(tmp_path, files)), {})
    message = str(caught.value)
    assert "channels[0].watchlists" in message and named in message
    assert "10,001 watches" in message and "at most 10,000" in message


def test_the_same_query_in_two_files_counts_once(tmp_path: Path) -> None:
    shared = [f"term{n}" for n in range(10_000)]
    load_config(str(_config(tmp_path, {"a.toml": shared, "b.toml": shared[:10]})), {})


def test_a_database_from_before_the_user_limit_keeps_its_watches(tmp_path: Path) -> None:
    import sqlite3

    from bot.store.db import MIGRATIONS

    path = tmp_path / "old.db"
    raw = sqlite3.connect(path, isolation_level=None)
    for number, script in enumerate(MIGRATIONS[:5], start=1):
        raw.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
    raw.execute("INSERT INTO channels (target) VALUES ('slack:C1')")
    raw.execute(
        "INSERT INTO watches (channel_id, query, origin, created) VALUES (1, 'Sora', 'chat', 1)"
    )
    raw.close()
    db = open_db(path)
    assert db.execute("SELECT query, added_by, scope FROM watches").fetchall() == [
        ("Sora", None, None)
    ]
    fill(db, {"slack:C1": 99}, "U1", "slack:T1")  # the old watch counts for the channel only
    assert not add(db, "onemore", "slack:C1", "U2", "slack:T1").ok
