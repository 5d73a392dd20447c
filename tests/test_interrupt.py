"""Ctrl-C stops newswatch cleanly: at most one line, and no worker's traceback."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.feeds import Entry, rss
from tests.pipeline_helpers import write_config


def stored_items(database: Path) -> int:
    if not database.exists():
        return 0
    with contextlib.closing(sqlite3.connect(database, timeout=10)) as conn:
        try:
            return int(conn.execute("SELECT COUNT(*) FROM items").fetchone()[0])
        except sqlite3.OperationalError:  # not made yet
            return 0


def test_ctrl_c_during_a_poll_prints_no_traceback(tmp_path: Path, feed_server: Any) -> None:
    now = time.time()
    entries = [Entry(f"Sora story {n}", f"https://a.example/{n}", published=now) for n in range(3)]
    feed_server.add("/fast.xml", body=rss(entries), content_type="application/rss+xml")
    feed_server.add("/slow.xml", body=rss(entries), delay=60.0)  # still fetching at Ctrl-C
    config = write_config(
        tmp_path, feeds=[feed_server.url("/fast.xml"), feed_server.url("/slow.xml")]
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(config), "poll", "--all"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's Ctrl-C reaches
    )
    try:
        deadline = time.monotonic() + 60
        while stored_items(tmp_path / "nw.db") == 0:  # the fast feed was parsed: a worker
            assert time.monotonic() < deadline, "the fast feed was never stored"  # lives
            assert process.poll() is None, process.communicate()
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130
    assert "Traceback" not in stderr
    assert "KeyboardInterrupt" not in stderr
    assert len(stderr.strip().splitlines()) <= 1, stderr
