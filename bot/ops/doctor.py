"""`newswatch doctor`: check config, database, tokens and reachability, one line each.

Every line is scrubbed as it is printed: platforms name teams and channels, feeds and APIs
write errors, and a stored reason may predate scrubbing at storage.
"""

from __future__ import annotations

import asyncio
import time

from bot.config import Config
from bot.deliver.adapter import load_adapter
from bot.ingest.fetch import Fetcher
from bot.ops.logs import scrub
from bot.ops.status import sources_table
from bot.store.channels import channel_status
from bot.store.db import StoreError
from bot.store.opening import open_store

PROBE_TIMEOUT = 10.0  # seconds one source gets to answer
SOURCE_DEADLINE = 15.0  # seconds all sources get together: they are probed at once


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


async def run_doctor(
    config: Config, *, probe_timeout: float = PROBE_TIMEOUT, deadline: float = SOURCE_DEADLINE
) -> int:
    """Exit 0 when everything needed works; 1 when something would stop alerts."""
    problems = 0
    print(
        scrub(
            f"config: ok ({config.where}); {len(config.sources)} sources, "
            f"{len(config.channels)} channels"
        )
    )
    try:
        db = open_store(config)
    except StoreError as exc:
        print(scrub(f"database: FAILED: {exc}"))
        return 1
    print(scrub(f"database: ok ({config.database_name})"))
    for channel in config.channels:
        # Only a stored stop is known here; whether the channel can take a message now is
        # the platform's to say (its adapter's doctor checks every channel it serves).
        state = channel_status(db, channel.target)
        if state is not None and state.status != "ok":
            problems += 1
            why = f"{state.status} ({state.reason})"
            print(scrub(f"channel {channel.target}: FAILED: {why}; fix it, then restart"))
    for platform in sorted({c.platform for c in config.channels}):
        problems += await _adapter_lines(platform, config)
    for line in await _source_lines(config, probe_timeout, deadline):
        problems += "FAILED" in line
        print(scrub(line))
    print()
    print(sources_table(db, time.time()))
    db.close()
    return 1 if problems else 0


async def _source_lines(config: Config, probe_timeout: float, deadline: float) -> list[str]:
    """One line a source, in config order: all probed at once, each within `probe_timeout`,
    and whatever has not answered by `deadline` is reported so, so stalls do not add up."""
    urls = [s.url or (s.search or "").replace("{query}", "news") for s in config.sources]
    if not urls:
        return []
    # The fetcher's own limit is a backstop behind probe_timeout, so a stall always reads
    # "no answer", whichever timer a slow feed meets.
    async with Fetcher(
        allow_private=config.allow_private_networks, timeout=probe_timeout + 1.0
    ) as fetcher:
        tasks = [asyncio.create_task(_probe(fetcher, url, probe_timeout)) for url in urls]
        await asyncio.wait(tasks, timeout=deadline)
        for task in tasks:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
    late = f"FAILED: no answer within {deadline:g} s"
    return [
        result if isinstance(result, str) else f"source {url}: {late}"
        for url, result in zip(urls, results, strict=True)
    ]


async def _probe(fetcher: Fetcher, url: str, seconds: float) -> str:
    try:
        async with asyncio.timeout(seconds):
            result = await fetcher.fetch(url)
    except TimeoutError:
        return f"source {url}: FAILED: no answer within {seconds:g} s"
    if result.ok:
        return f"source {url}: reachable (HTTP {result.status})"
    return f"source {url}: FAILED: {result.error}"
