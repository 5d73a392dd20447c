"""The SQLite file: settings, migrations, and loud refusal of a file that cannot be trusted."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Literal

import pytest

from bot.store.db import MIGRATIONS, StoreError, close_db, open_db
from tests.feeds import Entry, rss
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


def _filled_db(path: Path) -> None:
    """A store with enough pages that overwriting some hits real b-tree pages."""
    db = open_db(path)
    with db.conn:
        db.execute("CREATE TABLE filler (x TEXT)")
        db.conn.executemany("INSERT INTO filler VALUES (?)", [("x" * 500,) for _ in range(2000)])
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()


def _overwrite_pages(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[8192:40960] = b"\x00\xff" * 16384  # b-tree pages overwritten
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", ["garbage", "pages"])
def test_a_corrupt_file_stops_the_poll_with_one_line_and_posts_nothing(
    tmp_path: Path, damage: str
) -> None:
    config = write_config(tmp_path, watches=["Sora"])
    path = tmp_path / "nw.db"
    _filled_db(path)
    if damage == "garbage":
        data = bytearray(path.read_bytes())
        data[:100] = b"\xde\xad\xbe\xef" * 25  # the header is gone
        path.write_bytes(bytes(data))
    else:
        _overwrite_pages(path)
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


def _open_and_close(path: Path, check: Literal["always", "if-changed"]) -> None:
    close_db(open_db(path, check), path)


def _counting_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    import bot.store.db

    calls: list[int] = []
    real = bot.store.db.quick_check

    def counted(conn: sqlite3.Connection) -> tuple[str] | None:
        calls.append(1)
        return real(conn)

    monkeypatch.setattr(bot.store.db, "quick_check", counted)
    return calls


def test_a_file_left_by_a_clean_close_is_not_read_whole_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _counting_checks(monkeypatch)
    path = tmp_path / "nw.db"
    _open_and_close(path, "if-changed")
    _open_and_close(path, "if-changed")
    assert len(calls) == 1  # the second open trusts the file the first one closed
    _open_and_close(path, "always")
    assert len(calls) == 2  # "always" (a service start) checks regardless


def test_a_file_changed_by_another_writer_is_checked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _counting_checks(monkeypatch)
    path = tmp_path / "nw.db"
    _open_and_close(path, "if-changed")
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE other_tool (x)")
    _open_and_close(path, "if-changed")
    assert len(calls) == 2


def test_a_file_not_checked_for_a_day_is_checked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.store.db

    calls = _counting_checks(monkeypatch)
    path = tmp_path / "nw.db"
    _open_and_close(path, "if-changed")
    later = time.time() + bot.store.db.CHECK_EVERY + 1
    monkeypatch.setattr(bot.store.db.time, "time", lambda: later)
    _open_and_close(path, "if-changed")
    assert len(calls) == 2


def test_pages_damaged_after_a_clean_poll_still_stop_the_next_poll(
    tmp_path: Path, feed_server: Any
) -> None:
    feed_server.add("/f.xml", body=rss([Entry("Sora story", "https://a.example/1")]))
    config = write_config(tmp_path, feeds=[feed_server.url("/f.xml")], watches=["Sora"])
    path = tmp_path / "nw.db"
    _filled_db(path)
    poll = [sys.executable, "-m", "bot", "--config", str(config), "poll", "--all"]
    first = subprocess.run(poll, capture_output=True, text=True, timeout=60)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "nw.db.verified").exists()  # the clean close left its marker
    _overwrite_pages(path)  # from outside newswatch
    again = subprocess.run(poll, capture_output=True, text=True, timeout=60)
    assert again.returncode == 1
    assert str(path) in again.stderr and len(again.stderr.strip().splitlines()) == 1
