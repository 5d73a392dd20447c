"""`newswatch migrate --to postgresql://...`: a SQLite store moves to PostgreSQL whole, keeps
polling where it stopped (validators, sent alerts, waiting ones) and is never merged into a
database that holds rows."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from tests.feeds import Entry, rss
from tests.pipeline_helpers import HOUR, read_alerts, stored_rows, write_config
from tests.test_cli import RSS, newswatch

pytest.importorskip("psycopg", reason="the psycopg driver is not installed")
TABLES = ("channels", "sources", "watches", "stories", "items", "story_urls", "story_terms")
TABLES += ("term_docs", "deliveries")


def _sqlite_service(tmp_path: Path, feed_server: Any) -> Path:
    """A SQLite store after one poll of a feed with an ETag: two alerts sent, two channels."""
    now = time.time()
    entries = [
        Entry("Sora opens to filmmakers", "https://a.example/1", published=now - HOUR),
        Entry("WGA talks resume", "https://a.example/2", published=now - HOUR),
    ]
    feed_server.add("/a.xml", body=rss(entries), content_type=RSS, etag='"v1"')
    config = write_config(
        tmp_path, feeds=[feed_server.url("/a.xml")], watches=["Sora", "WGA"], channels=2
    )
    polled = newswatch("--config", str(config), "poll", "--all", cwd=tmp_path)
    assert polled.returncode == 0, polled.stderr
    return config


def _migrate(config: Path, dsn: str, tmp_path: Path) -> Any:
    return newswatch("--config", str(config), "migrate", "--to", dsn, cwd=tmp_path)


def _pointed_at(tmp_path: Path, dsn: str) -> Path:
    """The same config with `database` set to the PostgreSQL URL, as migrate tells one to."""
    config = tmp_path / "newswatch.toml"
    text = config.read_text(encoding="utf-8").replace('database = "nw.db"', f'database = "{dsn}"')
    config.write_text(text, encoding="utf-8")
    return config


def test_migrate_copies_every_table_row_for_row(
    tmp_path: Path, feed_server: Any, pg_dsn: str
) -> None:
    config = _sqlite_service(tmp_path, feed_server)
    result = _migrate(config, pg_dsn, tmp_path)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "nw.db") as lite:
        before = {t: lite.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in TABLES}
    after = _pointed_at(tmp_path, pg_dsn)
    for table in TABLES:
        assert stored_rows(after, f"SELECT * FROM {table} ORDER BY 1") == before[table], table
    assert "4 deliveries" in result.stdout and "2 items" in result.stdout


def test_a_migrated_store_polls_conditionally_and_sends_nothing_twice(
    tmp_path: Path, feed_server: Any, pg_dsn: str
) -> None:
    config = _sqlite_service(tmp_path, feed_server)
    assert _migrate(config, pg_dsn, tmp_path).returncode == 0
    config = _pointed_at(tmp_path, pg_dsn)
    again = newswatch("--config", str(config), "poll", "--all", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert feed_server.requests[-1].headers.get("If-None-Match") == '"v1"'
    assert "1 unchanged" in again.stderr
    entries = [
        Entry("Sora opens to filmmakers", "https://a.example/1", published=time.time() - HOUR),
        Entry("WGA talks resume", "https://a.example/2", published=time.time() - HOUR),
        Entry("Sora adds sound", "https://a.example/3", published=time.time()),
    ]
    feed_server.add("/a.xml", body=rss(entries), content_type=RSS, etag='"v2"')
    grown = newswatch("--config", str(config), "poll", "--all", cwd=tmp_path)
    assert grown.returncode == 0, grown.stderr
    for channel in (0, 1):
        assert [a["title"] for a in read_alerts(tmp_path, channel)] == [
            "Sora opens to filmmakers",
            "WGA talks resume",
            "Sora adds sound",
        ]


def test_an_alert_waiting_in_the_outbox_is_sent_once_after_the_move(
    tmp_path: Path, feed_server: Any, pg_dsn: str
) -> None:
    now = time.time()
    body = rss([Entry("Sora opens to filmmakers", "https://a.example/1", published=now)])
    feed_server.add("/a.xml", body=body, content_type=RSS)
    config = write_config(tmp_path, feeds=[feed_server.url("/a.xml")], watches=["Sora"])
    (tmp_path / "alerts0.jsonl").mkdir()  # the target cannot be written: the alert waits
    assert newswatch("--config", str(config), "poll", "--all", cwd=tmp_path).returncode == 0
    (tmp_path / "alerts0.jsonl").rmdir()
    assert _migrate(config, pg_dsn, tmp_path).returncode == 0
    config = _pointed_at(tmp_path, pg_dsn)
    stored_rows(config, "UPDATE deliveries SET next_attempt = 0")  # its retry time has come
    for _ in range(2):
        assert newswatch("--config", str(config), "poll", "--all", cwd=tmp_path).returncode == 0
    assert [a["title"] for a in read_alerts(tmp_path)] == ["Sora opens to filmmakers"]


def test_migrate_refuses_a_target_that_holds_rows(
    tmp_path: Path, feed_server: Any, pg_dsn: str
) -> None:
    config = _sqlite_service(tmp_path, feed_server)
    assert _migrate(config, pg_dsn, tmp_path).returncode == 0
    second = _migrate(config, pg_dsn, tmp_path)
    assert second.returncode == 1
    [line] = second.stderr.splitlines()
    assert "not empty" in line and "rows in sources" in line


def test_migrate_refuses_a_url_with_a_password_as_bad_usage(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    result = _migrate(config, "postgresql://news:hunter2@127.0.0.1/nw", tmp_path)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert "PGPASSWORD" in line and "hunter2" not in line


def test_new_rows_after_a_migration_take_ids_after_the_copied_ones(
    tmp_path: Path, feed_server: Any, pg_dsn: str
) -> None:
    config = _sqlite_service(tmp_path, feed_server)
    assert _migrate(config, pg_dsn, tmp_path).returncode == 0
    config = _pointed_at(tmp_path, pg_dsn)
    newer = [Entry("Sora adds sound", "https://a.example/3", published=time.time())]
    feed_server.add("/a.xml", body=rss(newer), content_type=RSS, etag='"v2"')
    polled = newswatch("--config", str(config), "poll", "--all", cwd=tmp_path)
    assert polled.returncode == 0, polled.stderr
    ids = [row[0] for row in stored_rows(config, "SELECT id FROM deliveries ORDER BY id")]
    assert ids == [1, 2, 3, 4, 5, 6]
