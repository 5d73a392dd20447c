"""Shared fixtures: the real loopback feed server, a real PostgreSQL, the fake Slack, and the
`database` every test that must hold on both stores runs on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.store.db import Store, open_db
from tests.feedserver import feed_server  # noqa: F401  (fixture re-exported for every test)
from tests.pgserver import pg_dsn, pg_server  # noqa: F401  (a real PostgreSQL, or a skip)
from tests.slack_fixtures import slack, slack_env  # noqa: F401  (the fake Slack, its tokens)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> str:
    """The config's `database` for a test that must hold on both stores: a SQLite file
    beside the config, or a fresh database on the session's PostgreSQL (or a skip)."""
    if request.param == "sqlite":
        return "nw.db"
    return str(request.getfixturevalue("pg_dsn"))


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An open, empty store for store-level tests that must hold on both databases."""
    if request.param == "sqlite":
        db = open_db(tmp_path / "nw.db")
    else:
        from bot.store.pg.opening import open_pg

        db = open_pg(str(request.getfixturevalue("pg_dsn")))
    try:
        yield db
    finally:
        db.close()
