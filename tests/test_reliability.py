"""Nothing is lost, nothing is sent twice outside the documented window (HARDENING F6, F8, F17).

Crash tests kill a real `newswatch poll` at labelled points (bot/ops/crashpoints.py, which
exits like SIGKILL, with no cleanup) and run it again on the same database and feeds; they,
and a second service refused beside a running `newswatch run`, hold on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, ClassVar

import pytest

from bot.app import App
from bot.config import load_config
from bot.deliver.adapter import Adapter, DeliveryError
from bot.deliver.model import Alert, Digest, Message
from tests.feeds import Entry, rss
from tests.pipeline_helpers import HOUR, Clock, read_alerts, stored_rows, write_config

TITLES = [
    "Sora opens to filmmakers in Los Angeles",
    "OpenAI pitches Sora licensing to major studios",
    "Sora app passes ten million downloads",
    "Fake Sora invite apps push Windows malware",
    "Music video directors test Sora on set",
    "Sora adds group cameos for friends",
]


def serve_feed(feed_server: Any, now: float, titles: list[str] = TITLES) -> str:
    entries = [Entry(t, f"https://a.example/{n}", published=now - 60) for n, t in enumerate(titles)]
    feed_server.add("/f.xml", body=rss(entries), content_type="application/rss+xml")
    return str(feed_server.url("/f.xml"))


def newswatch(
    config: Path, *args: str, crash_at: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "NEWSWATCH_CRASH_AT"}
    if crash_at:
        env["NEWSWATCH_CRASH_AT"] = crash_at
    return subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def integrity(config: Path) -> str:
    """SQLite's integrity check of the file; on PostgreSQL (whose server keeps its own
    pages whole) that every table of the store still reads."""
    if "postgresql://" not in config.read_text(encoding="utf-8"):
        with sqlite3.connect(config.parent / "nw.db") as db:
            return str(db.execute("PRAGMA integrity_check").fetchone()[0])
    for table in ("sources", "items", "stories", "deliveries", "story_terms", "watches"):
        stored_rows(config, f"SELECT COUNT(*) FROM {table}")
    return "ok"


@pytest.mark.parametrize("point", ["after-fetch", "after-store"])
def test_a_poll_killed_before_delivery_loses_nothing_and_repeats_nothing(
    tmp_path: Path, feed_server: Any, point: str, database: str
) -> None:
    config = write_config(
        tmp_path, database=database, feeds=[serve_feed(feed_server, time.time())], watches=["Sora"]
    )
    crashed = newswatch(config, "poll", "--all", crash_at=point)
    assert crashed.returncode == 137
    assert read_alerts(tmp_path) == []
    again = newswatch(config, "poll", "--all")
    assert again.returncode == 0, again.stderr
    assert sorted(a["title"] for a in read_alerts(tmp_path)) == sorted(TITLES)
    assert integrity(config) == "ok"


def flagged(config: Path) -> int:
    return int(stored_rows(config, "SELECT COUNT(*) FROM deliveries WHERE ambiguous = 1")[0][0])


def test_a_poll_killed_after_a_file_write_repeats_nothing_the_file_holds(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    config = write_config(
        tmp_path, database=database, feeds=[serve_feed(feed_server, time.time())], watches=["Sora"]
    )
    crashed = newswatch(config, "poll", "--all", crash_at="after-send")
    assert crashed.returncode == 137
    written = read_alerts(tmp_path)  # one batch, written and fsynced, never marked sent
    assert sorted(a["title"] for a in written) == sorted(TITLES)
    again = newswatch(config, "poll", "--all")
    assert again.returncode == 0, again.stderr
    assert read_alerts(tmp_path) == written  # found in the file, so not written again
    assert flagged(config) == len(TITLES)
    assert integrity(config) == "ok"


def test_a_poll_killed_between_two_channels_files_writes_each_alert_once(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    """File rows of every channel are marked sending together; a kill after the first
    channel's write leaves the others 'sending' but unwritten, and the rerun writes those."""
    config = write_config(
        tmp_path,
        database=database,
        feeds=[serve_feed(feed_server, time.time())],
        watches=["Sora"],
        channels=3,
    )
    crashed = newswatch(config, "poll", "--all", crash_at="after-send")
    assert crashed.returncode == 137
    written = [read_alerts(tmp_path, n) for n in range(3)]
    assert sum(map(bool, written)) == 1  # one channel's file, then the kill
    again = newswatch(config, "poll", "--all")
    assert again.returncode == 0, again.stderr
    for n in range(3):
        titles = [a["title"] for a in read_alerts(tmp_path, n)]
        assert sorted(titles) == sorted(TITLES), n  # each alert once in every channel
    assert flagged(config) == 3 * len(TITLES)  # all were 'sending' at the kill
    assert integrity(config) == "ok"


def test_a_poll_killed_after_a_chat_send_repeats_at_most_that_one_alert_and_flags_it(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    """A chat API cannot say whether it has a message: sent once per call (the console
    stands in for one here), so a kill repeats the one in flight, flagged."""
    config = write_config(
        tmp_path, database=database, feeds=[serve_feed(feed_server, time.time())], watches=["Sora"]
    )
    config.write_text(config.read_text().replace("jsonl:alerts0.jsonl", "console"))
    crashed = newswatch(config, "poll", "--all", crash_at="after-send")
    assert crashed.returncode == 137
    [first] = [t for t in TITLES if t in crashed.stdout]  # sent, but killed before its mark
    again = newswatch(config, "poll", "--all")
    assert again.returncode == 0, again.stderr
    assert sorted(t for t in TITLES if t in again.stdout) == sorted(TITLES)
    assert again.stdout.count(first) == 1  # the one repeat
    assert flagged(config) == 1
    assert integrity(config) == "ok"


def test_a_second_service_on_a_sqlite_file_refuses_to_start_and_on_postgresql_shares_it(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    """One newswatch per SQLite file; on PostgreSQL a second is a worker, and sends
    nothing the first has sent (tests/test_pg_workers.py has the rest)."""
    config = write_config(
        tmp_path, database=database, feeds=[serve_feed(feed_server, time.time())], watches=["Sora"]
    )
    service = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(config), "run"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while len(read_alerts(tmp_path)) < len(TITLES) and time.monotonic() < deadline:
            time.sleep(0.05)
        second = newswatch(config, "poll", "--all")
        if database == "nw.db":
            assert second.returncode == 1
            assert f"another newswatch (pid {service.pid})" in second.stderr
            assert len(second.stderr.strip().splitlines()) == 1
        else:
            assert second.returncode == 0, second.stderr
    finally:
        service.send_signal(signal.SIGTERM)
        service.communicate(timeout=20)
    assert len(read_alerts(tmp_path)) == len(TITLES)  # each alert once
    after = newswatch(config, "poll")  # the lock went with the first service
    assert after.returncode == 0, after.stderr


class FlakyChat(Adapter):
    """A chat target in memory: down until `up` is set, then it records what it gets."""

    platform = "jsonl"
    backlog_limit: ClassVar[int | None] = 3

    def __init__(self, config: Any) -> None:
        super().__init__(config)
        self.up = False
        self.received: list[Message] = []

    async def send(self, target: str, message: Message) -> None:
        if not self.up:
            raise DeliveryError("connection refused")
        self.received.append(message)


async def test_an_outage_backlog_arrives_as_one_digest_and_nothing_is_lost(
    tmp_path: Path, feed_server: Any
) -> None:
    clock = Clock()
    titles = [*TITLES, "Sora pricing tiers leak ahead of launch", "Anime studios sign Sora deals"]
    config = load_config(
        str(
            write_config(
                tmp_path, feeds=[serve_feed(feed_server, clock.now, titles)], watches=["Sora"]
            )
        ),
        {},
    )
    chat = FlakyChat(config)
    app = App(config, clock=clock, adapters={"jsonl": chat})
    try:
        report = await app.cycle(all_sources=True)
        assert report.delivery.sent == 0
        clock.advance(2 * HOUR)  # the outage lasts; alerts pile up
        chat.up = True
        await app.deliver()
        await app.deliver()
    finally:
        await app.close()
    [digest] = chat.received
    assert isinstance(digest, Digest)
    [section] = digest.sections
    assert section.watch == "Sora"
    assert len(section.stories) + section.more == len(titles)
    assert not any(isinstance(m, Alert) for m in chat.received)


async def test_a_short_delay_still_sends_each_alert_on_its_own(
    tmp_path: Path, feed_server: Any
) -> None:
    clock = Clock()
    config = load_config(
        str(write_config(tmp_path, feeds=[serve_feed(feed_server, clock.now)], watches=["Sora"])),
        {},
    )
    chat = FlakyChat(config)
    app = App(config, clock=clock, adapters={"jsonl": chat})
    try:
        await app.cycle(all_sources=True)
        clock.advance(60)  # a blip, not an outage: no digest
        chat.up = True
        await app.deliver()
    finally:
        await app.close()
    assert [type(m) for m in chat.received] == [Alert] * len(TITLES)


async def test_faulty_sources_fail_with_reasons_and_recovering_reposts_nothing(
    tmp_path: Path, feed_server: Any
) -> None:
    import gzip

    clock = Clock()
    good = serve_feed(feed_server, clock.now)
    bomb = gzip.compress(b"<rss>" + b" " * (64 << 20), compresslevel=9)
    faults = {
        "/500": dict(status=500, body=b"oops"),
        "/429": dict(status=429, headers={"Retry-After": "120"}),
        "/reset": dict(reset=True),
        "/html": dict(body=b"<html><body>Please enable cookies</body></html>",
                      content_type="text/html"),
        "/empty": dict(body=b""),
        "/bomb": dict(body=bomb, headers={"Content-Encoding": "gzip"},
                      content_type="application/rss+xml"),
    }  # fmt: skip
    for path, spec in faults.items():
        feed_server.add(path, **spec)
    feed_server.redirect("/loop", "/loop")
    feed_server.redirect("/private", "http://169.254.169.254/latest/meta-data/")
    urls = [feed_server.url(p) for p in [*faults, "/loop", "/private"]]
    config_path = write_config(tmp_path, feeds=[good, *urls], watches=["Sora"])
    config = load_config(str(config_path), {})
    app = App(config, clock=clock)
    try:
        report = await app.cycle(all_sources=True)
        assert set(report.poll.failed) == set(urls)
        assert all(reason for reason in report.poll.failed.values())
        assert len(read_alerts(tmp_path)) == len(TITLES)
        for path in faults:  # every faulty feed now serves the good one
            feed_server.add(
                path,
                body=rss(
                    [
                        Entry(t, f"https://a.example/{n}", published=clock.now)
                        for n, t in enumerate(TITLES)
                    ]
                ),
                content_type="application/rss+xml",
            )
        clock.advance(7 * HOUR)
        await app.cycle(all_sources=True)
    finally:
        await app.close()
    assert len(read_alerts(tmp_path)) == len(TITLES)  # the same stories, merged, not re-posted


async def test_one_drain_delivers_every_due_alert_even_past_one_batch(
    tmp_path: Path, feed_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.deliver.drain

    monkeypatch.setattr(bot.deliver.drain, "BATCH", 2)
    clock = Clock()
    config = write_config(tmp_path, feeds=[serve_feed(feed_server, clock.now)], watches=["Sora"])
    app = App(load_config(str(config), {}), clock=clock)
    try:
        report = await app.cycle(all_sources=True)
    finally:
        await app.close()
    assert report.delivery.sent == len(TITLES)
    assert sorted(a["title"] for a in read_alerts(tmp_path)) == sorted(TITLES)
