"""The open database: connection settings, transactions, checks and migrations.

The database is the service's memory (validators, next polls, failures, the outbox), so
it is opened with WAL, synchronous=FULL and a busy timeout, and checked at start. The
schema is bot.store.schema; the files on disk and their marker, bot.store.dbfile.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from pathlib import Path
from typing import Any, Literal, Protocol

from bot.store.dbfile import CHECK_EVERY as CHECK_EVERY
from bot.store.dbfile import (
    clear_marker,
    prepare_files,
    real_path,
    unchanged_since_close,
    write_marker,
)
from bot.store.errors import StorageUnavailable as StorageUnavailable
from bot.store.errors import StoreError as StoreError
from bot.store.errors import storage_failure
from bot.store.schema import MIGRATIONS as MIGRATIONS


class Row(Protocol):
    """A result row, read by column name or position (sqlite3.Row, bot.store.pg's rows)."""

    def __getitem__(self, key: int | str, /) -> Any: ...


class Cursor(Protocol):
    """What the store's modules read from a statement, on either database."""

    @property
    def rowcount(self) -> int: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class Store:
    """One open database: its connection and what this process knows about the file.

    Plain sqlite3, not sqlite-utils: every statement newswatch runs is hand-written SQL
    in a dialect both SQLite and PostgreSQL read (bot.store.pg.handle.PgStore, a Store over
    PostgreSQL, runs the same modules), so a wrapper added nothing.
    """

    on_file = True  # a SQLite file: WAL checkpoints and a clean-close marker apply

    def __init__(self, conn: sqlite3.Connection, path: str, checked_at: float | None) -> None:
        self.conn = conn
        self.path = path
        # When the file last passed quick_check; close() records it beside the file, so the
        # next one-shot command may skip a check of an unchanged file (None: never checked).
        self.checked_at = checked_at
        # Counts the moments after which what this process read may no longer be what the
        # database holds, so a memory of rows (bot.stories.recent) knows to read them again:
        # on a SQLite file, which one instance writes (bot.ops.instance), a rollback only.
        self.generation = 0

    def execute(self, sql: str, parameters: Sequence[object] = ()) -> Cursor:
        return self.conn.execute(sql, parameters)

    def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        """One statement over many rows (a file's hundreds of deliveries, a copy's terms)."""
        self.conn.executemany(sql, rows)

    def rows(self, sql: str, parameters: Sequence[object] = ()) -> list[Row]:
        """Every row, read by column name (the store's modules never count columns)."""
        return self._named(sql, parameters).fetchall()

    def each(self, sql: str, parameters: Sequence[object] = ()) -> Iterator[Row]:
        """Rows read by column name as the caller asks for them (it may stop early)."""
        yield from self._named(sql, parameters)

    def row(self, sql: str, parameters: Sequence[object] = ()) -> Row | None:
        """The first row, read by column name, or None."""
        found: sqlite3.Row | None = self._named(sql, parameters).fetchone()
        return found

    def transaction(self) -> AbstractContextManager[None]:
        """A transaction on this database (see `transaction`)."""
        return _sqlite_transaction(self)

    def close(self) -> None:
        """Close the connection, leaving no clean-close marker (close_db writes one)."""
        self.checked_at = None
        self.conn.close()

    def _named(self, sql: str, parameters: Sequence[object]) -> sqlite3.Cursor:
        # Per cursor, not per connection: `execute` keeps giving plain tuples to its callers.
        cursor = self.conn.cursor()
        cursor.row_factory = sqlite3.Row
        return cursor.execute(sql, parameters)


def transaction(db: Store) -> AbstractContextManager[None]:
    """One real transaction: committed at the end, rolled back on any exception, joined
    when nested; StorageUnavailable when the storage refused it. Either database's."""
    return db.transaction()


@contextmanager
def _sqlite_transaction(db: Store) -> Iterator[None]:
    """One real SQLite transaction: committed at the end, rolled back on any exception.

    The connection is in autocommit mode (isolation_level=None), where `with conn:` opens
    no transaction at all: each statement would commit, and fsync, on its own. Nested use
    joins the transaction already open. A full disk, a read-only file or a lock held too
    long comes out as StorageUnavailable, with nothing of the transaction written.
    """
    conn = db.conn
    if conn.in_transaction:
        yield
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            conn.execute("COMMIT")
        except BaseException:
            db.generation += 1  # what the transaction wrote is undone
            # SQLite has rolled back already after SQLITE_FULL and some I/O errors.
            if conn.in_transaction:
                with suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise
    except sqlite3.OperationalError as exc:
        reason = storage_failure(exc)
        if reason is None:
            raise
        raise StorageUnavailable(reason) from exc


def checkpoint(db: Store) -> None:
    """Fold the WAL into the database file (HARDENING F7), so a copy of the file alone, a
    careless backup or a lost `-wal`, is at most one cycle behind. Passive: never waits."""
    if not db.on_file:
        return
    try:
        db.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    except sqlite3.OperationalError as exc:
        reason = storage_failure(exc)
        if reason is None:
            raise
        raise StorageUnavailable(reason) from exc


def open_db(path: Path | str, check: Literal["always", "if-changed"] = "always") -> Store:
    """Open (creating if needed), check and migrate the database.

    `quick_check` reads the whole file (3 s of CPU on a million items). With "if-changed"
    it is skipped when the file is exactly as a clean close of newswatch left it (the
    marker written by close_db: sizes and modification times of the file and its WAL)
    and was checked within CHECK_EVERY. Any other writer, a crash, a restored copy or a
    damaged page written from outside changes a time, and the check runs.
    """
    trusted_since: float | None = None  # when the trusted file last passed quick_check
    if str(path) != ":memory:":
        path = real_path(Path(path))
        if check == "if-changed":
            trusted_since = unchanged_since_close(Path(path))
        clear_marker(Path(path))  # from here on this process may write: no marker holds
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        prepare_files(Path(path))
    try:
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=10.0)
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("PRAGMA journal_mode = WAL")
        # FULL: a committed "sent" mark survives power loss, so a restart never repeats it.
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        # 32 MiB of page cache (the default is 2 MiB): a poll inserts into B-trees spread over
        # the whole title index and items, and rereading evicted pages costs system CPU.
        conn.execute("PRAGMA cache_size = -32768")
        # Checkpoint every 10,000 WAL pages (40 MiB), not SQLite's 1,000: a first poll's
        # commits rewrite the same term-index pages, and copying them into the file every few
        # commits cost a third of the commits' CPU (bench/RESULTS.md, 4 December). The cycle
        # still checkpoints at its end (checkpoint); a WAL past 64 MiB is cut back after one.
        conn.execute("PRAGMA wal_autocheckpoint = 10000")
        conn.execute("PRAGMA journal_size_limit = 67108864")
        result = ("ok",) if trusted_since is not None else quick_check(conn)
    except sqlite3.DatabaseError as exc:
        storage = storage_failure(exc)
        if storage is not None:
            raise StoreError(f"{path}: cannot use the database: {storage}") from None
        raise StoreError(f"{path}: not a usable SQLite database ({exc})") from None
    if result is None or result[0] != "ok":
        conn.close()
        raise StoreError(f"{path}: database is corrupt ({result[0] if result else 'no answer'})")
    db = Store(conn, str(path), trusted_since if trusted_since is not None else time.time())
    migrate(db, str(path))
    return db


def quick_check(conn: sqlite3.Connection) -> tuple[str] | None:
    """SQLite's structural check of every page: ("ok",) or the first problem."""
    row = conn.execute("PRAGMA quick_check").fetchone()
    return (str(row[0]),) if row else None


def close_db(db: Store, path: Path | str) -> None:
    """Close the connection and mark the file as this clean close left it."""
    if not db.on_file:
        db.close()
        return
    checked, db.checked_at = db.checked_at, None
    db.conn.close()
    if checked is None or str(path) == ":memory:":
        return
    target = real_path(Path(path))
    write_marker(target, checked)


def migrate(db: Store, where: str) -> None:
    """Bring the schema to the newest version, one transaction per step."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > len(MIGRATIONS):
        raise StoreError(f"{where}: made by a newer newswatch (schema {version})")
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        db.conn.executescript(
            f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;"
        )
