"""CPU and memory of a real `newswatch poll` subprocess against the fetch+feedparser floor.

    .venv/bin/python bench/poll_cpu.py [--feeds 300] [--items 50] [--watches 10000]
        [--shape default|rich|title-only|small-vocab|real|real-titles] [--before DIR]

Serves generated feeds on loopback (bench/feeds.py), then runs, each as a child process
whose user+sys CPU and peak RSS come from os.wait4:
  floor      httpx GET + feedparser.parse for every feed (bench/floor.py)
  poll-10    a first `poll --all` with 10 watches in one channel
  poll-10k   a first `poll --all` with 10,000 watches in 100 channels of 100
  startup    `poll` with no due source (the cost of starting at all)
  quiet      `poll --all` again, every source answering 304
and prints a table of figures and ratios. All figures come from this one run. `--shape`
picks the feeds (bench/shapes.py); the default is bench/feeds.py's generator, as always.
`--before DIR` also runs poll-10 and poll-10k of another checkout's code (DIR holds its
`bot/`, e.g. `git archive REV bot | tar -x -C DIR`, run with PYTHONPATH=DIR) in every
round, interleaved with this checkout's, so a before/after comparison shares one machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from feeds import make_queries, serve, write_setup
from shapes import SHAPES, build_shape

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")


@dataclass
class Run:
    cpu: float  # user + sys seconds
    wall: float
    rss_mb: float  # peak resident set, MiB
    rc: int
    err: str


def run_child(args: list[str], cwd: Path, code: Path | None = None) -> Run:
    """Run a child to completion; its own rusage (wait4), not the whole family's."""
    env = dict(os.environ, PYTHONPATH=str(code)) if code is not None else None
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, cwd=cwd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode("utf-8", "replace").strip()
    return Run(usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024, proc.returncode, text)


def poll(config: Path, *extra: str, code: Path | None = None) -> Run:
    """`newswatch poll` as a child; `code`: a checkout whose bot/ runs instead of this one."""
    args = [PYTHON, "-m", "bot", "--config", str(config), "poll", *extra]
    run = run_child(args, config.parent, code)
    if run.rc != 0:
        raise SystemExit(f"poll failed ({run.rc}): {run.err[-2000:]}")
    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--watches", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of every case (min kept)")
    parser.add_argument("--shape", choices=SHAPES, default="default", help="feed shape")
    parser.add_argument("--before", type=Path, help="a checkout whose polls run beside these")
    args = parser.parse_args()
    corpus = build_shape(args.shape, args.feeds, args.items)
    print(
        f"corpus ({args.shape}): {args.feeds} feeds x {args.items} items, "
        f"{sum(map(len, corpus.bodies.values())) / 1e6:.1f} MB of RSS; cpus={os.cpu_count()}"
    )
    rows: list[tuple[str, Run, str]] = []
    runs: dict[str, list[Run]] = {}
    with tempfile.TemporaryDirectory(prefix="nwbench-") as tmp, serve(corpus.bodies) as urls:
        base = Path(tmp)
        (base / "urls.txt").write_text("\n".join(urls), encoding="utf-8")
        small_queries = make_queries(corpus, 10)
        big_queries = make_queries(corpus, args.watches)
        # Each round runs every case once, interleaved, on fresh databases; the minimum of
        # the rounds is kept for each, so a noisy neighbour inflates no single ratio.
        for n in range(args.repeat):
            floor = run_child(
                [PYTHON, str(ROOT / "bench" / "floor.py"), str(base / "urls.txt")], base
            )
            small = write_setup(base / f"small{n}", urls, small_queries)
            big = write_setup(base / f"big{n}", urls, big_queries)
            for name, run in (
                ("floor", floor),
                ("poll-10", poll(small, "--all")),
                ("poll-big", poll(big, "--all")),
                ("startup", poll(small)),  # nothing is due: just start, sync and exit
                ("quiet", poll(small, "--all")),  # every source answers 304
            ):
                runs.setdefault(name, []).append(run)
            if args.before is not None:
                runs.setdefault("before-10", []).append(
                    poll(
                        write_setup(base / f"bsmall{n}", urls, small_queries),
                        "--all",
                        code=args.before,
                    )
                )
                runs.setdefault("before-big", []).append(
                    poll(
                        write_setup(base / f"bbig{n}", urls, big_queries), "--all", code=args.before
                    )
                )
        best = {name: min(found, key=lambda r: r.cpu) for name, found in runs.items()}
        floor, p10, p10k = best["floor"], best["poll-10"], best["poll-big"]
        startup, quiet = best["startup"], best["quiet"]
        rows.append(("floor (httpx + feedparser)", floor, floor.err))
        rows.append(("poll-10: first poll --all, 10 watches", p10, p10.err))
        rows.append((f"poll-{args.watches}: first poll --all", p10k, p10k.err))
        rows.append(("startup: poll, 0 due sources", startup, startup.err))
        rows.append(("quiet: poll --all, every source 304", quiet, quiet.err))
        if args.before is not None:
            rows.append(("before: poll-10", best["before-10"], best["before-10"].err))
            rows.append(
                (f"before: poll-{args.watches}", best["before-big"], best["before-big"].err)
            )
        alerts10 = sum(sum(1 for _ in p.open()) for p in (base / "small0").glob("alerts*.jsonl"))
        alerts10k = sum(sum(1 for _ in p.open()) for p in (base / "big0").glob("alerts*.jsonl"))

    print()
    print(f"minimum of {args.repeat} interleaved rounds")
    print(f"{'run':42} {'cpu s':>8} {'wall s':>8} {'rss MB':>8}  {'vs floor':>8}  output")
    for name, run, note in rows:
        ratio = run.cpu / floor.cpu if floor.cpu else 0.0
        print(
            f"{name:42} {run.cpu:8.2f} {run.wall:8.2f} {run.rss_mb:8.1f}  {ratio:8.2f}x  "
            f"{note.splitlines()[-1] if note else ''}"
        )
    per_source_ms = (quiet.cpu - startup.cpu) / args.feeds * 1000
    print()
    print(f"alerts written: poll-10 {alerts10}, poll-{args.watches} {alerts10k}")
    checks = [
        ("parse-bound: poll-10 / floor <= 1.5", p10.cpu / floor.cpu, 1.5),
        (f"watch-independent: poll-{args.watches} / poll-10 <= 1.5", p10k.cpu / p10.cpu, 1.5),
        ("quiet: CPU ms per 304 source beyond startup <= 3", per_source_ms, 3.0),
        (f"memory: peak RSS MB, poll-{args.watches} <= 200", p10k.rss_mb, 200.0),
    ]
    print(f"{'target':58} {'measured':>9}  result")
    for name, value, limit in checks:
        print(f"{name:58} {value:9.2f}  {'PASS' if value <= limit else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
