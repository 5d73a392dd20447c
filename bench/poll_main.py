"""The main process's share of a first poll, parse excluded, and a digest of its decisions.

    .venv/bin/python bench/poll_main.py [--shape default] [--feeds 300] [--items 50]
    PYTHONPATH=DIR .venv/bin/python bench/poll_main.py ...   # another checkout's bot/

The shape's feeds (bench/shapes.py) are parsed first, in this process, by parse_feed; then
the real Poller stores them through a fetcher and a parse pool that hand over those bytes
and parses (no network, no workers), one source after another in the config's order, with
a fixed clock. Prints the CPU of the poll alone (time.process_time), and digests of every
item's story and evidence and of every delivery: the same digest from two checkouts means
they placed every copy identically (bench/poll_cpu.py cannot say so: its 16 fetches at once
store the feeds in whatever order their parses finish).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import sys
import tempfile
import time
from pathlib import Path

from feeds import make_queries, write_setup
from shapes import SHAPES, build_shape

from bot.app import App
from bot.config import load_config
from bot.ingest.fetch import FetchResult
from bot.ingest.parse import ParsedFeed, parse_feed

NOW = 1_764_900_000.0  # a fixed clock: the shapes are dated from it
RSS = "application/rss+xml; charset=utf-8"


class _Bodies:
    """A fetcher that answers every URL with its body, at once."""

    def __init__(self, bodies: dict[str, bytes]) -> None:
        self.bodies = bodies

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        return FetchResult(200, self.bodies[url], '"e"', None, url, content_type=RSS)

    async def aclose(self) -> None:
        return None


class _Parsed:
    """A parse pool that hands over what parse_feed made before the poll."""

    def __init__(self, parsed: dict[str, ParsedFeed]) -> None:
        self.parsed = parsed

    async def parse(
        self, source: int, body: bytes, url: str, content_type: str | None, now: float
    ) -> ParsedFeed:
        return self.parsed[url]

    def close(self) -> None:
        return None


def _digest(rows: list[tuple[object, ...]]) -> str:
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:12]


async def poll(folder: Path, bodies: dict[str, bytes], queries: list[str]) -> str:
    """One first poll of `bodies`; the line of figures it prints."""
    parsed = {url: parse_feed(body, url, RSS, NOW) for url, body in bodies.items()}
    config = load_config(str(write_setup(folder, list(bodies), queries)))
    app = App(config, clock=lambda: NOW, fetcher=_Bodies(bodies), adapters={})  # type: ignore[arg-type]
    app.poller._pool = _Parsed(parsed)  # type: ignore[assignment]
    start = time.process_time()
    await app.poller.poll(all_sources=True)
    cpu = time.process_time() - start
    items = app.db.execute("SELECT id, identity, story_id, evidence FROM items ORDER BY id")
    placed = items.fetchall()
    deliveries = app.db.execute(
        "SELECT channel_id, story_id, item_id, watches, kind FROM deliveries ORDER BY id"
    ).fetchall()
    await app.close()
    stories = len({row[2] for row in placed})
    return (
        f"main-process CPU {cpu:.2f} s; {len(placed)} items in {stories} stories, "
        f"{len(deliveries)} deliveries; placements {_digest(placed)}, "
        f"deliveries {_digest(deliveries)}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", choices=SHAPES, default="default")
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--watches", type=int, default=10)
    args = parser.parse_args()
    corpus = build_shape(args.shape, args.feeds, args.items, now=NOW)
    served = enumerate(corpus.bodies.items())
    bodies = {f"http://feed{n}.example{path}": body for n, (path, body) in served}
    queries = make_queries(corpus, args.watches)
    with tempfile.TemporaryDirectory(prefix="nwmain-") as tmp:
        line = asyncio.run(poll(Path(tmp), bodies, queries))
    print(f"{args.shape}: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
