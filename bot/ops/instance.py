"""One newswatch at a time per database (HARDENING F8): an OS file lock beside it.

Two services on one database would both send each pending delivery. `run`, `poll` and
`digest --post` hold an exclusive `flock` on `<database>.lock` while they work; the OS
drops it when the process dies, even by SIGKILL, so a crash never leaves a stale lock.
On PostgreSQL there is no such rule: several workers share one database (bot.crew).
The lock file is truncated and written, so a symbolic link, a hard-linked file or anything
but a regular file in its place is refused (bot.ops.safefiles): another user who can write the
folder cannot aim our pid at their victim.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from types import TracebackType

from bot.config import Config
from bot.ops.safefiles import open_regular


class AlreadyRunning(Exception):
    """Another process holds the database's lock; the text says which and where."""


class InstanceLock:
    """An exclusive, non-blocking lock on `<database>.lock`, holding the owner's pid."""

    def __init__(self, database: Path) -> None:
        # Beside the real file of a database linked on purpose, as bot.store.db uses it.
        real = os.path.realpath(database) if os.path.exists(database) else database
        self.path = Path(f"{real}.lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise AlreadyRunning; UnsafeFileError for a planted lock file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = open_regular(self.path, os.O_RDWR | os.O_CREAT, sole_link=True)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise AlreadyRunning(
                f"another newswatch (pid {owner}) is using {self.path.with_suffix('')}; "
                "stop it first, or give this one another database"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def instance_lock(config: Config) -> AbstractContextManager[object]:
    """The lock beside a SQLite file; none on PostgreSQL, where senders are workers that
    share the database (App(exclusive=True) makes one: bot.crew)."""
    if config.postgres is None:
        return InstanceLock(config.database)
    return nullcontext()
