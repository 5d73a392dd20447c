"""The SQLite file: schema, migrations and connection settings.

The database is the service's memory (validators, next polls, failures, the outbox), so
it is opened with WAL, synchronous=FULL and a busy timeout, and checked at start.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Literal

from bot.ops.safefiles import describe, open_regular, read_text_capped, replace_contents

# Each entry upgrades the schema by one version (PRAGMA user_version); never edit a shipped one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE sources (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        template TEXT,
        query TEXT,
        title TEXT,
        etag TEXT,
        last_modified TEXT,
        active INTEGER NOT NULL DEFAULT 1,
        first_polled INTEGER NOT NULL DEFAULT 0,
        next_poll REAL NOT NULL DEFAULT 0,
        last_poll REAL,
        last_success REAL,
        last_status TEXT,
        failures INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        disabled INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE channels (
        id INTEGER PRIMARY KEY,
        target TEXT NOT NULL UNIQUE,
        last_digest REAL,
        status TEXT NOT NULL DEFAULT 'ok',
        status_reason TEXT
    );
    CREATE TABLE watches (
        id INTEGER PRIMARY KEY,
        channel_id INTEGER NOT NULL REFERENCES channels(id),
        query TEXT NOT NULL,
        origin TEXT,
        paused INTEGER NOT NULL DEFAULT 0,
        created REAL NOT NULL,
        UNIQUE (channel_id, query)
    );
    CREATE TABLE stories (
        id INTEGER PRIMARY KEY,
        first_seen REAL NOT NULL,
        published REAL NOT NULL
    );
    CREATE TABLE items (
        id INTEGER PRIMARY KEY,
        source_id INTEGER NOT NULL REFERENCES sources(id),
        identity TEXT NOT NULL,
        story_id INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,
        link TEXT,
        title TEXT NOT NULL,
        title_key TEXT NOT NULL,
        summary TEXT NOT NULL,
        outlet TEXT NOT NULL,
        published REAL NOT NULL,
        dated INTEGER NOT NULL DEFAULT 1,
        first_seen REAL NOT NULL,
        UNIQUE (source_id, identity)
    );
    CREATE INDEX items_story ON items (story_id);
    CREATE INDEX items_published ON items (published);
    CREATE TABLE story_urls (
        canonical TEXT PRIMARY KEY,
        story_id INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE title_index (
        token TEXT NOT NULL,
        published REAL NOT NULL,
        item_id INTEGER NOT NULL,
        PRIMARY KEY (token, published, item_id)
    ) WITHOUT ROWID;
    CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY,
        channel_id INTEGER NOT NULL REFERENCES channels(id),
        kind TEXT NOT NULL,
        story_id INTEGER,
        item_id INTEGER,
        watches TEXT NOT NULL DEFAULT '[]',
        payload TEXT,
        poll_id TEXT,
        status TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt REAL NOT NULL DEFAULT 0,
        last_error TEXT,
        created REAL NOT NULL,
        sent_at REAL
    );
    CREATE UNIQUE INDEX deliveries_one_alert ON deliveries (story_id, channel_id)
        WHERE kind = 'alert';
    CREATE INDEX deliveries_due ON deliveries (status, next_attempt);
    CREATE INDEX deliveries_channel ON deliveries (channel_id, kind, created);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
    """,
    # 2: the outbox's explicit states. 'sending' is written before a send and replaced after
    # it; a row found 'sending' at start was cut off mid-send and is retried as ambiguous.
    # 'collapsed' alerts went out inside one backlog digest (collapsed_into names its row).
    """
    ALTER TABLE deliveries ADD COLUMN ambiguous INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE deliveries ADD COLUMN collapsed_into INTEGER;
    """,
    # 3: the title index files titles under neighbouring token pairs from now on (far fewer
    # candidates per lookup, bot.stories.titles.lookup_keys); items stored before keep their single
    # tokens, and lookups reaching back to the newest of them ask by those too
    # (bot.stories.lookup.LEGACY_KEY). Retention prunes items by first_seen (bot.store.retention).
    """
    INSERT OR REPLACE INTO meta (key, value)
        SELECT 'title_index_tokens_until', MAX(published) FROM items;
    CREATE INDEX items_first_seen ON items (first_seen);
    """,
    # 4: where a source moved for good (HARDENING C9): a 301/308 chain's end, stored only
    # after it served a valid feed, and fetched from then on; the configured URL stays the
    # source's identity, and a failure at the new address goes back to it.
    """
    ALTER TABLE sources ADD COLUMN moved_to TEXT;
    """,
    # 5: pending rows in channel order, so delivery reads a file channel's rows together
    # without sorting the whole outbox at every read.
    """
    CREATE INDEX deliveries_pending ON deliveries (status, channel_id, id);
    """,
    # 6: who added a chat watch, and in which workspace or server ("slack:T…", "discord:…"),
    # for the per-user limit (SPEC "Chat commands"); NULL for file watches and older rows.
    """
    ALTER TABLE watches ADD COLUMN added_by TEXT;
    ALTER TABLE watches ADD COLUMN scope TEXT;
    CREATE INDEX watches_added_by ON watches (scope, added_by) WHERE added_by IS NOT NULL;
    """,
)


class Store:
    """One open database: its connection and what this process knows about the file.

    Plain sqlite3, not sqlite-utils: every statement newswatch runs is hand-written SQL
    (migrations included, which a PostgreSQL store reuses), so a wrapper added nothing.
    """

    def __init__(self, conn: sqlite3.Connection, path: str, checked_at: float | None) -> None:
        self.conn = conn
        self.path = path
        # When the file last passed quick_check; close() records it beside the file, so the
        # next one-shot command may skip a check of an unchanged file (None: never checked).
        self.checked_at = checked_at

    def execute(self, sql: str, parameters: Sequence[object] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, parameters)


@contextmanager
def transaction(db: Store) -> Iterator[None]:
    """One real transaction: committed at the end, rolled back on any exception.

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
    try:
        db.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    except sqlite3.OperationalError as exc:
        reason = storage_failure(exc)
        if reason is None:
            raise
        raise StorageUnavailable(reason) from exc


class StoreError(Exception):
    """The database cannot be used: corrupt, unreadable, or from a newer version."""


class StorageUnavailable(StoreError):
    """The database cannot be written right now; the transaction left nothing behind.

    HARDENING F9: the service stops fetching (a fetched feed that cannot be stored would be
    half-processed), says so once, and resumes by itself when a write succeeds again.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(f"cannot write the database: {reason} (nothing was half-written)")
        self.reason = reason


# Primary result codes (https://sqlite.org/rescode.html) that mean "the storage, not the
# data": each passes when the operator frees space, remounts or stops the other writer.
_STORAGE_FAILURES = {
    5: "the database is locked by another process",
    8: "the database is read-only",
    10: "disk I/O error",
    13: "the disk is full",
    14: "the database file cannot be opened or created (is its folder writable?)",
}


def storage_failure(exc: sqlite3.Error) -> str | None:
    """What is wrong with the storage, if that is why `exc` happened."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return None
    return _STORAGE_FAILURES.get(int(code) & 0xFF)


CHECK_EVERY = 86400.0  # a file left as newswatch closed it is checked at least this often


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
        path = _real_path(Path(path))
        if check == "if-changed":
            trusted_since = _unchanged_since_close(Path(path))
        _clear_marker(Path(path))  # from here on this process may write: no marker holds
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        _prepare_files(Path(path))
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
    checked, db.checked_at = db.checked_at, None
    db.conn.close()
    if checked is None or str(path) == ":memory:":
        return
    target = _real_path(Path(path))
    # Only an optimisation: without a marker the next start checks the whole file.
    with suppress(OSError, StoreError):
        marker = {"checked": checked, "files": _file_stats(target)}
        replace_contents(_marker_path(target), json.dumps(marker).encode("utf-8"))


def _real_path(path: Path) -> Path:
    """Where a database linked on purpose lives (its WAL, marker and lock go beside that).
    A link is followed only to a newswatch database of this user's: one planted in a shared
    folder could point at any file, and SQLite would write its tables into it."""
    if not os.path.islink(path):
        return path
    if not os.path.exists(path):
        raise StoreError(
            f"{path}: a symbolic link to nothing; newswatch will not create its "
            "database through a link"
        )
    real = Path(os.path.realpath(path))
    if not _is_own_newswatch_database(real):
        raise StoreError(
            f"{path}: a symbolic link to {real}, which is not a newswatch database of yours; "
            "set `database` to the real path"
        )
    return real


NEWSWATCH_TABLES = ("sources", "items", "deliveries")  # what makes a file ours (schema 1 on)


def _is_own_newswatch_database(path: Path) -> bool:
    """A regular file of this user's holding newswatch's tables, read without writing it."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            return False
        with open(path, "rb") as file:
            if file.read(16) != b"SQLite format 3\x00":
                return False
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            marks = ",".join("?" for _ in NEWSWATCH_TABLES)
            found = conn.execute(
                f"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ({marks})",
                NEWSWATCH_TABLES,
            ).fetchone()[0]
        finally:
            conn.close()
    except (OSError, sqlite3.Error):
        return False
    return int(found) == len(NEWSWATCH_TABLES)


def _prepare_files(path: Path) -> None:
    """Create a new database 0600 (SQLite gives its -wal and -shm the database's mode), and
    refuse anything but a regular file as the database (`path`, its real path), its -wal or
    its -shm: SQLite would block on a FIFO or write through a link. Existing files keep
    their mode."""
    for suffix in ("-wal", "-shm"):
        with suppress(FileNotFoundError):
            _refuse_unless_regular(f"{path}{suffix}", os.lstat(f"{path}{suffix}").st_mode)
    try:
        _refuse_unless_regular(str(path), os.stat(path).st_mode)
    except FileNotFoundError:
        try:
            os.close(open_regular(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL))
        except FileExistsError:
            pass  # created meanwhile by another process: SQLite opens it as it is
        except OSError as exc:
            raise StoreError(f"{path}: cannot create the database: {exc.strerror or exc}") from None
    except OSError as exc:
        raise StoreError(f"{path}: cannot use the database: {exc.strerror}") from None


def _refuse_unless_regular(name: str, mode: int) -> None:
    if not stat.S_ISREG(mode):
        kind = "a symbolic link" if stat.S_ISLNK(mode) else describe(mode)
        raise StoreError(f"{name}: not a regular file ({kind}); remove it or name another")


MARKER_BYTES = 1 << 16  # a .verified marker is a few hundred bytes


def _marker_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _file_stats(path: Path) -> list[list[object]]:
    stats: list[list[object]] = []
    for suffix in ("", "-wal"):
        try:
            st = os.stat(f"{path}{suffix}")
        except FileNotFoundError:
            stats.append([suffix, None, None])
        else:
            stats.append([suffix, st.st_size, st.st_mtime_ns])
    return stats


def _unchanged_since_close(path: Path) -> float | None:
    """When the file last passed quick_check, if it is as the marker says and that was
    within CHECK_EVERY; else None (the file must be checked)."""
    try:
        marker = json.loads(read_text_capped(_marker_path(path), MARKER_BYTES, follow=False))
        checked = float(marker["checked"])
        same = marker["files"] == _file_stats(path)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return checked if same and 0 <= time.time() - checked < CHECK_EVERY else None


def _clear_marker(path: Path) -> None:
    with suppress(OSError):  # a marker left behind is harmless: the file's times move on
        _marker_path(path).unlink(missing_ok=True)


def migrate(db: Store, where: str) -> None:
    """Bring the schema to the newest version, one transaction per step."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > len(MIGRATIONS):
        raise StoreError(f"{where}: made by a newer newswatch (schema {version})")
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        db.conn.executescript(
            f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;"
        )
