"""Issue 15 item 7: log lines name a source by its URL, `run` says when it starts and stops,
`sources` says "due now", CLI replies use CLI terms, a `poll` on a terminal shows progress."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from bot.chat.commands import Command, handle
from bot.ops.logs import RedactingFormatter
from bot.ops.status import sources_table
from bot.store.db import open_db
from tests.feeds import Entry, rss
from tests.pipeline_helpers import Clock, make_app, write_config

RSS = "application/rss+xml"


def serve(feed_server: Any) -> list[str]:
    entries = [Entry("Sora story", "https://a.example/1", published=time.time())]
    feed_server.add("/ok.xml", body=rss(entries), content_type=RSS)
    feed_server.add("/down.xml", status=503)
    return [feed_server.url("/ok.xml"), feed_server.url("/down.xml")]


async def test_each_polled_source_logs_a_line_naming_its_url(
    tmp_path: Path, feed_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    urls = serve(feed_server)
    app = make_app(write_config(tmp_path, feeds=urls, watches=["Sora"]), Clock(time.time()))
    try:
        with caplog.at_level(logging.INFO, logger="newswatch.poll"):
            await app.poll(all_sources=True)
    finally:
        await app.close()
    lines = [RedactingFormatter().format(r) for r in caplog.records if r.name == "newswatch.poll"]
    assert any(f"url={urls[0]!r}" in line and "new_items=1" in line for line in lines), lines
    assert any(f"url={urls[1]!r}" in line and "source failed" in line for line in lines), lines


def test_a_never_polled_source_is_due_now_in_sources(tmp_path: Path, feed_server: Any) -> None:
    config = write_config(tmp_path, feeds=serve(feed_server)[:1])
    app = make_app(config, Clock(time.time() + 90))  # a minute and more after it was added
    try:
        table = sources_table(app.db, app.clock() + 90)
    finally:
        asyncio.run(app.close())
    assert "due now" in table.splitlines()[1], table
    assert "ago" not in table.splitlines()[1], table


async def test_run_says_what_it_watches_where_it_posts_and_when_it_stops(
    tmp_path: Path, feed_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    config = write_config(tmp_path, feeds=serve(feed_server), watches=["Sora", "WGA"])
    app = make_app(config, Clock(time.time()))
    stop = asyncio.Event()
    with caplog.at_level(logging.INFO, logger="newswatch"):
        service = asyncio.create_task(app.run_forever(stop))

        async def started() -> None:
            while not any("running" in r.getMessage() for r in caplog.records):
                await asyncio.sleep(0.01)

        try:
            await asyncio.wait_for(started(), 20)
        finally:
            stop.set()
            await asyncio.wait_for(service, 20)
    messages = [r.getMessage() for r in caplog.records if r.name == "newswatch"]
    assert "newswatch running: 2 sources, 2 watches, posting to jsonl:alerts0.jsonl" in messages
    assert messages[-1] == "newswatch stopped"


@pytest.mark.parametrize(
    ("user", "text", "says", "not_says"),
    [
        ("cli", "list", "`newswatch watch add <query>`", "`/watch"),
        ("cli", "remove 3", "`newswatch watch list`", "`/watch"),
        ("cli", "help", "`newswatch watch remove <query or id>`", "`/watch"),
        ("cli", "add", "`newswatch watch add SAG-AFTRA -golf`", "`/watch"),
        ("U1", "list", "`/watch add <query>`", "newswatch watch"),
        ("U1", "remove 3", "`/watch list`", "newswatch watch"),
    ],
)
def test_replies_use_the_askers_terms(
    tmp_path: Path, user: str, text: str, says: str, not_says: str
) -> None:
    db = open_db(tmp_path / "nw.db")
    reply = handle(db, Command("watch", text, "slack:C1", user, True), 1_800_000_000.0).text
    assert says in reply and not_says not in reply, reply


def poll_with_stderr(config: Path, stderr: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(config), "poll", "--all"],
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )


def test_a_poll_on_a_terminal_shows_progress_and_no_per_source_lines(
    tmp_path: Path, feed_server: Any
) -> None:
    urls = serve(feed_server)
    config = write_config(tmp_path, feeds=urls, watches=["Sora"])
    leader, follower = os.openpty()
    process = poll_with_stderr(config, follower)
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the pty closes when the process exits
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    assert process.wait(timeout=120) == 0
    text = output.decode()
    assert "polled 2/2 sources" in text, text
    assert "polled 2 sources" in text, text  # the summary, on a line of its own
    assert f"url={urls[0]!r}" not in text, text  # a failure is still a warning line


def test_a_poll_into_a_log_writes_a_line_per_source_and_no_progress(
    tmp_path: Path, feed_server: Any
) -> None:
    urls = serve(feed_server)
    config = write_config(tmp_path, feeds=urls, watches=["Sora"])
    process = poll_with_stderr(config, subprocess.PIPE)
    _, err = process.communicate(timeout=120)
    text = err.decode()
    assert "polled 2/2" not in text and "\r" not in text, text
    assert any(f"url={urls[0]!r}" in line for line in text.splitlines()), text
    assert any(f"url={urls[1]!r}" in line for line in text.splitlines()), text
