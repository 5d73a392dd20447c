"""`newswatch migrate --to postgresql://...`: copy a SQLite database into an empty
PostgreSQL one, every table and row id as they are, in one transaction.

Row ids are kept (deliveries name stories and items, items name sources), so the copy is
the same store: validators, backoff, the outbox with what was sent and what waits, the
story index. A target holding any newswatch row is refused, never merged into; a copy cut
off half-way leaves the target as empty as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.db import Store
from bot.store.errors import StoreError
from bot.store.pg.handle import PgStore
from bot.store.pg.schema import TABLES_WITH_IDS, VERSION_KEY

# Parents before children, so a foreign key always finds its row.
TABLES = (
    "channels",
    "sources",
    "watches",
    "stories",
    "items",
    "story_urls",
    "story_terms",
    "term_docs",
    "deliveries",
    "meta",
)


@dataclass(frozen=True)
class Copied:
    """How many rows of each table went over."""

    counts: dict[str, int]

    def summary(self) -> str:
        return ", ".join(f"{n} {table}" for table, n in self.counts.items())


def copy_sqlite(source: Store, target: PgStore) -> Copied:
    """Copy every table of `source` into the empty `target`; StoreError if it is not empty."""
    counts: dict[str, int] = {}
    with target.transaction():
        busy = _rows_held(target)
        if busy:
            raise StoreError(
                f"{target.path}: not empty ({busy}); migrate copies only into an empty database"
            )
        for table in TABLES:
            counts[table] = _copy_table(source, target, table)
        for table in TABLES_WITH_IDS:  # new rows continue after the copied ids
            target.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            )
    return Copied(counts)


def _rows_held(target: PgStore) -> str:
    """The tables of `target` that hold rows already (its own schema version aside)."""
    held = []
    for table in TABLES:
        extra = f" WHERE key <> '{VERSION_KEY}'" if table == "meta" else ""
        row = target.row(f"SELECT COUNT(*) AS n FROM {table}{extra}")
        if row is not None and row["n"]:
            held.append(f"{row['n']} rows in {table}")
    return ", ".join(held)


def _copy_table(source: Store, target: PgStore, table: str) -> int:
    """COPY one table's rows over, the columns both schemas share, in id order."""
    columns = [str(row[1]) for row in source.execute(f"PRAGMA table_info({table})")]
    names = ", ".join(columns)
    copied = 0
    with target.pg.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in source.each(f"SELECT {names} FROM {table} WHERE {_skip(table)} ORDER BY 1"):
            copy.write_row(tuple(row))  # type: ignore[arg-type]
            copied += 1
    return copied


def _skip(table: str) -> str:
    """The rows not to copy: SQLite's own schema marker has no place in the target."""
    return f"key <> '{VERSION_KEY}'" if table == "meta" else "1 = 1"
