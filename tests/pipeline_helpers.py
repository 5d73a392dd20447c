"""A small harness for end-to-end poll tests: real config file, SQLite or PostgreSQL, loopback
feeds, jsonl."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.app import App
from bot.config import load_config

NOW = 1_800_000_000.0  # 2027-01-15, far from the wall clock on purpose
HOUR = 3600.0


class Clock:
    """A settable clock, passed to the app instead of time.time."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def write_config(
    tmp_path: Path,
    *,
    feeds: Sequence[str] = (),
    searches: Sequence[str] = (),
    watches: Sequence[str] = (),
    extra: str = "",
    channels: int = 1,
    database: str = "nw.db",
) -> Path:
    lines = [f"query = {json.dumps(q)}" for q in watches]
    (tmp_path / "list.toml").write_text(
        'name = "test"\n' + "".join(f"[[watch]]\n{line}\n" for line in lines), encoding="utf-8"
    )
    text = [f"database = {json.dumps(database)}", "allow_private_networks = true", extra]
    text += [f"[[sources]]\nurl = {json.dumps(url)}" for url in feeds]
    text += [f"[[sources]]\nsearch = {json.dumps(url)}" for url in searches]
    for n in range(channels):
        text.append(f'[[channels]]\ntarget = "jsonl:alerts{n}.jsonl"\nwatchlists = ["list.toml"]')
    path = tmp_path / "newswatch.toml"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path


def make_app(config_path: Path, clock: Clock) -> App:
    return App(load_config(str(config_path), {}), clock=clock)


def stored_rows(
    config_path: Path, sql: str, parameters: Sequence[object] = ()
) -> list[tuple[Any, ...]]:
    """Rows of a statement on the configured database, SQLite or PostgreSQL, as tuples
    (none for a write, which is committed)."""
    from bot.store.db import close_db
    from bot.store.opening import open_store

    config = load_config(str(config_path), {})
    db = open_store(config)
    try:
        cursor = db.execute(sql, parameters)
        return [tuple(row) for row in cursor] if cursor.description else []
    finally:
        close_db(db, config.database)


def read_alerts(tmp_path: Path, channel: int = 0) -> list[dict[str, Any]]:
    path = tmp_path / f"alerts{channel}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
