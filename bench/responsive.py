"""Responsiveness while a 300-feed poll runs: event-loop lag and slash-command latency.

    .venv/bin/python bench/responsive.py [--feeds 300] [--watches 10]

One process, as the service runs: App.cycle over the generated feeds (a first poll, the
heaviest), with a ticker task that sleeps 10 ms and records how late it wakes (loop lag),
and a task that answers `/watch list` and `/digest 24h` through App.command every 100 ms,
timing each from when it was due to when its reply was ready. Prints p50/p99/max.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from feeds import build_corpus, make_queries, serve, write_setup

from bot.app import App
from bot.chat.commands import Command
from bot.config import load_config


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


async def measure(config_path: Path) -> tuple[list[float], list[float], float]:
    app = App(load_config(str(config_path), {}))
    await app.start()
    lags: list[float] = []
    answers: list[float] = []
    done = asyncio.Event()
    loop = asyncio.get_running_loop()

    async def ticker() -> None:
        while not done.is_set():
            due = loop.time() + 0.01
            await asyncio.sleep(0.01)
            lags.append(max(0.0, loop.time() - due))

    async def commands() -> None:
        target = app.config.channels[0].target
        n = 0
        while not done.is_set():
            due = loop.time() + 0.1
            await asyncio.sleep(0.1)
            text, name = ("list", "watch") if n % 2 else ("24h", "digest")
            app.command(Command(name, text, target, user="bench", can_manage=True))
            answers.append(loop.time() - due)
            n += 1

    tasks = [asyncio.create_task(ticker()), asyncio.create_task(commands())]
    start = time.perf_counter()
    await app.cycle(all_sources=True)
    wall = time.perf_counter() - start
    done.set()
    await asyncio.gather(*tasks)
    await app.close()
    return lags, answers, wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--watches", type=int, default=10)
    args = parser.parse_args()
    corpus = build_corpus(args.feeds, 50)
    with tempfile.TemporaryDirectory(prefix="nwresp-") as tmp, serve(corpus.bodies) as urls:
        config = write_setup(Path(tmp), urls, make_queries(corpus, args.watches))
        lags, answers, wall = asyncio.run(measure(config))
    print(f"poll of {args.feeds} feeds took {wall:.1f} s wall")
    print(f"{'measure':34} {'n':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name, values in (("loop lag (10 ms ticker)", lags), ("command latency", answers)):
        print(
            f"{name:34} {len(values):6d} {_pct(values, 0.5) * 1000:8.1f} "
            f"{_pct(values, 0.99) * 1000:8.1f} {max(values, default=0) * 1000:8.1f}"
        )
    p99 = _pct(answers, 0.99) * 1000
    print(f"\nresponsive: command p99 {p99:.0f} ms (<= 500: {'PASS' if p99 <= 500 else 'FAIL'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
