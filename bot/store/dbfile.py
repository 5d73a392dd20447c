"""The database file on disk: which files newswatch will open, and the clean-close marker.

A database linked on purpose is used where it lives; anything else that is not a regular
file of this user's (a planted link, a FIFO) is refused before SQLite can block or write.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import time
from contextlib import suppress
from pathlib import Path

from bot.ops.safefiles import describe, open_regular, read_text_capped, replace_contents
from bot.store.errors import StoreError

CHECK_EVERY = 86400.0  # a file left as newswatch closed it is checked at least this often


def real_path(path: Path) -> Path:
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


def prepare_files(path: Path) -> None:
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


def unchanged_since_close(path: Path) -> float | None:
    """When the file last passed quick_check, if it is as the marker says and that was
    within CHECK_EVERY; else None (the file must be checked)."""
    try:
        marker = json.loads(read_text_capped(_marker_path(path), MARKER_BYTES, follow=False))
        checked = float(marker["checked"])
        same = marker["files"] == _file_stats(path)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return checked if same and 0 <= time.time() - checked < CHECK_EVERY else None


def write_marker(path: Path, checked: float) -> None:
    """Record the file as this clean close leaves it, checked at `checked`. Only an
    optimisation: without a marker the next start checks the whole file."""
    with suppress(OSError, StoreError):
        marker = {"checked": checked, "files": _file_stats(path)}
        replace_contents(_marker_path(path), json.dumps(marker).encode("utf-8"))


def clear_marker(path: Path) -> None:
    with suppress(OSError):  # a marker left behind is harmless: the file's times move on
        _marker_path(path).unlink(missing_ok=True)
