"""Worker rows: each newswatch sharing a PostgreSQL database says who it is and that it is
alive (its heartbeat, written every poll cycle), and which of them leads.

The rows are what `newswatch sources` and `doctor` show; the coordination itself is done by
the server's advisory locks and row locks (bot.store.pg.coord, bot.store.pg.leases), never
by these rows, so a row left behind by a killed worker misleads nobody: its heartbeat
simply stops. Portable SQL, though only a PostgreSQL store has workers.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.db import Store

FORGET_AFTER = 86400.0  # a worker silent this long is forgotten (its row, not its work)


@dataclass(frozen=True)
class Worker:
    """One newswatch on the database, and how many sources it holds leases on now."""

    id: str
    host: str
    pid: int
    started: float
    heartbeat: float
    leader: bool
    leases: int


def register(db: Store, worker_id: str, *, host: str, pid: int, now: float) -> None:
    """A worker starting: its row, fresh (a reused id's old row is replaced)."""
    db.execute(
        "INSERT INTO workers (id, host, pid, started, heartbeat, leader) "
        "VALUES (?, ?, ?, ?, ?, 0) ON CONFLICT (id) DO UPDATE SET host = excluded.host, "
        "pid = excluded.pid, started = excluded.started, heartbeat = excluded.heartbeat, "
        "leader = 0",
        [worker_id, host, pid, now, now],
    )


def heartbeat(
    db: Store, worker_id: str, *, now: float, leader: bool, backend: int | None = None
) -> None:
    """Alive at `now`; `leader` as the worker's advisory lock says; `backend`, the server
    process of its connection (its leases end with it: bot.store.pg.leases). Old silent
    rows go."""
    db.execute(
        "UPDATE workers SET heartbeat = ?, leader = ?, backend = ? WHERE id = ?",
        [now, int(leader), backend, worker_id],
    )
    if leader:  # the lock is one worker's: a dead leader's row says so no longer
        db.execute("UPDATE workers SET leader = 0 WHERE leader = 1 AND id <> ?", [worker_id])
        db.execute(
            "DELETE FROM workers WHERE heartbeat < ? AND id <> ?", [now - FORGET_AFTER, worker_id]
        )


def touch(db: Store, worker_id: str, *, now: float) -> None:
    """Alive at `now`, in the middle of a long poll (the full heartbeat is a cycle's)."""
    db.execute("UPDATE workers SET heartbeat = ? WHERE id = ?", [now, worker_id])


def retire(db: Store, worker_id: str) -> None:
    """A worker stopping cleanly: its row and its source leases go (nothing is lost if it
    cannot: the leases expire and the row's heartbeat stops)."""
    db.execute(
        "UPDATE sources SET leased_until = NULL, leased_by = NULL WHERE leased_by = ?",
        [worker_id],
    )
    db.execute("DELETE FROM workers WHERE id = ?", [worker_id])


def workers(db: Store, now: float) -> list[Worker]:
    """Every known worker, the leader first, then by start time; leases counted at `now`."""
    rows = db.rows(
        "SELECT w.id, w.host, w.pid, w.started, w.heartbeat, w.leader, "
        "(SELECT COUNT(*) FROM sources s WHERE s.leased_by = w.id AND s.leased_until > ?) "
        "AS leases FROM workers w ORDER BY w.leader DESC, w.started, w.id",
        [now],
    )
    return [
        Worker(
            id=str(r["id"]),
            host=str(r["host"]),
            pid=int(r["pid"]),
            started=float(r["started"]),
            heartbeat=float(r["heartbeat"]),
            leader=bool(r["leader"]),
            leases=int(r["leases"]),
        )
        for r in rows
    ]
