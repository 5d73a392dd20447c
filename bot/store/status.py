"""What `newswatch sources` and `doctor` read: every source's health, as stored."""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.db import Store


@dataclass(frozen=True)
class SourceStatus:
    id: int
    url: str
    query: str | None
    disabled: bool
    active: bool
    last_status: str | None
    last_success: float | None
    failures: int
    next_poll: float
    last_error: str | None
    moved_to: str | None
    leased_by: str | None = None  # the worker polling it now (PostgreSQL workers)
    leased_until: float | None = None


def source_statuses(db: Store) -> list[SourceStatus]:
    """Every source ever configured, active ones first."""
    rows = db.rows(
        "SELECT id, url, query, disabled, last_status, last_success, failures, next_poll, "
        "last_error, active, moved_to, leased_by, leased_until FROM sources "
        "ORDER BY active DESC, id"
    )
    return [
        SourceStatus(
            id=r["id"],
            url=r["url"],
            query=r["query"],
            disabled=bool(r["disabled"]),
            active=bool(r["active"]),
            last_status=r["last_status"],
            last_success=r["last_success"],
            failures=r["failures"],
            next_poll=r["next_poll"],
            last_error=r["last_error"],
            moved_to=r["moved_to"],
            leased_by=r["leased_by"],
            leased_until=r["leased_until"],
        )
        for r in rows
    ]
