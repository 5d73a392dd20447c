"""`newswatch migrate --to postgresql://...`: move the configured SQLite database to
PostgreSQL (bot.store.pg.copy), then point the config's `database` at the URL.

The SQLite file is held by the instance lock while it is copied, so no service changes it
half-way; the target must be empty, and stays so if the copy fails.
"""

from __future__ import annotations

import sys
from typing import Any

from bot.config import Config
from bot.database_url import check_postgres_url, display_url
from bot.ops.instance import InstanceLock
from bot.store.db import close_db, open_db


class MigrateUsage(ValueError):
    """A `migrate` that cannot be run as asked (bad usage: exit 2)."""


def add_parser(sub: Any) -> None:
    migrate = sub.add_parser("migrate", help="copy the SQLite database into an empty PostgreSQL")
    migrate.add_argument("--to", required=True, help="postgresql://user@host/db (no password)")


def run_migrate(config: Config, to: str) -> int:
    """Copy every table over; print what went and what to change in the config."""
    if config.postgres is not None:
        raise MigrateUsage("migrate: the config names PostgreSQL already; it copies from SQLite")
    try:
        url = check_postgres_url(to)
    except ValueError as exc:
        raise MigrateUsage(f"--to: {exc}") from None
    from bot.store.pg.copy import copy_sqlite
    from bot.store.pg.opening import open_pg

    with InstanceLock(config.database):
        source = open_db(config.database)
        try:
            target = open_pg(url)
            try:
                copied = copy_sqlite(source, target)
            finally:
                target.close()
        finally:
            close_db(source, config.database)
    print(f"copied {config.database} to {display_url(url)}: {copied.summary()}")
    print(f'now set database = "{url}" in the config', file=sys.stderr)
    return 0
