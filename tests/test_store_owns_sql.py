"""bot.store owns every SQL statement (issue 12 item 2), behind Protocols a PostgreSQL store
implements too (bot.store.interface)."""

from __future__ import annotations

import ast
import types
from pathlib import Path

import pytest

from bot.store import outbox
from bot.store.interface import Channels, Copies, Outbox, Status, Watches, sqlite_store

ROOT = Path(__file__).resolve().parent.parent
SQL_CALLS = {"execute", "executemany", "executescript"}


def sql_calls(source: str, where: str = "m.py") -> list[str]:
    """Every call of a connection's or store's execute* in one module, as where:line name."""
    return [
        f"{where}:{node.lineno} {node.func.attr}"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in SQL_CALLS
    ]


def sql_outside_store(root: Path) -> list[str]:
    found = []
    for path in sorted([*(root / "bot").rglob("*.py"), *(root / "adapters").rglob("*.py")]):
        where = path.relative_to(root).as_posix()
        if not where.startswith("bot/store/"):
            found += sql_calls(path.read_text(encoding="utf-8"), where)
    return found


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("db.execute('SELECT 1')", ["m.py:1 execute"]),
        ("x = 1\nself.db.conn.executemany(sql, rows)", ["m.py:2 executemany"]),
        ("conn.executescript(s)", ["m.py:1 executescript"]),
        ("execute('x')", []),  # a bare function is not a connection's
        ("worker.conn.send(args)", []),
        ("rows = source_statuses(db)", []),
    ],
)
def test_sql_calls_are_found_by_name(source: str, expected: list[str]) -> None:
    assert sql_calls(source) == expected


def test_no_sql_runs_outside_bot_store() -> None:
    assert sql_outside_store(ROOT) == []


@pytest.mark.parametrize(
    ("name", "protocol"),
    [
        ("outbox", Outbox),
        ("channels", Channels),
        ("watches", Watches),
        ("copies", Copies),
        ("status", Status),
    ],
)
def test_the_sqlite_store_has_every_operation_of_each_seam(name: str, protocol: type) -> None:
    assert isinstance(getattr(sqlite_store(), name), protocol)


def test_a_store_missing_an_operation_is_not_an_outbox() -> None:
    partial = types.ModuleType("partial_outbox")
    partial.__dict__.update({key: value for key, value in vars(outbox).items() if key != "due"})
    assert not isinstance(partial, Outbox)
