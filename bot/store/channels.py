"""Channel rows: a target's id, whether it is stopped and why, and its last digest."""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.db import Store


@dataclass(frozen=True)
class ChannelStatus:
    target: str
    status: str  # 'ok' or 'stopped'
    reason: str | None


def channel_id(db: Store, target: str) -> int:
    """The row id of a channel target, created on first use."""
    db.execute("INSERT INTO channels (target) VALUES (?) ON CONFLICT (target) DO NOTHING", [target])
    row = db.row("SELECT id FROM channels WHERE target = ?", [target])
    assert row is not None  # inserted just above
    return int(row["id"])


def channel_target(db: Store, cid: int) -> str:
    """The target a channel row stands for."""
    row = db.row("SELECT target FROM channels WHERE id = ?", [cid])
    if row is None:
        raise LookupError(f"channel row {cid}: not in the database")
    return str(row["target"])


def channel_status(db: Store, target: str) -> ChannelStatus | None:
    """A configured target's state, or None before its first use."""
    row = db.row("SELECT target, status, status_reason FROM channels WHERE target = ?", [target])
    return (
        None if row is None else ChannelStatus(row["target"], row["status"], row["status_reason"])
    )


def channel_statuses(db: Store) -> list[ChannelStatus]:
    """Every channel's state, in the order they were first used."""
    rows = db.rows("SELECT target, status, status_reason FROM channels ORDER BY id")
    return [ChannelStatus(r["target"], r["status"], r["status_reason"]) for r in rows]


def stop_channel(db: Store, cid: int, reason: str) -> None:
    """A destination that refuses us for good (revoked token, unknown channel): stop trying."""
    db.execute(
        "UPDATE channels SET status = 'stopped', status_reason = ? WHERE id = ?",
        [reason[:300], cid],
    )


def reopen_stopped(db: Store) -> list[str]:
    """Every stopped destination gets one new try (at start); return their targets."""
    rows = db.rows(
        "UPDATE channels SET status = 'ok', status_reason = NULL WHERE status != 'ok' "
        "RETURNING target"
    )
    return [str(row["target"]) for row in rows]


def last_digest(db: Store, cid: int) -> float | None:
    """When the channel's last digest ended, if it had one."""
    row = db.row("SELECT last_digest FROM channels WHERE id = ?", [cid])
    return None if row is None or row["last_digest"] is None else float(row["last_digest"])


def set_last_digest(db: Store, cid: int, until: float) -> None:
    db.execute("UPDATE channels SET last_digest = ? WHERE id = ?", [until, cid])
