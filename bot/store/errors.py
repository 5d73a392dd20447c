"""Why the database cannot be used, or cannot be written right now."""

from __future__ import annotations

import sqlite3


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
