"""SPEC "Chat commands": the platform-neutral command layer over a real SQLite store."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.chat.commands import Command, handle
from bot.store.db import Store
from bot.store.watches import MAX_WATCHES_PER_CHANNEL

NOW = 1_800_000_000.0
TARGET = "slack:C1"


@pytest.fixture
def db(any_store: Store) -> Store:
    """An empty store, SQLite or PostgreSQL (each test runs on both)."""
    return any_store


def run(db: Store, text: str, name: str = "watch", manager: bool = True) -> str:
    return handle(db, Command(name, text, TARGET, "U1", manager), NOW).text


def test_add_says_how_the_query_was_understood(db: Store) -> None:
    reply = run(db, "add strik* actors OR writers")
    assert reply.startswith("Watching #1: ")
    assert "strik*" in reply and "OR" in reply


def test_adding_the_same_query_twice_is_idempotent(db: Store) -> None:
    run(db, "add Sora")
    assert "already watches #1" in run(db, "add  Sora ")
    assert run(db, "list").count("Sora") == 1


@pytest.mark.parametrize(
    "query",
    [
        '"unclosed',
        "(a OR b",
        "a OR",
        "-",
        "-golf",
        "",
        "'; DROP TABLE watches; --",
        "x" * 300,
        "\u0000",
        "🎬🎬",
    ],
)
def test_broken_queries_are_refused_and_nothing_is_stored(db: Store, query: str) -> None:
    reply = handle(db, Command("watch", f"add {query}", TARGET, "U1", True), NOW)
    assert not reply.ok
    assert db.execute("SELECT COUNT(*) FROM watches").fetchone()[0] == 0  # the table stands


def test_only_managers_change_watches_but_anyone_lists(db: Store) -> None:
    assert "Only channel managers" in run(db, "add Sora", manager=False)
    assert "no watches" in run(db, "list", manager=False)


def test_a_channel_holds_at_most_100_watches(db: Store) -> None:
    for n in range(MAX_WATCHES_PER_CHANNEL):
        run(db, f"add term{n}")
    assert "100 watches" in run(db, "add onemore")


def test_remove_by_id_or_query(db: Store) -> None:
    run(db, "add Sora")
    run(db, "add WGA")
    assert run(db, "remove #1") == "Removed #1: Sora"
    assert run(db, "remove WGA") == "Removed #2: WGA"
    assert "No watch" in run(db, "remove WGA")


def test_pause_and_resume_every_watch_of_the_channel(db: Store) -> None:
    run(db, "add Sora")
    assert run(db, "pause") == "Paused 1 watch in this channel."
    assert "(paused)" in run(db, "list")
    assert run(db, "resume") == "Resumed 1 watch in this channel."


def test_digest_with_a_bad_window_says_what_a_window_looks_like(db: Store) -> None:
    assert "30s, 5m, 2h or 7d" in run(db, "yesterday", name="digest")


def test_an_empty_digest_is_public_and_says_so(db: Store) -> None:
    reply = handle(db, Command("digest", "24h", TARGET, "U1", False), NOW)
    assert reply.public and reply.digest is not None and reply.digest.empty


async def test_digest_spam_is_limited_per_user_and_channel(tmp_path: Path) -> None:
    from bot.app import DIGESTS_PER_MINUTE, App
    from bot.config import load_config
    from tests.pipeline_helpers import Clock, write_config

    clock = Clock()
    app = App(load_config(str(write_config(tmp_path, watches=["Sora"])), {}), clock=clock)
    try:
        spam = [app.command(Command("digest", "", TARGET, "U1", False)) for _ in range(20)]
        other = app.command(Command("digest", "", TARGET, "U2", False))
        clock.advance(61)
        later = app.command(Command("digest", "", TARGET, "U1", False))
    finally:
        await app.close()
    assert [r.ok for r in spam] == [True] * DIGESTS_PER_MINUTE + [False] * (20 - DIGESTS_PER_MINUTE)
    assert "try again in" in spam[-1].text
    assert other.ok and later.ok
