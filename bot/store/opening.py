"""Which database a config names, opened: SQLite by default, PostgreSQL for a
postgresql:// URL (bot.store.pg, imported only then, so a SQLite install needs no driver)."""

from __future__ import annotations

from typing import Literal

from bot.config import Config
from bot.store.db import Store, open_db
from bot.store.errors import StoreError


def open_store(
    config: Config, check: Literal["always", "if-changed"] = "always", *, exclusive: bool = False
) -> Store:
    """The configured database, checked and at the newest schema. `exclusive` is for a
    sender; on PostgreSQL several senders share the work instead (bot.crew)."""
    if config.postgres is None:
        return open_db(config.database, check)
    try:
        from bot.store.pg.opening import open_pg
    except ImportError:
        raise StoreError(
            f"{config.database_name}: PostgreSQL needs the psycopg driver: "
            "pip install 'newswatch[postgresql]'"
        ) from None
    return open_pg(config.postgres)
