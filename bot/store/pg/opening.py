"""Opening a PostgreSQL database: connect, create or upgrade the schema. Any number of
newswatch workers may open one database; they share the work through leases and advisory
locks (bot.crew, bot.store.pg.coord, bot.store.pg.leases).

Two processes opening one new database at once must not both create the schema: the
check and the steps run under a transaction-level advisory lock (SCHEMA_LOCK).
"""

from __future__ import annotations

from bot.store.errors import StoreError
from bot.store.pg.handle import PgStore, connect
from bot.store.pg.schema import BASELINE, SCHEMA, STEPS, VERSION_KEY, newest

# A pg_advisory_lock key: "nwschema" as a 64-bit number, unlikely to meet an application's
# own keys on a shared server.
SCHEMA_LOCK = int.from_bytes(b"nwschema", "big") >> 1


def open_pg(url: str) -> PgStore:
    """Open the database, making the schema on a new one and applying newer steps."""
    db = PgStore(connect(url), url)
    try:
        migrate_pg(db)
    except BaseException:
        db.close()
        raise
    return db


def schema_version(db: PgStore) -> int | None:
    """The database's schema version, or None where newswatch has made no schema yet."""
    if db.row("SELECT to_regclass('meta') AS meta")["meta"] is None:  # type: ignore[index]
        return None
    row = db.row("SELECT value FROM meta WHERE key = ?", [VERSION_KEY])
    if row is None:
        raise StoreError(f"{db.path}: holds a table 'meta' that newswatch did not make")
    return int(row["value"])


def migrate_pg(db: PgStore) -> None:
    """Bring the schema to the newest version, in one transaction."""
    with db.transaction():
        db.execute("SELECT pg_advisory_xact_lock(?)", [SCHEMA_LOCK])
        version = schema_version(db)
        if version is None:
            db.pg.execute(SCHEMA)
            db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", [VERSION_KEY, "0"])
            version = BASELINE
        if version > newest():
            raise StoreError(f"{db.path}: made by a newer newswatch (schema {version})")
        for step in STEPS[version - BASELINE :]:
            db.pg.execute(step)
        db.execute("UPDATE meta SET value = ? WHERE key = ?", [str(newest()), VERSION_KEY])
