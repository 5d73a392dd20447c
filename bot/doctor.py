"""`newswatch doctor`: check config, database, tokens and reachability, one line each."""

from __future__ import annotations

import time

from bot.config import Config
from bot.fetch import Fetcher
from bot.status import sources_table
from bot.store import StoreError, open_db


async def run_doctor(config: Config) -> int:
    """Exit 0 when everything needed works; 1 when something would stop alerts."""
    problems = 0
    print(
        f"config: ok ({config.where}); {len(config.sources)} sources, "
        f"{len(config.channels)} channels"
    )
    try:
        db = open_db(config.database)
    except StoreError as exc:
        print(f"database: FAILED: {exc}")
        return 1
    print(f"database: ok ({config.database})")
    for channel in config.channels:
        print(
            f"channel {channel.target}: token present"
            if channel.platform in ("slack", "discord")
            else f"channel {channel.target}: ok"
        )
    async with Fetcher(allow_private=config.allow_private_networks, timeout=15.0) as fetcher:
        for source in config.sources:
            url = source.url or (source.search or "").replace("{query}", "news")
            result = await fetcher.fetch(url)
            if result.ok:
                print(f"source {url}: reachable (HTTP {result.status})")
            else:
                problems += 1
                print(f"source {url}: FAILED: {result.error}")
    print()
    print(sources_table(db, time.time()))
    db.conn.close()
    return 1 if problems else 0
