"""Three `newswatch run` workers on one real PostgreSQL with the fake Slack (Socket Mode on
every worker) and the fake Discord (the gateway on the leader only): one SIGKILLed
mid-poll, one killed mid-send (the after-send crash point). Every story reaches both
channels once: the send cut off by the kill (its row flagged ambiguous) is found in Slack's
history and by Discord's nonce, not posted again; one gateway session at a time, and a
new one from the worker that takes the lead. And a worker SIGKILLed inside its sends
(posted, not yet answered) leaves each story posted once. Waits are on conditions, never on
time."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.discord import BOT_TOKEN as DISCORD_TOKEN
from tests.fakes.discord import CHANNEL_ID, FakeDiscord
from tests.fakes.slack import APP_TOKEN, BOT_TOKEN, SCOPES, FakeSlack
from tests.test_pg_crew import SLOW, WORDS, feeds, query

psycopg = pytest.importorskip("psycopg", reason="the psycopg driver is not installed")
SLACK_CHANNEL = "C0NEWS"


async def wait_for(what: Callable[[], Any], why: str, seconds: float = 120.0) -> Any:
    """Poll `what` on the loop (the fakes run on it) until it is true, or fail saying why."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"not within {seconds:g} s: {why}")


@pytest.fixture
async def fakes() -> AsyncIterator[tuple[FakeSlack, FakeDiscord]]:
    async with FakeSlack() as slack, FakeDiscord() as discord:
        slack.scopes = SCOPES + ",channels:history"  # the manifest's
        yield slack, discord


def start(config: Path, crash_at: str | None = None) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "NEWSWATCH_CRASH_AT"}
    env.update(
        SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN, DISCORD_BOT_TOKEN=DISCORD_TOKEN
    )
    if crash_at:
        env["NEWSWATCH_CRASH_AT"] = crash_at
    log = open(config.parent / f"worker{time.monotonic_ns()}.log", "wb")  # noqa: SIM115
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(config), "run"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )


def write_config(
    tmp_path: Path, urls: list[str], slack: FakeSlack, discord: FakeDiscord, dsn: str
) -> Path:
    (tmp_path / "list.toml").write_text('name = "t"\n[[watch]]\nquery = "Sora"\n')
    text = [
        f"database = {json.dumps(dsn)}",
        'poll_interval = "10s"',
        'lease = "5s"',
        "allow_private_networks = true",
        *(f"[[sources]]\nurl = {json.dumps(url)}" for url in urls),
        f'[[channels]]\ntarget = "slack:{SLACK_CHANNEL}"\nwatchlists = ["list.toml"]',
        f'[[channels]]\ntarget = "discord:{CHANNEL_ID}"\nwatchlists = ["list.toml"]',
        f"[slack]\napi_url = {json.dumps(slack.base_url)}",
        f"[discord]\napi_url = {json.dumps(discord.api_url)}",
    ]
    path = tmp_path / "newswatch.toml"
    path.write_text("\n".join(text) + "\n")
    return path


def counts(messages: list[dict[str, Any]]) -> dict[str, int]:
    """How many posted messages name each story (by its title's last, unique word)."""
    texts = [json.dumps(message) for message in messages]
    return {t: sum(t.split()[-1] in text for text in texts) for t in WORDS + SLOW}


async def test_three_chat_workers_killed_mid_poll_and_mid_send_post_every_story(
    tmp_path: Path, feed_server: Any, pg_dsn: str, fakes: tuple[FakeSlack, FakeDiscord]
) -> None:
    slack, discord = fakes
    urls, slow = feeds(feed_server)
    config = write_config(tmp_path, urls, slack, discord, pg_dsn)
    procs = [start(config)]  # the leader: the gateway; its poll hangs on the slow feed
    try:
        await wait_for(lambda: discord.identify, "the first worker opens the gateway")
        await wait_for(
            lambda: query(
                pg_dsn, "SELECT 1 FROM sources WHERE url LIKE %s AND leased_by <> ''", "%slow%"
            ),
            "the first worker leases the slow feed",
        )
        procs.append(start(config, crash_at="after-send"))  # sends, then dies mid-send
        loop = asyncio.get_running_loop()
        assert await loop.run_in_executor(None, procs[1].wait, 120) == 137
        procs.append(start(config))
        third = procs[2].pid
        await wait_for(
            lambda: query(pg_dsn, "SELECT 1 FROM workers WHERE id LIKE %s", f"%/{third}/%"),
            "the third worker joins",
        )
        assert len(discord.identify) == 1  # followers send over REST only
        procs[0].send_signal(signal.SIGKILL)  # the leader, mid-poll
        await loop.run_in_executor(None, procs[0].wait, 30)
        slow.delay = 0.0
        await wait_for(
            lambda: (
                all(counts(slack.posted(SLACK_CHANNEL)).values())
                and all(counts(discord.posted()).values())
            ),
            "every story on Slack and on Discord",
        )
        await wait_for(lambda: len(discord.identify) == 2, "the new leader opens the gateway")
        await wait_for(
            lambda: not query(pg_dsn, "SELECT 1 FROM deliveries WHERE status <> 'sent'"),
            "the outbox drained",
        )
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            await asyncio.get_running_loop().run_in_executor(None, proc.wait, 30)
    for messages in (slack.posted(SLACK_CHANNEL), discord.posted()):
        assert set(counts(messages).values()) == {1}, counts(messages)
    flagged = query(pg_dsn, "SELECT COUNT(*) FROM deliveries WHERE ambiguous = 1")[0][0]
    assert 1 <= flagged <= 2  # the kill cut a send off, and it was found, not repeated
    assert not query(pg_dsn, "SELECT url FROM sources WHERE last_success IS NULL")


async def test_a_worker_sigkilled_inside_its_sends_leaves_each_story_posted_once(
    tmp_path: Path, feed_server: Any, pg_dsn: str, fakes: tuple[FakeSlack, FakeDiscord]
) -> None:
    """Killed by SIGKILL while Slack and Discord hold its first posts unanswered (they were
    made): the next worker finds them (history, nonce) and posts the rest once."""
    slack, discord = fakes
    urls, slow = feeds(feed_server)
    slow.delay = 0.0
    slack.fail("chat.postMessage", accept=True, delay=10.0)  # answered after the kill
    discord.fail("create_message", status=200, accept=True, delay=10.0)
    config = write_config(tmp_path, urls, slack, discord, pg_dsn)
    first = start(config)
    procs = [first]
    try:
        await wait_for(
            lambda: slack.posted(SLACK_CHANNEL) and discord.posted(), "both first posts made"
        )
        first.send_signal(signal.SIGKILL)  # inside both sends, their answers not yet come
        loop = asyncio.get_running_loop()
        assert await loop.run_in_executor(None, first.wait, 30) == -signal.SIGKILL
        procs.append(start(config))
        await wait_for(
            lambda: (
                all(counts(slack.posted(SLACK_CHANNEL)).values())
                and all(counts(discord.posted()).values())
            ),
            "every story on Slack and on Discord",
        )
        await wait_for(
            lambda: not query(pg_dsn, "SELECT 1 FROM deliveries WHERE status <> 'sent'"),
            "the outbox drained",
        )
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            await asyncio.get_running_loop().run_in_executor(None, proc.wait, 30)
    for messages in (slack.posted(SLACK_CHANNEL), discord.posted()):
        assert set(counts(messages).values()) == {1}, counts(messages)
    flagged = query(pg_dsn, "SELECT COUNT(*) FROM deliveries WHERE ambiguous = 1")[0][0]
    assert flagged == 2  # one cut-off send in each channel, found, not repeated
