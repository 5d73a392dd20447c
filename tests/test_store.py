"""The SQLite file: settings, migrations, and loud refusal of a file that cannot be trusted."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bot.store import MIGRATIONS, StoreError, open_db
from tests.pipeline_helpers import write_config


def test_a_new_database_runs_wal_with_full_sync_at_the_newest_schema(tmp_path: Path) -> None:
    db = open_db(tmp_path / "nw.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_reopening_migrates_nothing_twice(tmp_path: Path) -> None:
    open_db(tmp_path / "nw.db").conn.close()
    db = open_db(tmp_path / "nw.db")
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_a_database_from_a_newer_newswatch_is_refused(tmp_path: Path) -> None:
    open_db(tmp_path / "nw.db").conn.close()
    with sqlite3.connect(tmp_path / "nw.db") as raw:
        raw.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(StoreError, match="newer newswatch"):
        open_db(tmp_path / "nw.db")


@pytest.mark.parametrize("damage", ["garbage", "pages"])
def test_a_corrupt_file_stops_the_poll_with_one_line_and_posts_nothing(
    tmp_path: Path, damage: str
) -> None:
    config = write_config(tmp_path, watches=["Sora"])
    path = tmp_path / "nw.db"
    db = open_db(path)
    with db.conn:
        db.execute("CREATE TABLE filler (x TEXT)")
        db.conn.executemany("INSERT INTO filler VALUES (?)", [("x" * 500,) for _ in range(2000)])
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    data = bytearray(path.read_bytes())
    if damage == "garbage":
        data[:100] = b"\xde\xad\xbe\xef" * 25  # the header is gone
    else:
        data[8192:40960] = b"\x00\xff" * 16384  # b-tree pages overwritten
    path.write_bytes(bytes(data))
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config), "poll", "--all"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert str(path) in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "alerts0.jsonl").exists()


def test_a_writer_holding_the_lock_is_waited_for_not_failed(tmp_path: Path) -> None:
    db = open_db(tmp_path / "nw.db")
    other = sqlite3.connect(tmp_path / "nw.db", isolation_level=None, check_same_thread=False)
    other.execute("BEGIN EXCLUSIVE")
    committed = threading.Event()

    def finish() -> None:
        other.execute("COMMIT")
        committed.set()

    release = threading.Timer(1.0, finish)
    release.start()
    with db.conn:
        db.execute("INSERT INTO channels (target) VALUES ('console')")
        assert committed.is_set()  # the insert waited for the other writer, then went in
    release.join()
    other.close()
    assert db.execute("SELECT COUNT(*) FROM channels").fetchone()[0] == 1
