"""The tests' PostgreSQL: a real server, a fresh database for each test."""

from __future__ import annotations

import pytest

psycopg = pytest.importorskip("psycopg", reason="the psycopg driver is not installed")


def test_each_test_gets_an_empty_database_of_its_own(pg_dsn: str) -> None:
    with psycopg.connect(pg_dsn) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
        assert tables == (0,)
        conn.execute("CREATE TABLE mine (x int)")


def test_a_second_test_does_not_see_the_first_ones_tables(pg_dsn: str) -> None:
    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT to_regclass('public.mine')").fetchone() == (None,)
