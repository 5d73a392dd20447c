"""HARDENING F7: what survives a power loss, with WAL and synchronous=FULL.

A commit returns only once its WAL frames are on disk, so a power loss can only tear the
transaction in flight: the frames after the last whole commit, which SQLite discards. The
tests make those states by copying the files: the database file without its `-wal` (a
backup that missed it, or a lost file), and a WAL whose last frame is cut short.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

from bot.app import App
from bot.config import load_config
from tests.feeds import Entry, rss
from tests.pipeline_helpers import Clock, make_app, read_alerts, write_config

TITLES = [
    "Sora opens to filmmakers in Los Angeles",
    "OpenAI pitches Sora licensing to major studios",
    "Sora app passes ten million downloads",
    "Music video directors test Sora on set",
]
WAL_HEADER, FRAME_HEADER = 32, 24


def setup(tmp_path: Path, feed_server: Any, clock: Clock) -> Path:
    entries = [
        Entry(t, f"https://a.example/{n}", published=clock.now - 60) for n, t in enumerate(TITLES)
    ]
    feed_server.add("/f.xml", body=rss(entries), content_type="application/rss+xml")
    return write_config(tmp_path, feeds=[feed_server.url("/f.xml")], watches=["Sora"])


def restored(tmp_path: Path, config: Path, name: str) -> Path:
    """The same config and feeds beside a copied database, with a jsonl file of its own."""
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    shutil.copy(tmp_path / "list.toml", folder / "list.toml")
    shutil.copy(config, folder / "newswatch.toml")
    return folder / "newswatch.toml"


def statuses(database: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = db.execute("SELECT status, ambiguous FROM deliveries ORDER BY id").fetchall()
    return [(str(s), int(a)) for s, a in rows]


async def test_the_database_file_alone_holds_every_finished_cycle(
    tmp_path: Path, feed_server: Any
) -> None:
    clock = Clock()
    config = setup(tmp_path, feed_server, clock)
    app = make_app(config, clock)
    try:
        await app.cycle(all_sources=True)
        copy = restored(tmp_path, config, "copy")
        shutil.copy(tmp_path / "nw.db", copy.parent / "nw.db")  # no -wal beside it
    finally:
        await app.close()
    assert statuses(copy.parent / "nw.db") == [("sent", 0)] * len(TITLES)
    again = make_app(copy, clock)
    try:
        report = await again.cycle(all_sources=True)
    finally:
        await again.close()
    assert report.poll.new_items == 0 and read_alerts(copy.parent) == []


async def test_a_torn_last_commit_is_dropped_whole_and_nothing_is_written_twice(
    tmp_path: Path, feed_server: Any
) -> None:
    """The last commit marked the alerts sent; torn, it leaves them 'sending'. The jsonl
    file was fsynced before that commit began, so it holds them, and nothing is repeated."""
    clock = Clock()
    config = setup(tmp_path, feed_server, clock)
    app = make_app(config, clock)
    try:
        # Poll and drain without the cycle's checkpoint: every commit is still in the WAL,
        # the last of them marking the alerts sent.
        await app.poller.poll(all_sources=True)
        await app.deliverer.drain()
        copy = restored(tmp_path, config, "torn")
        for name in ("nw.db", "alerts0.jsonl"):
            shutil.copy(tmp_path / name, copy.parent / name)
        wal = (tmp_path / "nw.db-wal").read_bytes()
    finally:
        await app.close()
    page_size = int.from_bytes(wal[8:12], "big")
    frames = (len(wal) - WAL_HEADER) // (FRAME_HEADER + page_size)
    assert frames > 10  # the whole poll is in this WAL: nothing was checkpointed yet
    # Power lost while the last frame was being written: half of it reached the disk.
    (copy.parent / "nw.db-wal").write_bytes(wal[: len(wal) - page_size // 2])
    assert statuses(copy.parent / "nw.db") == [("sending", 0)] * len(TITLES)
    again = App(load_config(str(copy), {}), clock=clock)
    try:
        await again.start(listen=False)
        report = await again.cycle(all_sources=True)
    finally:
        await again.close()
    assert report.poll.new_items == 0 and report.delivery.sent == len(TITLES)
    assert read_alerts(copy.parent) == read_alerts(tmp_path)  # found there, not re-written
    assert statuses(copy.parent / "nw.db") == [("sent", 1)] * len(TITLES)
