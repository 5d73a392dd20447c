"""The PostgreSQL store: SQLite's schema and version, a URL without a password, and the
store's operations on a real server (workers sharing it: tests/test_pg_workers.py)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.config import ConfigError, load_config
from bot.ops.logs import redact
from bot.store import channels, outbox, sources
from bot.store.db import MIGRATIONS, StoreError, open_db, transaction
from bot.store.pg.opening import open_pg
from bot.store.pg.schema import BASELINE, STEPS, newest
from tests.feeds import rss
from tests.pgserver import PASSWORD_ROLE, SUPERUSER
from tests.pipeline_helpers import write_config
from tests.test_cli import newswatch

psycopg = pytest.importorskip("psycopg", reason="the psycopg driver is not installed")


def sqlite_columns(path: Path) -> dict[str, list[str]]:
    db = open_db(path)
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {t: [r[1] for r in db.execute(f"PRAGMA table_info({t})")] for t in sorted(tables)}


def pg_columns(dsn: str) -> dict[str, list[str]]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
        ).fetchall()
    found: dict[str, list[str]] = {}
    for table, column in rows:
        found.setdefault(table, []).append(column)
    return found


def test_postgresql_has_every_table_and_column_of_sqlites_newest_schema(
    tmp_path: Path, pg_dsn: str
) -> None:
    open_pg(pg_dsn).close()
    assert pg_columns(pg_dsn) == sqlite_columns(tmp_path / "nw.db")


def test_both_stores_are_at_the_same_schema_version(pg_dsn: str) -> None:
    assert BASELINE + len(STEPS) == newest() == len(MIGRATIONS)
    db = open_pg(pg_dsn)
    assert db.row("SELECT value FROM meta WHERE key = 'schema_version'")["value"] == "10"  # type: ignore[index]


def test_reopening_makes_the_schema_once(pg_dsn: str) -> None:
    open_pg(pg_dsn).close()
    db = open_pg(pg_dsn)
    assert db.row("SELECT count(*) AS n FROM meta")["n"] == 1  # type: ignore[index]


def test_a_database_from_a_newer_newswatch_is_refused(pg_dsn: str) -> None:
    open_pg(pg_dsn).close()
    with psycopg.connect(pg_dsn) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="newer newswatch"):
        open_pg(pg_dsn)


def test_a_database_holding_another_programs_meta_table_is_refused(pg_dsn: str) -> None:
    with psycopg.connect(pg_dsn) as conn:
        conn.execute("CREATE TABLE meta (key TEXT, value TEXT)")
    with pytest.raises(StoreError, match="did not make"):
        open_pg(pg_dsn)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://news:s3cr3t-pw@db.example:5432/newswatch",
        "postgresql://news@db.example/newswatch?password=s3cr3t-pw",
        "postgresql://news@db.example/newswatch?sslmode=require&sslpassword=s3cr3t-pw",
    ],
)
def test_a_url_with_a_password_is_refused_naming_pgpassword_and_never_echoing_it(
    tmp_path: Path, url: str
) -> None:
    config = write_config(tmp_path, database=url)
    with pytest.raises(ConfigError) as refused:
        load_config(str(config), {})
    message = str(refused.value)
    assert "database" in message and "PGPASSWORD" in message and ".pgpass" in message
    assert "s3cr3t" not in message and "\n" not in message


def test_the_pgpassword_value_is_masked_in_every_log_line_and_stored_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PGPASSWORD", "from-env-only-pw")
    assert "from-env-only-pw" not in redact("server said: bad password from-env-only-pw")


def test_a_url_without_a_database_name_is_refused(tmp_path: Path) -> None:
    config = write_config(tmp_path, database="postgresql://news@db.example:5432")
    with pytest.raises(ConfigError, match="needs a database name"):
        load_config(str(config), {})


def test_the_password_comes_from_pgpassword(
    pg_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """libpq's own rule: a role that must give a password connects with PGPASSWORD set,
    and without it (nor a ~/.pgpass) is refused with a line that holds no secret."""
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {PASSWORD_ROLE} LOGIN PASSWORD 'from-env-only'")
        conn.execute(f"ALTER DATABASE {pg_dsn.rsplit('/', 1)[1]} OWNER TO {PASSWORD_ROLE}")
    url = pg_dsn.replace(f"{SUPERUSER}@", f"{PASSWORD_ROLE}@")
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    with pytest.raises(StoreError, match="cannot connect"):
        open_pg(url)
    monkeypatch.setenv("PGPASSWORD", "from-env-only")
    db = open_pg(url)
    assert db.row("SELECT current_user AS me")["me"] == PASSWORD_ROLE  # type: ignore[index]


def test_sources_on_sqlite_has_no_workers_line(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    result = newswatch("--config", str(config), "sources", cwd=tmp_path)
    assert "workers:" not in result.stdout


def test_a_transaction_that_fails_leaves_nothing_behind(pg_dsn: str) -> None:
    db = open_pg(pg_dsn)
    with pytest.raises(RuntimeError), transaction(db):
        channels.channel_id(db, "console")
        raise RuntimeError("cut off")
    assert channels.channel_statuses(db) == []


def test_an_alert_is_queued_once_per_story_and_channel(pg_dsn: str) -> None:
    db = open_pg(pg_dsn)
    with transaction(db):
        cid = channels.channel_id(db, "jsonl:a.jsonl")
        for poll in ("p1", "p2"):
            outbox.add_alert(
                db, channel_id=cid, story_id=7, item_id=1, watches=["Sora"], poll_id=poll, now=1.0
            )
    [row] = outbox.due(db, 2.0)
    assert (row.story_id, row.watches, row.target) == (7, ("Sora",), "jsonl:a.jsonl")


def test_the_clock_going_back_makes_a_source_due_now(pg_dsn: str) -> None:
    db = open_pg(pg_dsn)
    db.execute("INSERT INTO sources (url, next_poll, last_poll) VALUES ('https://a/', 500, 400)")
    assert sources.next_due(db, 1000.0) == 500.0
    assert sources.next_due(db, 100.0) == 100.0  # the last poll is in the future


def test_sqlite_stays_the_default_and_needs_no_driver(tmp_path: Path) -> None:
    """A config without a postgresql:// URL never imports psycopg."""
    config = write_config(tmp_path)
    code = (
        "import sys; from bot.config import load_config; from bot.app import App\n"
        f"App(load_config({str(config)!r}, {{}})); assert 'psycopg' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path)
    assert sqlite3.connect(tmp_path / "nw.db").execute("PRAGMA user_version").fetchone() == (10,)


def test_doctor_says_the_postgresql_database_is_ok_by_its_url(
    tmp_path: Path, pg_dsn: str, feed_server: Any
) -> None:
    feed_server.add("/f.xml", body=rss([]), content_type="application/rss+xml")
    config = write_config(tmp_path, database=pg_dsn, feeds=[feed_server.url("/f.xml")])
    result = newswatch("--config", str(config), "doctor", cwd=tmp_path)
    assert f"database: ok ({pg_dsn})" in result.stdout.splitlines()
