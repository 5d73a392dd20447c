"""Scaling (issue 16): 1, 2 and 4 `newswatch run` workers on one PostgreSQL database, and
one `newswatch run` on SQLite, over the same generated feeds, with new items arriving.

    .venv/bin/python bench/pg_scale.py [--feeds 3000] [--first 5] [--workers 1,2,4]
        [--interval 60] [--rounds 3] [--gain 0.2] [--new 2] [--hosts 32] [--no-sqlite]

Serves `--feeds` generated feeds (bench/feeds.py) on `--hosts` loopback addresses (so the
per-host limit of 4 requests is a real deployment's, not 4 hosts'), each showing its
newest `--first` items, and starts a throwaway PostgreSQL server (tests/pgserver.py).
Each configuration (SQLite, then 1, 2, 4 workers; each on a fresh database, the feeds
reset) runs two phases:

  first poll  the workers start with every source due: until every source has been
              polled once (`--feeds` x `--first` new items, a backlog: capacity)
  steady      `--rounds` rounds, `--interval`/2 apart, each giving a random `--gain` of
              the feeds `--new` new items (the same feeds and items in every
              configuration), then one more interval: new items arrive only as sources
              come due, most polls are 304s, so this measures the cost of keeping up
              and the lag of a due source

The lag of a due source is read from the store's own sources table: the bench reads
(next_poll, last_poll) of every source once a second; when a source's last_poll moves, the
lag is the new last_poll (stamped as its outcome is stored, after fetch and parse) minus
the next_poll it had (when it became due). Sources due in the window and still unpolled at
its end count with their lag so far. CPU is each worker's process tree (its parse
processes included) and the PostgreSQL server's (the postmaster and every backend, live
or reaped, less the bench's own reading connection), from /proc. The configuration is
`poll_interval = --interval` (the minimum is 10 s), `lease = "5m"`, 10 watches in one
jsonl channel (sends cost little). A worker claims at most 50 due sources a poll
(bot.store.pg.leases.CLAIM_LIMIT). Nothing here asserts a time: read the table.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import feeds as feedserver
from feeds import build_corpus, make_queries, serve, write_setup

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
sys.path.insert(0, str(ROOT))
from tests.pgserver import PgServer, _start, server_binaries  # noqa: E402


def _quiet(self: Any, request: Any, client_address: Any) -> None:
    """A worker stopped mid-request resets its connection: not worth a traceback."""


feedserver._Server.handle_error = _quiet  # type: ignore[method-assign]
TICKS = os.sysconf("SC_CLK_TCK")
ITEM = re.compile(rb"<item>.*?</item>", re.S)
PUBDATE = re.compile(rb"<pubDate>.*?</pubDate>")
SOURCES = "SELECT id, next_poll, last_poll, first_polled FROM sources"


# --- CPU from /proc -------------------------------------------------------------------


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, user+sys seconds of the process and its reaped children), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return int(fields[1]), sum(int(f) for f in fields[11:15]) / TICKS


def tree_cpu(root: int) -> float:
    """User + sys seconds of `root` and every descendant, live or reaped: a dead child is in
    its parent's cutime/cstime, a live one in its own utime/stime."""
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            found = _stat(int(entry))
            if found is not None:
                parents[int(entry)], cpu[int(entry)] = found
    total, wanted = 0.0, {root}
    changed = True
    while changed:  # every descendant of root
        changed = False
        for pid, parent in parents.items():
            if parent in wanted and pid not in wanted:
                wanted.add(pid)
                changed = True
    for pid in wanted:
        total += cpu.get(pid, 0.0)
    return total


def own_cpu(pid: int) -> float:
    found = _stat(pid)
    return found[1] if found else 0.0


# --- feeds that gain items ------------------------------------------------------------


class Feeds:
    """Each feed shows its newest `first` items of the corpus's; `gain` shows more, freshly
    dated, dropping as many of the oldest (a feed keeps its length)."""

    def __init__(self, bodies: dict[str, bytes], first: int) -> None:
        self.first = first
        self.parts: dict[str, tuple[bytes, list[bytes], bytes]] = {}
        for path, body in bodies.items():
            items = ITEM.findall(body)
            head = body[: body.index(b"<item>")]
            self.parts[path] = (head, items, b"</channel></rss>")
        self.shown: dict[str, int] = {}
        self.live: dict[str, bytes] = {}  # what the server serves (the same dict, mutated)
        self.reset()

    def reset(self) -> None:
        for path in self.parts:
            self.shown[path] = self.first
            self.live[path] = self._body(path)

    def _body(self, path: str) -> bytes:
        head, items, tail = self.parts[path]
        count = self.shown[path]
        return head + b"\n".join(reversed(items[count - self.first : count])) + tail

    def gain(self, paths: Sequence[str], new: int, now: float) -> int:
        """Give each feed `new` more items, dated now; return how many were added."""
        stamp = (
            b"<pubDate>"
            + format_datetime(datetime.fromtimestamp(now, UTC)).encode()
            + b"</pubDate>"
        )
        added = 0
        for path in paths:
            items = self.parts[path][1]
            for n in range(self.shown[path], min(self.shown[path] + new, len(items))):
                items[n] = PUBDATE.sub(stamp, items[n])
                added += 1
            self.shown[path] = min(self.shown[path] + new, len(items))
            self.live[path] = self._body(path)
        return added


# --- reading the store ----------------------------------------------------------------


@dataclass
class Watcher:
    """Reads every source's (next_poll, last_poll) once a second from the store; a moved
    last_poll is a poll, due at the next_poll the source had before it."""

    query: Callable[[str], list[tuple[Any, ...]]]
    seen: dict[int, tuple[float, float | None, int]] = field(default_factory=dict)
    polls: list[tuple[float, float]] = field(default_factory=list)  # (due, polled)
    stop: threading.Event = field(default_factory=threading.Event)
    sources: int = 0
    first_polled: int = 0
    items: int = 0

    def read(self) -> None:
        try:
            rows = self.query(SOURCES)
            self.items = int(self.query("SELECT COUNT(*) FROM items")[0][0])
        except Exception:  # not made yet (the first worker makes the schema)
            return
        done = 0
        for sid, next_poll, last_poll, first in rows:
            before = self.seen.get(sid)
            if (
                before is not None
                and last_poll is not None
                and last_poll != before[1]
                and before[2]
            ):
                self.polls.append((float(before[0]), float(last_poll)))
            self.seen[sid] = (float(next_poll), last_poll, int(first))
            done += int(first)
        self.sources, self.first_polled = len(rows), done

    def run(self) -> None:
        while not self.stop.is_set():
            self.read()
            self.stop.wait(1.0)


def sqlite_query(path: Path) -> Callable[[str], list[tuple[Any, ...]]]:
    def query(sql: str) -> list[tuple[Any, ...]]:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            return list(conn.execute(sql))
        finally:
            conn.close()

    return query


# --- one configuration ----------------------------------------------------------------


@dataclass
class Phase:
    items: int
    wall: float
    workers_cpu: float
    server_cpu: float
    lags: list[float] = field(default_factory=list)
    polls: int = 0
    waiting: int = 0  # due in the window, unpolled at its end

    @property
    def cpu(self) -> float:
        return self.workers_cpu + self.server_cpu

    def per_cpu(self) -> float:
        return self.items / self.cpu if self.cpu else 0.0

    def per_wall(self) -> float:
        return self.items / self.wall if self.wall else 0.0


@dataclass
class Result:
    name: str
    first: Phase
    steady: Phase
    gained: int
    errors: list[str]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def configure(
    folder: Path, urls: list[str], queries: list[str], database: str, interval: int
) -> Path:
    config = write_setup(folder, urls, queries)
    text = config.read_text()
    text = text.replace('database = "nw.db"', f'database = "{database}"')
    text = text.replace('poll_interval = "1h"', f'poll_interval = "{interval}s"\nlease = "5m"')
    config.write_text(text)
    return config


def run_config(
    name: str,
    database: str,
    workers: int,
    server: PgServer | None,
    feeds: Feeds,
    urls: list[str],
    queries: list[str],
    args: argparse.Namespace,
    base: Path,
) -> Result:
    folder = base / name.replace(" ", "-")
    feeds.reset()
    config = configure(folder, urls, queries, database, args.interval)
    sampler_backend = 0
    if server is None:
        watcher = Watcher(sqlite_query(folder / database))
    else:
        import psycopg

        conn = psycopg.connect(database, autocommit=True)
        # The schema first, so workers started together do not race to make it.
        subprocess.run(
            [PYTHON, "-m", "bot", "--config", str(config), "sources"],
            cwd=folder,
            check=True,
            capture_output=True,
        )
        sampler_backend = int(conn.execute("SELECT pg_backend_pid()").fetchone()[0])  # type: ignore[index]
        lock = threading.Lock()

        def query(sql: str) -> list[tuple[Any, ...]]:
            with lock:
                return list(conn.execute(sql).fetchall())

        watcher = Watcher(query)
    postmaster = (
        int((server.folder / "data" / "postmaster.pid").read_text().split()[0]) if server else 0
    )

    def server_now() -> float:
        return (tree_cpu(postmaster) - own_cpu(sampler_backend)) if server else 0.0

    logs = [open(folder / f"worker{n}.log", "wb") for n in range(workers)]  # noqa: SIM115
    server0 = server_now()
    start = time.time()
    procs = [
        subprocess.Popen(
            [PYTHON, "-m", "bot", "--config", str(config), "run"],
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        for log in logs
    ]
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()

    def workers_now() -> float:
        return sum(tree_cpu(p.pid) for p in procs)

    errors: list[str] = []
    try:
        # First poll: until every source has been polled once.
        while watcher.sources < len(urls) or watcher.first_polled < len(urls):
            if any(p.poll() is not None for p in procs):
                raise SystemExit(f"{name}: a worker exited: see {folder}")
            time.sleep(0.2)
        watcher.read()
        t1, w1, s1, items1 = time.time(), workers_now(), server_now(), watcher.items
        first = Phase(items1, t1 - start, w1, s1 - server0)
        print(
            f"  {name}: first poll {items1} items in {first.wall:.0f} s "
            f"({first.workers_cpu:.0f} + {first.server_cpu:.0f} s CPU)",
            flush=True,
        )
        # Steady: rounds of new items, then one more interval.
        rng = random.Random(16)
        paths = sorted(feeds.parts)
        gained = 0
        period = args.interval / 2
        for r in range(args.rounds):
            at = t1 + r * period
            time.sleep(max(0.0, at - time.time()))
            gained += feeds.gain(
                rng.sample(paths, int(len(paths) * args.gain)), args.new, time.time()
            )
        end = t1 + (args.rounds - 1) * period + args.interval
        time.sleep(max(0.0, end - time.time()))
        watcher.read()
        t2, w2, s2, items2 = time.time(), workers_now(), server_now(), watcher.items
        lags = [polled - due for due, polled in watcher.polls if t1 <= due < t2]
        waiting = [
            t2 - next_poll
            for next_poll, last_poll, _ in watcher.seen.values()
            if t1 <= next_poll < t2 and (last_poll is None or last_poll < next_poll)
        ]
        steady = Phase(
            items2 - items1, t2 - t1, w2 - w1, s2 - s1, lags + waiting, len(lags), len(waiting)
        )
    finally:
        watcher.stop.set()
        thread.join()
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for log in logs:
            log.close()
        if server is not None:
            conn.close()
    for n in range(workers):
        text = (folder / f"worker{n}.log").read_text("utf-8", "replace")
        errors += [line for line in text.splitlines() if '"ERROR"' in line or "Traceback" in line]
    return Result(name, first, steady, gained, errors)


# --- the table ------------------------------------------------------------------------


def ratio(value: float, base: float) -> str:
    return f"{value / base:5.2f}x" if base else "    -"


def report(results: list[Result], args: argparse.Namespace, took: float) -> None:
    print()
    print(
        f"{args.feeds} feeds on {args.hosts} hosts, first poll {args.first} items each; "
        f"steady: {args.rounds} rounds {args.interval / 2:g} s apart, {args.gain:.0%} of feeds "
        f"+{args.new} items, then {args.interval} s; poll_interval {args.interval} s; "
        f"cpus={os.cpu_count()}; {took / 60:.1f} min"
    )
    sqlite = next((r for r in results if r.name == "sqlite"), None)
    one = next((r for r in results if r.name == "pg 1 worker"), None)
    for label, pick in (("first poll (backlog)", "first"), ("steady (new items arrive)", "steady")):
        print()
        print(label)
        print(
            f"{'run':14} {'items':>6} {'wall s':>7} {'work cpu':>8} {'pg cpu':>7} "
            f"{'items/cpu-s':>11} {'items/wall-s':>12} {'vs 1w cpu':>9} {'vs 1w wall':>10} "
            f"{'vs sqlite cpu':>13} {'vs sqlite wall':>14}"
        )
        for r in results:
            ph: Phase = getattr(r, pick)
            b1: Phase | None = getattr(one, pick) if one else None
            bs: Phase | None = getattr(sqlite, pick) if sqlite else None
            print(
                f"{r.name:14} {ph.items:6d} {ph.wall:7.1f} {ph.workers_cpu:8.1f} "
                f"{ph.server_cpu:7.1f} {ph.per_cpu():11.1f} {ph.per_wall():12.1f} "
                f"{ratio(ph.per_cpu(), b1.per_cpu()) if b1 else '-':>9} "
                f"{ratio(ph.per_wall(), b1.per_wall()) if b1 else '-':>10} "
                f"{ratio(ph.per_cpu(), bs.per_cpu()) if bs else '-':>13} "
                f"{ratio(ph.per_wall(), bs.per_wall()) if bs else '-':>14}"
            )
    print()
    print("lag of a due source in the steady window (poll stored minus due time), seconds")
    print(
        f"{'run':14} {'polls':>6} {'unpolled':>8} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>6} "
        f"{'mean':>6} {'polls/s':>7} {'due/s':>6} {'cpu/s':>6} {'gained':>6}"
    )
    for r in results:
        lags = r.steady.lags
        print(
            f"{r.name:14} {r.steady.polls:6d} {r.steady.waiting:8d} {percentile(lags, 0.5):6.1f} "
            f"{percentile(lags, 0.95):6.1f} {percentile(lags, 0.99):6.1f} "
            f"{max(lags, default=0.0):6.1f} {statistics.fmean(lags) if lags else 0.0:6.1f} "
            f"{r.steady.polls / r.steady.wall:7.1f} {args.feeds / args.interval:6.1f} "
            f"{r.steady.cpu / r.steady.wall:6.2f} {r.gained:6d}"
        )
    for r in results:
        if r.errors:
            print(f"{r.name}: {len(r.errors)} error lines in the logs, first: {r.errors[0][:300]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=3000)
    parser.add_argument("--first", type=int, default=5, help="items a feed shows at first")
    parser.add_argument("--workers", default="1,2,4", help="PostgreSQL worker counts")
    parser.add_argument("--interval", type=int, default=60, help="poll_interval, seconds")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--gain", type=float, default=0.2, help="share of feeds gaining a round")
    parser.add_argument("--new", type=int, default=2, help="items a gaining feed gains")
    parser.add_argument("--hosts", type=int, default=32, help="loopback addresses serving")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",") if n]
    binaries = server_binaries()
    if counts and binaries is None:
        raise SystemExit("bench/pg_scale.py: no PostgreSQL server binaries found")
    began = time.time()
    corpus = build_corpus(args.feeds, args.first + args.rounds * args.new)
    queries = make_queries(corpus, 10)
    feeds = Feeds(corpus.bodies, args.first)
    server = _start(binaries) if counts and binaries else None
    results: list[Result] = []
    try:
        with (
            tempfile.TemporaryDirectory(prefix="nwscale-") as tmp,
            serve(feeds.live, hosts=args.hosts) as urls,
        ):
            base = Path(tmp)
            if not args.no_sqlite:
                results.append(
                    run_config("sqlite", "nw.db", 1, None, feeds, urls, queries, args, base)
                )
            for n in counts:
                assert server is not None
                results.append(
                    run_config(
                        f"pg {n} worker{'s' if n > 1 else ''}",
                        server.database(),
                        n,
                        server,
                        feeds,
                        urls,
                        queries,
                        args,
                        base,
                    )
                )
    finally:
        if server is not None:
            subprocess.run([*server.ctl, "-m", "immediate", "stop"], capture_output=True)
    report(results, args, time.time() - began)
    return 0


if __name__ == "__main__":
    sys.exit(main())
