"""`newswatch poll` exits 1 when every source failed (SPEC Command line), 0 otherwise."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.feeds import Entry, rss
from tests.pipeline_helpers import write_config


def poll(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config), "poll", "--all"],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_poll_in_which_every_source_failed_exits_1_with_one_line(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    feed_server.add("/a.xml", body=b"<html>not a feed</html>", content_type="text/html")
    feed_server.add("/b.xml", status=503)
    urls = [feed_server.url("/a.xml"), feed_server.url("/b.xml")]
    result = poll(write_config(tmp_path, database=database, feeds=urls, watches=["Sora"]))
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("newswatch: poll failed: every source failed (2 of 2; first: http")


def test_a_poll_in_which_one_source_worked_exits_0(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    entries = [Entry("Sora story", "https://a.example/1", published=time.time())]
    feed_server.add("/ok.xml", body=rss(entries), content_type="application/rss+xml")
    feed_server.add("/down.xml", status=503)
    urls = [feed_server.url("/ok.xml"), feed_server.url("/down.xml")]
    result = poll(write_config(tmp_path, database=database, feeds=urls, watches=["Sora"]))
    assert result.returncode == 0, result.stderr
    assert "polled 2 sources (0 unchanged, 1 failed)" in result.stderr


def test_a_poll_with_nothing_due_exits_0(tmp_path: Path, feed_server: Any, database: str) -> None:
    entries = [Entry("Sora story", "https://a.example/1", published=time.time())]
    feed_server.add("/ok.xml", body=rss(entries), content_type="application/rss+xml")
    config = write_config(
        tmp_path, database=database, feeds=[feed_server.url("/ok.xml")], watches=["Sora"]
    )
    assert poll(config).returncode == 0
    again = subprocess.run(  # not --all: the source is not due for another poll_interval
        [sys.executable, "-m", "bot", "--config", str(config), "poll"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0, again.stderr
    assert "polled 0 sources" in again.stderr
    assert "nothing to poll yet: the next source is due in " in again.stderr
    assert "`newswatch poll --all` polls every source now" in again.stderr
