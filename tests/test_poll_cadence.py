"""The service polls when the next source is due, not on a fixed tick (SPEC Polling:
every `poll_interval` with jitter), so a 30 s interval is 30 s ±10%, never 60 s."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.app import MIN_POLL_GAP, App
from bot.store.db import transaction
from bot.store.sources import next_due
from tests.pipeline_helpers import NOW, Clock, make_app, write_config


def app_with_sources(tmp_path: Path, feeds: int, interval: str = "30s") -> tuple[App, Clock]:
    urls = [f"http://127.0.0.1:9/{n}.xml" for n in range(feeds)]
    clock = Clock()
    path = write_config(
        tmp_path, feeds=urls, watches=["Sora"], extra=f'poll_interval = "{interval}"'
    )
    return make_app(path, clock), clock


def set_next_polls(app: App, next_polls: list[float], last_poll: float | None = None) -> None:
    with transaction(app.db):
        ids = [row[0] for row in app.db.execute("SELECT id FROM sources ORDER BY id")]
        for source_id, next_poll in zip(ids, next_polls, strict=True):
            app.db.execute(
                "UPDATE sources SET next_poll = ?, last_poll = ? WHERE id = ?",
                [next_poll, last_poll, source_id],
            )


@pytest.mark.parametrize(
    ("next_polls", "expected"),
    [
        ([NOW + 3, NOW + 20], 3.0),  # the earliest source decides
        ([NOW + 20, NOW + 7.5], 7.5),
        ([NOW + 300, NOW + 400], 30.0),  # never longer than the tick (30 s at most)
        ([NOW - 50, NOW + 5], MIN_POLL_GAP),  # overdue: soon, but never a tight loop
        ([NOW + 0.2, NOW + 5], MIN_POLL_GAP),
    ],
)
def test_the_poll_loop_sleeps_until_the_next_source_is_due(
    tmp_path: Path, next_polls: list[float], expected: float
) -> None:
    app, _ = app_with_sources(tmp_path, feeds=2)
    set_next_polls(app, next_polls, last_poll=NOW - 60)
    assert app._until_next_poll() == pytest.approx(expected)


def test_a_clock_set_back_past_a_last_poll_makes_the_next_poll_due_now(tmp_path: Path) -> None:
    app, _ = app_with_sources(tmp_path, feeds=1)
    set_next_polls(app, [NOW + 25], last_poll=NOW + 3600)  # polled "in the future"
    assert next_due(app.db, NOW) == NOW
    assert app._until_next_poll() == MIN_POLL_GAP


def test_without_sources_the_loop_wakes_every_tick(tmp_path: Path) -> None:
    app, _ = app_with_sources(tmp_path, feeds=1)
    with transaction(app.db):
        app.db.execute("UPDATE sources SET active = 0")
    assert next_due(app.db, NOW) is None
    assert app._until_next_poll() == app.poll_tick


def test_a_storage_outage_is_probed_every_tick_not_in_a_tight_loop(tmp_path: Path) -> None:
    app, _ = app_with_sources(tmp_path, feeds=1)
    set_next_polls(app, [NOW - 100])
    app.storage_down = "the disk is full"
    assert app._until_next_poll() == app.poll_tick


def test_a_short_poll_interval_makes_a_short_tick(tmp_path: Path) -> None:
    app, _ = app_with_sources(tmp_path, feeds=1, interval="12s")
    set_next_polls(app, [NOW + 400])
    assert app._until_next_poll() == 12.0


def test_a_watch_added_in_chat_wakes_the_poll_loop(tmp_path: Path, feed_server: Any) -> None:
    app, _ = app_with_sources(tmp_path, feeds=1)
    app._poll_wake.clear()
    app._watches_changed()
    assert app._poll_wake.is_set()
