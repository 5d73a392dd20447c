"""Coverage updates through the outbox, on the file and terminal targets (SPEC Alerts): a
story's later copies from new outlets are one `update` record, never a second alert; at
most one update per story and channel in 10 minutes, waiting without holding the channel;
an alert not yet confirmed takes them in itself; a kill mid-write repeats nothing."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.config import load_config
from bot.store.updates import UPDATE_INTERVAL
from tests.coverage_helpers import (
    HEADLINES,
    LINK,
    OTHER,
    feed_path,
    jsonl_app,
    jsonl_records,
    rows,
    serve,
    updates_table,
    write_config,
)
from tests.feeds import Entry, rss
from tests.pipeline_helpers import Clock
from tests.test_reliability import newswatch


def copy_record(outlet: str, now: float) -> dict[str, Any]:
    """An update's record of a copy `serve` published at `now`."""
    published = datetime.fromtimestamp(now - 60, UTC).isoformat()
    slug = outlet.lower().replace(" ", "-")
    return {
        "title": HEADLINES[outlet],
        "url": f"{LINK}?utm_source={slug}",
        "source": outlet,
        "published": published,
    }


async def test_a_new_outlets_copy_is_an_update_record_not_a_second_alert(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    clock = Clock()
    app = await jsonl_app(tmp_path, feed_server, clock, database=database)
    try:
        await app.cycle(all_sources=True)
        serve(feed_server, ["Variety", "The Verge"], clock.now)
        clock.advance(300)
        await app.cycle(all_sources=True)
    finally:
        await app.close()
    alert, update = jsonl_records(tmp_path)
    assert (alert["kind"], alert["outlets"], alert["source"]) == ("alert", 1, "Variety")
    assert update == {
        "kind": "update",
        "channel": "jsonl:out.jsonl",
        "story": alert["story"],
        "outlets": 2,
        "copies": [copy_record("The Verge", clock.now - 300)],
    }


async def test_each_update_lists_only_the_copies_new_since_the_last_record(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    clock = Clock()
    app = await jsonl_app(tmp_path, feed_server, clock, database=database)
    try:
        await app.cycle(all_sources=True)
        start = clock.now
        serve(feed_server, ["Variety", "The Verge"], start)
        clock.advance(60)
        await app.cycle(all_sources=True)
        clock.advance(UPDATE_INTERVAL)
        serve(feed_server, ["Variety", "The Verge", "Deadline", "IndieWire"], start)
        await app.cycle(all_sources=True)
    finally:
        await app.close()
    _, first, second = jsonl_records(tmp_path)
    assert [c["source"] for c in first["copies"]] == ["The Verge"]
    assert sorted(c["source"] for c in second["copies"]) == ["Deadline", "IndieWire"]
    assert (first["outlets"], second["outlets"]) == (2, 4)


async def test_a_second_copy_from_an_outlet_already_counted_updates_nothing(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    clock = Clock()
    app = await jsonl_app(tmp_path, feed_server, clock, database=database)
    try:
        await app.cycle(all_sources=True)
        variety = [
            Entry(HEADLINES["Variety"], f"{LINK}?utm_source=variety", published=clock.now - 60),
            Entry(
                "Sora licensing: the studios answer", f"{LINK}?utm_source=x", published=clock.now
            ),
        ]
        body = rss(variety, title="Variety")
        feed_server.add(feed_path("Variety"), body=body, content_type="application/rss+xml")
        await app.cycle(all_sources=True)
        copies = app.db.execute("SELECT COUNT(DISTINCT story_id), COUNT(*) FROM items").fetchone()
        updates = rows(app)
    finally:
        await app.close()
    assert tuple(copies) == (1, 2)  # one story, two copies, one outlet
    assert updates == []
    assert [r["kind"] for r in jsonl_records(tmp_path)] == ["alert"]


async def test_updates_off_queues_nothing(tmp_path: Path, feed_server: Any, database: str) -> None:
    clock = Clock()
    app = await jsonl_app(tmp_path, feed_server, clock, mode="off", database=database)
    try:
        await app.cycle(all_sources=True)
        serve(feed_server, ["Variety", "The Verge"], clock.now)
        await app.cycle(all_sources=True)
        updates = rows(app)
    finally:
        await app.close()
    assert updates == []
    assert [r["kind"] for r in jsonl_records(tmp_path)] == ["alert"]


async def test_an_update_waits_ten_minutes_after_the_last_without_holding_the_channel(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    clock = Clock()
    app = await jsonl_app(tmp_path, feed_server, clock, database=database)
    try:
        await app.cycle(all_sources=True)
        start = clock.now
        serve(feed_server, ["Variety", "The Verge"], start)
        await app.cycle(all_sources=True)  # the first update goes at once
        clock.advance(60)
        serve(feed_server, ["Variety", "The Verge", "Deadline"], start, other="Deadline")
        await app.cycle(all_sources=True)  # Deadline's copy waits; another story's alert not
        kinds_a_minute_on = [(r["kind"], r.get("title")) for r in jsonl_records(tmp_path)]
        serve(
            feed_server, ["Variety", "The Verge", "Deadline", "IndieWire"], start, other="Deadline"
        )
        clock.advance(UPDATE_INTERVAL - 61)
        await app.cycle(all_sources=True)  # folded into the waiting one, still waiting
        waiting = rows(app)
        clock.advance(1)
        await app.cycle(all_sources=True)
    finally:
        await app.close()
    assert [kind for kind, _ in kinds_a_minute_on] == ["alert", "update", "alert"]
    assert kinds_a_minute_on[2][1] == OTHER
    assert waiting == [("sent", 0), ("pending", 0)]
    last = jsonl_records(tmp_path)[-1]
    assert (last["kind"], last["outlets"]) == ("update", 4)
    assert sorted(c["source"] for c in last["copies"]) == ["Deadline", "IndieWire"]


async def test_copies_of_an_alert_not_yet_confirmed_are_counted_in_that_alert(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    clock = Clock()
    app = await jsonl_app(tmp_path, feed_server, clock, database=database)
    out = tmp_path / "out.jsonl"
    out.mkdir()  # the file cannot be written: the alert stays in the outbox
    try:
        await app.cycle(all_sources=True)
        serve(feed_server, ["Variety", "The Verge", "Deadline"], clock.now)
        clock.advance(60)
        await app.cycle(all_sources=True)
        out.rmdir()
        clock.advance(3600)
        await app.cycle(all_sources=True)
        updates = rows(app)
    finally:
        await app.close()
    [alert] = jsonl_records(tmp_path)
    assert (alert["kind"], alert["outlets"]) == ("alert", 3)
    assert updates == []


async def test_a_console_update_is_one_line_naming_the_outlets(
    tmp_path: Path, feed_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = Clock()
    feeds = serve(feed_server, ["Variety"], clock.now)
    app = App(load_config(str(write_config(tmp_path, feeds, "console")), {}), clock=clock)
    try:
        await app.cycle(all_sources=True)
        serve(feed_server, ["Variety", "The Verge", "Deadline"], clock.now)
        await app.cycle(all_sources=True)
    finally:
        await app.close()
    out = capsys.readouterr().out
    assert "  1 outlet: Variety\n" in out  # the alert says it too
    title = HEADLINES["Variety"]
    [line] = [line for line in out.splitlines() if line.startswith("update: ")]
    assert line.startswith(f"update: {title} now 3 outlets: Variety, ")  # the first, first
    assert sorted(line.split(": ")[-1].split(", ")) == ["Deadline", "The Verge", "Variety"]


def test_a_poll_killed_after_writing_an_update_does_not_write_it_again(
    tmp_path: Path, feed_server: Any
) -> None:
    now = time.time()
    feeds = serve(feed_server, ["Variety"], now)
    config = write_config(tmp_path, feeds, "jsonl:out.jsonl", updates_table("edit"))
    assert newswatch(config, "poll", "--all").returncode == 0
    serve(feed_server, ["Variety", "The Verge"], now)
    crashed = newswatch(config, "poll", "--all", crash_at="after-send")
    assert crashed.returncode == 137
    written = jsonl_records(tmp_path)
    assert [r["kind"] for r in written] == ["alert", "update"]  # written, never marked sent
    again = newswatch(config, "poll", "--all")
    assert again.returncode == 0, again.stderr
    assert jsonl_records(tmp_path) == written
    with sqlite3.connect(tmp_path / "nw.db") as db:
        found = db.execute("SELECT status, ambiguous FROM deliveries WHERE kind = 'update'")
        assert found.fetchall() == [("sent", 1)]


def test_an_update_cut_off_mid_write_is_found_as_written_though_more_copies_came(
    tmp_path: Path, feed_server: Any
) -> None:
    """The rerun polls first: Deadline's copy arrives before the update cut off is looked
    for, which still reads as it was written (its copies kept), and Deadline's copy waits
    for an update of its own."""
    now = time.time()
    feeds = serve(feed_server, ["Variety"], now)
    config = write_config(tmp_path, feeds, "jsonl:out.jsonl", updates_table("edit"))
    assert newswatch(config, "poll", "--all").returncode == 0
    serve(feed_server, ["Variety", "The Verge"], now)
    assert newswatch(config, "poll", "--all", crash_at="after-send").returncode == 137
    written = jsonl_records(tmp_path)
    serve(feed_server, ["Variety", "The Verge", "Deadline"], now)
    again = newswatch(config, "poll", "--all")
    assert again.returncode == 0, again.stderr
    assert jsonl_records(tmp_path) == written
    with sqlite3.connect(tmp_path / "nw.db") as db:
        found = db.execute("SELECT status, ambiguous FROM deliveries WHERE kind = 'update'")
        assert found.fetchall() == [("sent", 1), ("pending", 0)]
