"""HARDENING F9: a busy, full or read-only database stops the poll cleanly and recovers.

SQLITE_BUSY is waited out (busy_timeout). On a full disk or a read-only file a poll stops
fetching, the channels hear it once, nothing is half-processed, and the first cycle that
can write again carries on with every alert. The disk-full and read-only faults are made
two ways: SQLite's own limits (max_page_count, query_only), which run everywhere, and a
real size-limited tmpfs remounted read-only, which needs root and is skipped without it.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.config import load_config
from bot.store.db import StorageUnavailable, StoreError, open_db, transaction
from tests.feeds import Entry, rss
from tests.pipeline_helpers import Clock

WORDS = [hashlib.sha256(str(n).encode()).hexdigest()[:8] for n in range(200)]
TITLES = [f"Sora {' '.join(WORDS[5 * n : 5 * n + 5])}" for n in range(40)]  # unrelated stories
SUMMARY = "A long summary of the Sora story that fills a page of the store. " * 40


def write_config(tmp_path: Path, feed: str, database: Path) -> Path:
    (tmp_path / "list.toml").write_text('name = "t"\n[[watch]]\nquery = "Sora"\n', "utf-8")
    config = tmp_path / "newswatch.toml"
    config.write_text(
        f"database = {json.dumps(str(database))}\nallow_private_networks = true\n"
        f"[[sources]]\nurl = {json.dumps(feed)}\n"
        '[[channels]]\ntarget = "jsonl:alerts.jsonl"\nwatchlists = ["list.toml"]\n',
        "utf-8",
    )
    return config


def serve(feed_server: Any, now: float) -> str:
    entries = [
        Entry(t, f"https://a.example/{n}", summary=SUMMARY, published=now - 60)
        for n, t in enumerate(TITLES)
    ]
    feed_server.add("/f.xml", body=rss(entries), content_type="application/rss+xml")
    return str(feed_server.url("/f.xml"))


def lines(tmp_path: Path, kind: str) -> list[dict[str, Any]]:
    path = tmp_path / "alerts.jsonl"
    if not path.exists():
        return []
    records = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    return [r for r in records if r["kind"] == kind]


def test_a_full_database_raises_storage_unavailable_and_keeps_nothing(tmp_path: Path) -> None:
    db = open_db(tmp_path / "nw.db")
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StorageUnavailable, match="the disk is full"), transaction(db):
        db.execute("INSERT INTO stories (first_seen, published) VALUES (1, 1)")
        for n in range(50):  # 50 pages of text: more than the file may grow by
            db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", [f"k{n}", "x" * 4000])
    assert not db.conn.in_transaction
    assert db.execute("SELECT COUNT(*) FROM stories").fetchone()[0] == 0


def test_a_read_only_database_raises_storage_unavailable(tmp_path: Path) -> None:
    db = open_db(tmp_path / "nw.db")
    db.execute("PRAGMA query_only = ON")
    with pytest.raises(StorageUnavailable, match="read-only"), transaction(db):
        db.execute("INSERT INTO stories (first_seen, published) VALUES (1, 1)")


def test_a_writer_holding_the_lock_for_a_moment_is_waited_for(tmp_path: Path) -> None:
    db = open_db(tmp_path / "nw.db")
    other = sqlite3.connect(tmp_path / "nw.db", isolation_level=None, check_same_thread=False)
    other.execute("BEGIN EXCLUSIVE")
    releaser = threading.Timer(0.5, other.execute, ["COMMIT"])
    releaser.start()
    started = time.monotonic()
    with transaction(db):
        db.execute("INSERT INTO stories (first_seen, published) VALUES (1, 1)")
    releaser.join()
    other.close()
    assert time.monotonic() - started >= 0.4  # it waited for the other writer, then wrote
    assert db.execute("SELECT COUNT(*) FROM stories").fetchone()[0] == 1


async def cycle_through_fault(
    app: App, tmp_path: Path, break_it: Any, mend_it: Any
) -> tuple[list[dict[str, Any]], int]:
    """Poll with the storage broken twice, then mended; returns the notices seen while
    broken and the number of sources that were marked polled while broken."""
    break_it()
    await app._safe_cycle()
    await app._safe_cycle()  # still broken: retried, not announced again
    assert app.storage_down is not None
    notices = lines(tmp_path, "notice")
    mend_it()
    polled_while_broken = app.db.execute(
        "SELECT COUNT(*) FROM sources WHERE last_poll IS NOT NULL"
    ).fetchone()[0]
    await app._safe_cycle()
    await app._safe_deliver()
    return notices, int(polled_while_broken)


def assert_paused_told_once_and_resumed(
    tmp_path: Path, notices: list[dict[str, Any]], polled: int
) -> None:
    """One notice while broken, nothing half-processed, every alert once it is mended."""
    [notice] = notices
    assert "cannot write its database" in notice["text"] and "Nothing is lost" in notice["text"]
    assert polled == 0  # nothing half-processed: the source stayed due
    assert sorted(a["title"] for a in lines(tmp_path, "alert")) == sorted(TITLES)
    assert any("resumed" in n["text"] for n in lines(tmp_path, "notice")[1:])


@pytest.mark.parametrize("fault", ["full", "read-only"])
async def test_a_storage_fault_pauses_the_poll_says_so_once_and_resumes_with_every_alert(
    tmp_path: Path, feed_server: Any, fault: str
) -> None:
    clock = Clock()
    config = load_config(
        str(write_config(tmp_path, serve(feed_server, clock.now), tmp_path / "nw.db")), {}
    )
    app = App(config, clock=clock)
    conn = app.db.conn

    def break_it() -> None:
        if fault == "full":
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            conn.execute(f"PRAGMA max_page_count = {pages}")
        else:
            conn.execute("PRAGMA query_only = ON")

    def mend_it() -> None:
        conn.execute("PRAGMA max_page_count = 1073741823")
        conn.execute("PRAGMA query_only = OFF")

    try:
        await app.start(listen=False)
        notices, polled = await cycle_through_fault(app, tmp_path, break_it, mend_it)
        assert app.storage_down is None
    finally:
        await app.close()
    assert_paused_told_once_and_resumed(tmp_path, notices, polled)
    check = sqlite3.connect(tmp_path / "nw.db")
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs of its own (needs root, as in CI's container); skipped without it."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


async def test_a_real_full_filesystem_pauses_the_poll_and_resumes(
    tmp_path: Path, feed_server: Any, small_disk: Path
) -> None:
    clock = Clock()
    config = load_config(
        str(write_config(tmp_path, serve(feed_server, clock.now), small_disk / "nw.db")), {}
    )
    app = App(config, clock=clock)
    filler = small_disk / "filler"

    def fill_the_disk() -> None:
        with filler.open("wb") as out:
            try:
                while True:
                    out.write(b"\0" * 65536)
                    out.flush()
            except OSError:  # ENOSPC: the disk is full now
                pass

    try:
        await app.start(listen=False)
        notices, polled = await cycle_through_fault(app, tmp_path, fill_the_disk, filler.unlink)
        assert app.storage_down is None
    finally:
        await app.close()
    assert len(notices) == 1 and polled == 0
    assert sorted(a["title"] for a in lines(tmp_path, "alert")) == sorted(TITLES)
    check = sqlite3.connect(small_disk / "nw.db")
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_database_on_a_read_only_filesystem_is_refused_at_start_with_the_reason(
    tmp_path: Path, small_disk: Path
) -> None:
    """A filesystem cannot be made read-only under an open database (the kernel refuses
    while files are open for writing), so this checks the start; the running case is the
    query_only test above."""
    open_db(small_disk / "nw.db").conn.close()
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    with pytest.raises(StoreError, match=r"cannot be opened or created"):
        open_db(small_disk / "nw.db")
