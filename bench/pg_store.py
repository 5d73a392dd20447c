"""One `newswatch poll` on SQLite and on PostgreSQL: the CPU of newswatch itself, of the
PostgreSQL server, and the wall time, for a first poll and for a quiet one (every 304).

    .venv/bin/python bench/pg_store.py [--feeds 300] [--items 50] [--watches 10]

Serves generated feeds on loopback (bench/feeds.py) and starts a throwaway PostgreSQL
server as the tests do (tests/pgserver.py: the binaries on PATH or in
/usr/lib/postgresql/*/bin). The server's CPU is its postmaster's reaped children (each
connection's backend) from /proc, so it is counted whole once the poll has exited.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from feeds import build_corpus, make_queries, serve, write_setup
from poll_cpu import Run, poll

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.pgserver import PgServer, _start, server_binaries  # noqa: E402


def server_cpu(server: PgServer) -> float:
    """User + sys seconds of the server's processes that have exited (its backends)."""
    pid = int((server.folder / "data" / "postmaster.pid").read_text().split()[0])
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    own = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    reaped = int(fields[13]) + int(fields[14])  # cutime, cstime (fields 16 and 17)
    return (own + reaped) / ticks


def measured(server: PgServer | None, config: Path, *extra: str) -> tuple[Run, float]:
    before = server_cpu(server) if server else 0.0
    run = poll(config, *extra)
    return run, (server_cpu(server) - before) if server else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--watches", type=int, default=10)
    args = parser.parse_args()
    binaries = server_binaries()
    if binaries is None:
        raise SystemExit("bench/pg_store.py: no PostgreSQL server binaries found")
    corpus = build_corpus(args.feeds, args.items)
    queries = make_queries(corpus, args.watches)
    server = _start(binaries)
    rows: list[tuple[str, Run, float]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="nwbench-") as tmp, serve(corpus.bodies) as urls:
            for name, database in (("sqlite", "nw.db"), ("postgresql", server.database())):
                config = write_setup(Path(tmp) / name, urls, queries)
                text = config.read_text().replace('database = "nw.db"', f'database = "{database}"')
                config.write_text(text)
                first, first_server = measured(
                    server if name != "sqlite" else None, config, "--all"
                )
                quiet, quiet_server = measured(
                    server if name != "sqlite" else None, config, "--all"
                )
                rows += [(f"{name}: first poll --all", first, first_server)]
                rows += [(f"{name}: quiet poll --all (304s)", quiet, quiet_server)]
    finally:
        os.system(" ".join([*server.ctl, "-m", "immediate", "stop", ">/dev/null"]))
    items = args.feeds * args.items
    print(f"{args.feeds} feeds x {args.items} items ({items} items), {args.watches} watches")
    print(f"{'run':36} {'newswatch cpu s':>15} {'server cpu s':>12} {'wall s':>8}  ms cpu/item")
    for name, run, server_s in rows:
        per_item = (run.cpu + server_s) / items * 1000
        print(f"{name:36} {run.cpu:15.2f} {server_s:12.2f} {run.wall:8.2f}  {per_item:10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
