"""HARDENING F9 on PostgreSQL: the server restarted under a running newswatch. The poll
stops fetching, the channels hear it once, nothing is half-processed, and the first cycle
after the server is back reconnects and carries on with every alert."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.config import load_config
from bot.store.db import StorageUnavailable
from bot.store.pg.opening import open_pg
from tests.pgserver import PgServer
from tests.pipeline_helpers import Clock
from tests.test_storage_faults import (
    assert_paused_told_once_and_resumed,
    cycle_through_fault,
    serve,
    write_config,
)

pytest.importorskip("psycopg", reason="the psycopg driver is not installed")


async def test_a_server_restart_pauses_the_poll_says_so_once_and_resumes_with_every_alert(
    tmp_path: Path, feed_server: Any, pg_server: PgServer, pg_dsn: str
) -> None:
    clock = Clock()
    config = write_config(tmp_path, serve(feed_server, clock.now), pg_dsn)  # a URL, not a path
    app = App(load_config(str(config), {}), clock=clock)
    try:
        await app.start(listen=False)
        notices, polled = await cycle_through_fault(app, tmp_path, pg_server.stop, pg_server.start)
        assert app.storage_down is None
    finally:
        await app.close()
    assert_paused_told_once_and_resumed(tmp_path, notices, polled)


def test_a_statement_while_the_server_is_away_is_storage_unavailable_then_reconnects(
    pg_server: PgServer, pg_dsn: str
) -> None:
    db = open_pg(pg_dsn)
    pg_server.stop()
    try:
        with pytest.raises(StorageUnavailable):
            db.execute("SELECT 1")
        with pytest.raises(StorageUnavailable):  # still away: refused, not half-open
            db.execute("SELECT 1")
    finally:
        pg_server.start()
    assert db.execute("SELECT 1").fetchone() == (1,)
