"""The store seam (issue 12): the poll and the drain call the store only through the
StoreModules they are given, so a second store (PostgreSQL) is a second value, not an edit."""

from __future__ import annotations

import ast
import importlib
from collections import Counter
from collections.abc import Callable
from dataclasses import fields, replace
from pathlib import Path
from typing import Any, cast

import pytest

from bot.app import App
from bot.config import load_config
from bot.store import interface
from bot.store.db import Store
from bot.store.interface import StoreModules, sqlite_store
from tests.feeds import Entry, rss
from tests.pipeline_helpers import Clock, read_alerts, write_config

ROOT = Path(__file__).resolve().parent.parent
POLL_PATH = ("bot/pipeline.py", "bot/poller.py", "bot/deliver/drain.py")
SEAMS = {
    "sources": interface.Sources,
    "items": interface.Items,
    "stories": interface.Stories,
    "retention": interface.Retention,
    "outbox": interface.Outbox,
    "updates": interface.Updates,
    "storyview": interface.StoryView,
}


class Recording:
    """Another store, as the pipeline sees it: each operation of `inner`, counted by name."""

    def __init__(self, inner: object, calls: Counter[str]) -> None:
        self._inner = inner
        self._calls = calls

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._inner, name)
        if not callable(found):
            return found

        def counted(*args: Any, **kwargs: Any) -> Any:
            self._calls[name] += 1
            return found(*args, **kwargs)

        return counted


def recording_store(calls: Counter[str]) -> StoreModules[Store]:
    """sqlite_store() with every seam and the transaction behind a counting wrapper."""
    store = sqlite_store()
    seams = {
        f.name: Recording(getattr(store, f.name), calls)
        for f in fields(store)
        if f.name != "transaction"
    }
    transaction = cast(Callable[[Store], Any], store.transaction)

    def counted_transaction(db: Store) -> Any:
        calls["transaction"] += 1
        return transaction(db)

    return replace(store, **seams, transaction=counted_transaction)


@pytest.mark.parametrize(("name", "protocol"), SEAMS.items())
def test_the_sqlite_store_has_every_operation_the_poll_path_calls(
    name: str, protocol: type
) -> None:
    assert isinstance(getattr(sqlite_store(), name), protocol)


async def test_a_poll_and_a_drain_run_against_another_store_value(
    tmp_path: Path, feed_server: Any
) -> None:
    clock = Clock()
    body = rss(
        [
            Entry("Sora launches a new model", "https://a.example/1", published=clock.now),
            Entry("Sora opens to everyone", "https://a.example/2", published=clock.now),
        ]
    )
    feed_server.add("/a.xml", body=body, content_type="application/rss+xml")
    config = write_config(tmp_path, feeds=[feed_server.url("/a.xml")], watches=["Sora"])
    calls: Counter[str] = Counter()
    app = App(load_config(str(config), {}), clock=clock, store=recording_store(calls))
    try:
        report = await app.cycle()
    finally:
        await app.close()
    assert (report.poll.new_items, report.poll.alerts, report.delivery.sent) == (2, 2, 2)
    assert [alert["title"] for alert in read_alerts(tmp_path)] == [
        "Sora launches a new model",
        "Sora opens to everyone",
    ]
    called = {name for name, count in calls.items() if count}
    assert called >= {
        "sync_sources",
        "due_sources",
        "known_fingerprints",
        "insert_item",
        "story_of_url",
        "stories_using",
        "new_story",
        "file_url",
        "add_to_centroid",
        "record_success",
        "add_alert",
        "due",
        "mark_sending_many",
        "mark_sent_many",
        "transaction",
    }


def store_operations_imported(path: str) -> list[str]:
    """Names a module imports from bot.store that are operations (functions), not the
    dataclasses and the one error every store shares."""
    found = []
    for node in ast.walk(ast.parse((ROOT / path).read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bot.store"):
            module = importlib.import_module(node.module or "")
            for alias in node.names:
                if not isinstance(getattr(module, alias.name), type):
                    found.append(f"{path}: {node.module}.{alias.name}")
    return found


@pytest.mark.parametrize("path", POLL_PATH)
def test_the_poll_path_imports_no_store_operation(path: str) -> None:
    assert store_operations_imported(path) == []
