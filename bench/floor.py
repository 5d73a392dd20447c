"""The floor a poll is compared with: fetch every URL (httpx) and run feedparser alone on it.

    .venv/bin/python bench/floor.py URLS_FILE

Same concurrency as the poller (16 fetches at once, 4 per host by the URL spread) and the
same feedparser options as bot.ingest.parse, parsing in a worker thread as the poller does.
"""

from __future__ import annotations

import asyncio
import io
import sys

import feedparser
import httpx


async def main(urls: list[str]) -> int:
    limit = asyncio.Semaphore(16)
    entries = 0
    async with httpx.AsyncClient(timeout=30.0) as client:

        async def one(url: str) -> int:
            async with limit:
                response = await client.get(url)
                body = response.content
                parsed = await asyncio.to_thread(
                    feedparser.parse,
                    io.BytesIO(body),
                    response_headers={"content-location": url},
                    sanitize_html=False,
                    resolve_relative_uris=False,
                )
                return len(parsed.entries)

        for count in await asyncio.gather(*(one(url) for url in urls)):
            entries += count
    print(f"{len(urls)} feeds, {entries} entries", file=sys.stderr)
    return 0


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as handle:
        sys.exit(asyncio.run(main(handle.read().split())))
