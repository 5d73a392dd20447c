"""Two processes writing one PostgreSQL store at once: every transaction takes one writer
lock first (bot.store.pg.handle.WRITE_LOCK), so a copy placed by one writer is seen by the
other, and copies of one event stored at the same moment make one story."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from bot.store.db import transaction
from bot.store.pg.handle import PgStore
from bot.store.pg.opening import open_pg
from tests.pipeline_helpers import NOW
from tests.story_helpers import file_copy, source

pytest.importorskip("psycopg", reason="the psycopg driver is not installed")
VARIETY = "OpenAI Courts Hollywood Studios With Sora Licensing Program - Variety"
VERGE = "OpenAI wants Hollywood to make its next blockbuster with Sora"


def _waiting_or_done(watcher: PgStore, pid: int, done: threading.Event) -> None:
    """Until the backend `pid` waits on a lock, or its writer has finished (no clock)."""
    while not done.is_set():
        row = watcher.row("SELECT wait_event_type FROM pg_stat_activity WHERE pid = ?", [pid])
        if row is not None and row["wait_event_type"] == "Lock":
            return


def _overlapping(
    dsn: str, first: Callable[[PgStore], int], second: Callable[[PgStore], int]
) -> tuple[int, int]:
    """Run `first` in a transaction that stays open until `second`, in its own transaction
    on another connection, has started and is waiting (or done); the two results."""
    one, two, watcher = open_pg(dsn), open_pg(dsn), open_pg(dsn)
    started, finished = threading.Event(), threading.Event()
    results: dict[str, int] = {}

    def later() -> None:
        started.wait()
        with transaction(two):
            results["second"] = second(two)
        finished.set()

    thread = threading.Thread(target=later)
    thread.start()
    with transaction(one):
        results["first"] = first(one)
        started.set()
        _waiting_or_done(watcher, two.pg.info.backend_pid, finished)
    thread.join()
    for db in (one, two, watcher):
        db.close()
    return results["first"], results["second"]


@pytest.mark.parametrize(
    ("link_one", "link_two"),
    [
        ("https://variety.example/sora", "https://verge.example/sora"),  # by the event
        ("https://news.example/sora?utm_source=a", "https://news.example/sora"),  # by the URL
    ],
)
def test_two_writers_storing_copies_of_one_event_at_once_make_one_story(
    pg_dsn: str, link_one: str, link_two: str
) -> None:
    setup = open_pg(pg_dsn)
    feed = source(setup)
    setup.close()
    first, second = _overlapping(
        pg_dsn,
        lambda db: file_copy(db, VARIETY, NOW, link_one, source_id=feed).story_id,
        lambda db: file_copy(db, VERGE, NOW + 60, link_two, source_id=feed).story_id,
    )
    assert first == second
    check = open_pg(pg_dsn)
    assert check.row("SELECT COUNT(*) AS n FROM stories")["n"] == 1  # type: ignore[index]


def test_a_writer_waits_for_the_other_and_then_sees_its_rows(pg_dsn: str) -> None:
    def count_then_add(db: PgStore) -> int:
        seen = int(db.row("SELECT COUNT(*) AS n FROM channels")["n"])  # type: ignore[index]
        db.execute("INSERT INTO channels (target) VALUES (?)", [f"jsonl:{seen}.jsonl"])
        return seen

    assert _overlapping(pg_dsn, count_then_add, count_then_add) == (0, 1)
