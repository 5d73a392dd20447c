"""The demo's flow on PostgreSQL: the seed feeds (bot/seeds) served on loopback, polled
twice with the default watchlist, give the very alerts and digest SQLite gives (in any
order: the feeds are fetched at once and finish in any order, on either store)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.config import ChannelConfig, Config, SourceConfig
from bot.deliver.digest import build_digest
from bot.deliver.render import plain_digest_lines
from bot.match.watchlists import load_watchlist
from bot.ops.demo import render_seed, seed_files, serve
from bot.store.watches import channel_id

pytest.importorskip("psycopg", reason="the psycopg driver is not installed")


async def demo_run(folder: Path, base: str, names: list[str], postgres: str | None) -> Any:
    """Two polls of the seed feeds into a jsonl channel; its records, the polls' reports and
    the digest of the day."""
    folder.mkdir()
    target = f"jsonl:{folder / 'alerts.jsonl'}"
    config = Config(
        path=None,
        database=folder / "demo.db",
        postgres=postgres,
        allow_private_networks=True,
        sources=tuple(SourceConfig(url=base + name) for name in names),
        channels=(ChannelConfig(target, (load_watchlist("default", Path.cwd()),)),),
    )
    app = App(config)
    try:
        await app.start(listen=False)
        first, second = await app.cycle(all_sources=True), await app.cycle(all_sources=True)
        now = time.time()
        digest = build_digest(app.db, channel_id(app.db, target), target, now - 86400, now)
        lines = plain_digest_lines(digest, config.zone)
    finally:
        await app.close()
    records = [json.loads(line) for line in (folder / "alerts.jsonl").read_text().splitlines()]
    for record in records:  # the file's path, and story ids (feeds finish in any order)
        record.pop("channel"), record.pop("story")
    counts = (first.delivery.sent, second.poll.not_modified, second.delivery.sent)
    lines = [line.replace(str(folder), "FOLDER") for line in lines]
    return sorted(records, key=json.dumps), counts, sorted(lines)


async def test_the_demo_feeds_give_the_same_alerts_and_digest_on_both_stores(
    tmp_path: Path, pg_dsn: str
) -> None:
    now = time.time()
    files = {
        f"/{path.name}": render_seed(path.read_text(encoding="utf-8"), now).encode("utf-8")
        for path in seed_files()
    }
    with serve(files) as base:
        lite = await demo_run(tmp_path / "sqlite", base, sorted(files), None)
        pg = await demo_run(tmp_path / "pg", base, sorted(files), pg_dsn)
    records, counts, digest = pg
    assert records == lite[0]
    assert digest == lite[2]
    assert counts == lite[1] and counts[0] > 0 and counts[1] == len(files) and counts[2] == 0
