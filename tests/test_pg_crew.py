"""Three `newswatch run` workers on one real PostgreSQL, with jsonl channels (issue 16 item
2): one SIGKILLed mid-poll (its fetch of a feed that hangs), one killed mid-send (the
after-send crash point: its batch written, never marked sent). Nothing is lost, nothing is
written twice (a file shows what it holds, so the documented ambiguous window repeats
nothing here), every source is polled, and the cron digest goes out once a minute, from the
leader alone. Every wait is on a condition, with a generous deadline."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.feeds import Entry, rss
from tests.pipeline_helpers import read_alerts, write_config

psycopg = pytest.importorskip("psycopg", reason="the psycopg driver is not installed")

WORDS = [
    "Sora premiere Venice gondola",
    "Sora licensing Paramount lawsuit",
    "Sora downloads Jakarta record",
    "Sora cameo Beyonce tour",
    "Sora watermark Reuters audit",
    "Sora pricing Tokyo subscribers",
    "Sora Oscars academy ruling",
    "Sora Nairobi animation school",
]
SLOW = ["Sora glacier Reykjavik documentary", "Sora opera Milan staging"]


class Workers:
    """`newswatch run` processes on one config, each logging to its own file."""

    def __init__(self, config: Path) -> None:
        self.config, self.procs = config, []  # type: list[subprocess.Popen[bytes]]

    def start(self, crash_at: str | None = None) -> subprocess.Popen[bytes]:
        env = {k: v for k, v in os.environ.items() if k != "NEWSWATCH_CRASH_AT"}
        if crash_at:
            env["NEWSWATCH_CRASH_AT"] = crash_at
        log = open(self.config.parent / f"worker{len(self.procs)}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "--config", str(self.config), "run"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        self.procs.append(proc)
        return proc

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def wait_for(what: Callable[[], Any], why: str, seconds: float = 120.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds:g} s: {why}")


def query(dsn: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Rows of `sql`; none while the first worker has not made the schema yet."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        try:
            return conn.execute(sql, params).fetchall()
        except psycopg.errors.UndefinedTable:
            return []


def feeds(feed_server: Any) -> tuple[list[str], Any]:
    """Eight feeds of one story each, and one that hangs (its route, to let it go)."""
    now = time.time()
    urls = []
    for n, title in enumerate(WORDS):
        body = rss([Entry(title, f"https://a.example/{n}", published=now - 60)])
        feed_server.add(f"/f{n}.xml", body=body, content_type="application/rss+xml")
        urls.append(feed_server.url(f"/f{n}.xml"))
    entries = [
        Entry(t, f"https://slow.example/{n}", published=now - 60) for n, t in enumerate(SLOW)
    ]
    slow = feed_server.add(
        "/slow.xml", body=rss(entries), content_type="application/rss+xml", delay=25.0
    )
    return [*urls, feed_server.url("/slow.xml")], slow


@pytest.fixture
def crew(tmp_path: Path, feed_server: Any, pg_dsn: str) -> Iterator[tuple[Workers, Any]]:
    urls, slow = feeds(feed_server)
    config = write_config(
        tmp_path,
        feeds=urls,
        watches=["Sora"],
        channels=2,
        database=pg_dsn,
        extra='poll_interval = "10s"\nlease = "5s"',
    )
    text = config.read_text().replace(
        'target = "jsonl:alerts0.jsonl"', 'target = "jsonl:alerts0.jsonl"\ndigest = "* * * * *"'
    )
    config.write_text(text)
    workers = Workers(config)
    try:
        yield workers, slow
    finally:
        workers.stop()


def alerts(tmp_path: Path, channel: int) -> list[str]:
    return [a["title"] for a in read_alerts(tmp_path, channel) if a["kind"] == "alert"]


def test_three_workers_one_killed_mid_poll_one_mid_send_lose_and_repeat_nothing(
    tmp_path: Path, crew: tuple[Workers, Any], pg_dsn: str
) -> None:
    workers, slow = crew
    first = workers.start()  # claims every source; its poll hangs on the slow feed
    holder = wait_for(
        lambda: query(
            pg_dsn, "SELECT leased_by FROM sources WHERE url LIKE %s AND leased_by <> ''", "%slow%"
        ),
        "the first worker leases the slow feed",
    )[0][0]
    assert f"/{first.pid}/" in holder
    crashing = workers.start(crash_at="after-send")  # sends what the first stored, then dies
    assert crashing.wait(timeout=120) == 137
    assert read_alerts(tmp_path, 0) or read_alerts(tmp_path, 1)  # a batch was written
    third = workers.start()
    wait_for(
        lambda: query(pg_dsn, "SELECT 1 FROM workers WHERE id LIKE %s", f"%/{third.pid}/%"),
        "the third worker joins",
    )
    assert first.poll() is None  # still mid-poll, on the slow feed
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    slow.delay = 0.0
    expected = sorted(WORDS + SLOW)
    for channel in (0, 1):
        wait_for(lambda c=channel: sorted(alerts(tmp_path, c)) == expected, f"channel {channel}")
    wait_for(
        lambda: not query(pg_dsn, "SELECT url FROM sources WHERE last_success IS NULL"),
        "every source polled",
    )
    fourth = workers.start()  # two live workers over a minute's cron digest
    wait_for(
        lambda: query(pg_dsn, "SELECT 1 FROM workers WHERE id LIKE %s", f"%/{fourth.pid}/%"),
        "the fourth worker joins",
    )
    joined = time.time()
    wait_for(
        lambda: [
            d
            for d in read_alerts(tmp_path, 0)
            if d["kind"] == "digest" and datetime.fromisoformat(d["until"]).timestamp() > joined
        ],
        "a digest after both live workers joined",
        seconds=150,
    )
    for channel in (0, 1):
        assert sorted(alerts(tmp_path, channel)) == expected  # each once: none lost, none twice
    digests = [d["until"][:16] for d in read_alerts(tmp_path, 0) if d["kind"] == "digest"]
    assert Counter(digests).most_common(1)[0][1] == 1, digests  # one per minute: the leader's
    assert len(query(pg_dsn, "SELECT id FROM workers WHERE leader = 1")) == 1
