"""CPU of parse_feed over real captured feeds (rss-parser's and node-feedparser's, from the
corpus), best of five, against feedparser alone on the same bytes in the same process.

    .venv/bin/python bench/parse_real.py

Uses ../shared/corpus when it lies beside the checkout, else the vendored subset. The
generated feeds of bench/poll_cpu.py are one shape; these are publishers' own.
"""

from __future__ import annotations

import io
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import feedparser

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.ingest.parse import parse_feed  # noqa: E402

GROUPS = ("rss-parser/test/input", "node-feedparser/test/feeds")


def corpus() -> list[bytes]:
    shared = ROOT.parent / "shared" / "corpus"
    base = shared if shared.is_dir() else ROOT / "tests" / "fixtures" / "corpus"
    files = sorted(p for group in GROUPS for p in (base / group).iterdir() if p.is_file())
    return [p.read_bytes() for p in files]


def best_of(rounds: int, run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def main() -> int:
    bodies = corpus()
    url = "https://example.com/feed.xml"

    def ours() -> None:
        for body in bodies:
            parse_feed(body, url, "application/rss+xml", 1.8e9)

    def floor() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for body in bodies:
                feedparser.parse(io.BytesIO(body))

    size = sum(map(len, bodies)) / 1e6
    ours_s, floor_s = best_of(5, ours), best_of(5, floor)
    print(f"{len(bodies)} real feeds, {size:.1f} MB")
    print(f"feedparser alone   {floor_s:7.3f} s CPU")
    print(f"parse_feed         {ours_s:7.3f} s CPU   {ours_s / floor_s:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
