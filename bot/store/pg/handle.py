"""A PostgreSQL database as a Store: the store's modules run on it unchanged.

Its statements go through bot.store.pg.dialect; rows read by name or position as
sqlite3.Row does; the connection is in autocommit mode and `transaction` opens a real
one (BEGIN ... COMMIT, joined when nested), as the SQLite store does. A connection that
fails (the server restarted, the network went) is StorageUnavailable, so the service
pauses and says so once, as for a full disk (HARDENING F9).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.adapt import Buffer, Loader
from psycopg.pq import TransactionStatus
from psycopg.rows import RowMaker

from bot.database_url import display_url
from bot.ops.logs import scrub
from bot.store.db import Cursor, Row, Store
from bot.store.errors import StorageUnavailable, StoreError
from bot.store.pg import dialect

# Every transaction takes this transaction-level advisory lock first ("nwwriter" as a
# 64-bit number): one writer at a time, as SQLite's BEGIN IMMEDIATE gives. The store's
# read-then-write steps (placing a copy in a story, the one-alert-per-story check, the watch
# quotas) then hold across processes on one server as they hold on one file.
WRITE_LOCK = int.from_bytes(b"nwwriter", "big") >> 1


class PgRow(tuple[Any, ...]):
    """A row read by column name or by position, like sqlite3.Row."""

    names: dict[str, int]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self.names[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self.names)


def pg_row(cursor: psycopg.Cursor[Any]) -> RowMaker[PgRow]:
    """psycopg's row factory for PgRow: the column names once per statement."""
    names = {column.name: at for at, column in enumerate(cursor.description or ())}

    def make(values: Sequence[Any]) -> PgRow:
        row = PgRow(values)
        row.names = names
        return row

    return make


class NumberLoader(Loader):
    """NUMERIC (what SUM of a BIGINT returns) as int or float, as SQLite gives it."""

    def load(self, data: Buffer) -> int | float:
        text = bytes(data).decode("ascii")
        return int(text) if text.lstrip("-").isdigit() else float(text)


@dataclass(frozen=True)
class Holder:
    """Who holds a session lock: the newswatch's own name for itself (application_name),
    when its connection began and when it last ran a statement (Unix times)."""

    name: str
    since: float
    active: float | None


def application_name() -> str:
    """How each newswatch names its connections, so the server can say who holds a lock."""
    return f"newswatch pid {os.getpid()} on {socket.gethostname()}"[:63]


class PgStore(Store):
    """One open PostgreSQL database: its connection and the URL it was opened with."""

    on_file = False

    def __init__(self, conn: psycopg.Connection[PgRow], url: str) -> None:
        self.pg = conn
        self.url = url  # never holds a password (bot.database_url refuses one)
        self.path = display_url(url)
        self.checked_at = None
        self._sql: dict[str, str] = {}  # each statement text, translated once
        self.generation = 0  # see Store: here also at each transaction's start (_transaction)

    def live(self) -> psycopg.Connection[PgRow]:
        """The connection, opened again if the last one was lost (a server restart): the
        first statement after an outage reconnects, and fails as StorageUnavailable while
        the server is still away. Session advisory locks went with the old connection;
        their holders ask again (bot.store.pg.coord)."""
        if self.pg.closed or self.pg.broken:
            try:
                self.pg = connect(self.url)
            except StoreError as exc:
                raise StorageUnavailable(str(exc)) from None
        return self.pg

    def lock_holder(self, key: int) -> Holder | None:
        """The connection holding session advisory lock `key` in this database, if any."""
        row = self.row(
            "SELECT a.application_name AS name, EXTRACT(EPOCH FROM a.backend_start) AS since, "
            "EXTRACT(EPOCH FROM a.state_change) AS active "
            "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
            "AND l.classid = ?::oid AND l.objid = ?::oid "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            [key >> 32, key & 0xFFFFFFFF],
        )
        if row is None:
            return None
        active = None if row["active"] is None else float(row["active"])
        return Holder(str(row["name"] or "an unnamed client"), float(row["since"]), active)

    def execute(self, sql: str, parameters: Sequence[object] = ()) -> Cursor:
        try:
            return self.live().execute(self._translated(sql), dialect.parameters(parameters))
        except psycopg.OperationalError as exc:
            raise StorageUnavailable(_reason(exc)) from exc

    def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        values = [dialect.parameters(row) for row in rows]
        if not values:
            return
        try:
            with self.live().cursor() as cursor:
                cursor.executemany(self._translated(sql), values)
        except psycopg.OperationalError as exc:
            raise StorageUnavailable(_reason(exc)) from exc

    def rows(self, sql: str, parameters: Sequence[object] = ()) -> list[Row]:
        return self.execute(sql, parameters).fetchall()

    def each(self, sql: str, parameters: Sequence[object] = ()) -> Iterator[Row]:
        yield from self.execute(sql, parameters)

    def row(self, sql: str, parameters: Sequence[object] = ()) -> Row | None:
        found: Row | None = self.execute(sql, parameters).fetchone()
        return found

    def transaction(self) -> AbstractContextManager[None]:
        return _transaction(self)

    def close(self) -> None:
        self.pg.close()  # psycopg's close of a closed or lost connection does nothing

    def _translated(self, sql: str) -> str:
        found = self._sql.get(sql)
        if found is None:
            found = self._sql[sql] = dialect.translate(sql)
        return found


@contextmanager
def _transaction(db: PgStore) -> Iterator[None]:
    """BEGIN ... COMMIT under WRITE_LOCK, rolled back on any exception; nested use joins
    the open one. The lock goes with the transaction, also when its connection dies."""
    conn = db.live()
    if conn.info.transaction_status != TransactionStatus.IDLE:
        yield
        return
    try:
        conn.execute("BEGIN")
        try:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])
            # Other workers wrote while this one waited for the lock: nothing read before it
            # holds (every writer takes the lock, so what is read from here on does).
            db.generation += 1
            yield
            conn.execute("COMMIT")
        except BaseException:
            db.generation += 1  # what the transaction wrote is undone
            if not conn.closed:
                with suppress(psycopg.Error):
                    conn.execute("ROLLBACK")
            raise
    except psycopg.OperationalError as exc:
        raise StorageUnavailable(_reason(exc)) from exc


def connect(url: str) -> psycopg.Connection[PgRow]:
    """A connection in autocommit mode with the store's row and number types; libpq reads
    the password from PGPASSWORD or ~/.pgpass, and sslmode and the rest from the URL."""
    try:
        conn = psycopg.connect(
            url, autocommit=True, row_factory=pg_row, application_name=application_name()
        )
    except psycopg.Error as exc:
        raise StoreError(f"{display_url(url)}: cannot connect: {_reason(exc)}") from None
    conn.adapters.register_loader("numeric", NumberLoader)
    return conn


def _reason(exc: psycopg.Error) -> str:
    """The driver's first line, masked (a server's message may quote what it was given)."""
    return scrub(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
