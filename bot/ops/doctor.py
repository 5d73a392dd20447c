"""`newswatch doctor`: check config, database, tokens and reachability, one line each.

Every line is scrubbed as it is printed: platforms name teams and channels, feeds and APIs
write errors, and a stored reason may predate scrubbing at storage.
"""

from __future__ import annotations

import time

from bot.config import Config
from bot.deliver.adapter import load_adapter
from bot.ingest.fetch import Fetcher
from bot.ops.logs import scrub
from bot.ops.status import sources_table
from bot.store.channels import channel_status
from bot.store.db import StoreError, open_db


async def _adapter_lines(platform: str, config: Config) -> int:
    """Ask the platform what the token can do; return how many lines say FAILED."""
    try:
        adapter = load_adapter(platform, config)
        lines = await adapter.doctor()
        await adapter.close()
    except Exception as exc:  # a doctor reports, it does not crash
        lines = [f"{platform}: FAILED: {str(exc) or type(exc).__name__}"]
    for line in lines:
        print(scrub(line))
    return sum("FAILED" in line for line in lines)


async def run_doctor(config: Config) -> int:
    """Exit 0 when everything needed works; 1 when something would stop alerts."""
    problems = 0
    print(
        scrub(
            f"config: ok ({config.where}); {len(config.sources)} sources, "
            f"{len(config.channels)} channels"
        )
    )
    try:
        db = open_db(config.database)
    except StoreError as exc:
        print(scrub(f"database: FAILED: {exc}"))
        return 1
    print(scrub(f"database: ok ({config.database})"))
    for channel in config.channels:
        state = channel_status(db, channel.target)
        if state is not None and state.status != "ok":
            problems += 1
            why = f"{state.status} ({state.reason})"
            print(scrub(f"channel {channel.target}: FAILED: {why}; fix it, then restart"))
        else:
            print(scrub(f"channel {channel.target}: ok"))
    for platform in sorted({c.platform for c in config.channels} & {"slack", "discord"}):
        problems += await _adapter_lines(platform, config)
    async with Fetcher(allow_private=config.allow_private_networks, timeout=15.0) as fetcher:
        for source in config.sources:
            url = source.url or (source.search or "").replace("{query}", "news")
            result = await fetcher.fetch(url)
            if result.ok:
                print(scrub(f"source {url}: reachable (HTTP {result.status})"))
            else:
                problems += 1
                print(scrub(f"source {url}: FAILED: {result.error}"))
    print()
    print(sources_table(db, time.time()))
    db.close()
    return 1 if problems else 0
