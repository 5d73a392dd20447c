"""`newswatch run` as a real process in Slack HTTP mode: feeds in, alerts out, commands answered.

The service talks to the fake Slack through `[slack] api_url` and polls the loopback feed
server; the test signs slash commands like Slack and sends them to the running process.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.fakes.slack import (
    APP_TOKEN,
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeSlack,
    form,
    free_port,
    sign,
    slash_command,
)
from tests.feeds import Entry, rss

ROOT = Path(__file__).resolve().parent.parent
CHANNEL = "C0NEWS"


def write_config(tmp_path: Path, feed_url: str, slack: FakeSlack, port: int) -> Path:
    (tmp_path / "list.toml").write_text('name = "t"\n[[watch]]\nquery = "Sora"\n')
    path = tmp_path / "newswatch.toml"
    path.write_text(
        "\n".join(
            [
                'database = "nw.db"',
                'poll_interval = "30s"',
                "allow_private_networks = true",
                f"[[sources]]\nurl = {json.dumps(feed_url)}",
                f'[[channels]]\ntarget = "slack:{CHANNEL}"\nwatchlists = ["list.toml"]',
                f'[slack]\nmode = "http"\nport = {port}\napi_url = {json.dumps(slack.base_url)}',
            ]
        )
        + "\n"
    )
    return path


class Service:
    """A `newswatch run` subprocess with the Slack secrets in its environment only."""

    def __init__(self, config: Path) -> None:
        env = dict(os.environ)
        env.update(
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_APP_TOKEN=APP_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            NEWSWATCH_CONFIG=str(config),
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=config.parent,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    def stop(self) -> tuple[int, str]:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            _, err = self.process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
        return self.process.returncode, err.decode("utf-8", "replace")


async def wait_for(predicate: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


async def listening(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            await writer.wait_closed()
            return
        except OSError:
            await asyncio.sleep(0.05)
    raise AssertionError(f"nothing listens on {port}")


async def send_command(port: int, payload: dict[str, str]) -> tuple[int, float]:
    body = form(payload)
    started = time.monotonic()
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"http://127.0.0.1:{port}/slack/events", data=body, headers=sign(body)
        ) as response,
    ):
        await response.read()
        return response.status, time.monotonic() - started


async def test_the_service_alerts_once_answers_commands_and_survives_a_restart(
    tmp_path: Path, slack: FakeSlack, feed_server: Any
) -> None:
    now = time.time()
    feed_server.add(
        "/f.xml",
        body=rss(
            [
                Entry("<!channel> Sora opens to filmmakers", "https://a.example/1", published=now),
                Entry("Unrelated studio news", "https://a.example/2", published=now),
            ]
        ),
        content_type="application/rss+xml",
    )
    port = free_port()
    config = write_config(tmp_path, feed_server.url("/f.xml"), slack, port)
    service = Service(config)
    try:
        await wait_for(lambda: len(slack.posted(CHANNEL)) >= 1)
        await listening(port)
        status, took = await send_command(
            port, slash_command("/watch", "add WGA -golf", response_url=slack.response_url())
        )
        assert status == 200 and took < 3.0
        await wait_for(lambda: slack.calls_to("response_url"))
        assert "wga AND NOT golf" in slack.calls_to("response_url")[0].payload["text"]
        forged = form(slash_command("/watch", "add X", response_url=slack.response_url()))
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"http://127.0.0.1:{port}/slack/events",
                data=forged,
                headers=sign(forged, secret="wrong"),
            ) as response,
        ):
            assert response.status == 401
    finally:
        code, err = service.stop()
    assert code == 0, err
    [message] = slack.posted(CHANNEL)
    assert "<!channel>" not in json.dumps(message)
    for secret in (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET):
        assert secret not in err

    with sqlite3.connect(tmp_path / "nw.db") as db:  # make the feed due again at once
        db.execute("UPDATE sources SET next_poll = 0")
    restarted = Service(config)
    try:
        await listening(port)
        await wait_for(lambda: len(feed_server.requests) >= 2)  # the restart's first poll
        await asyncio.sleep(0.5)  # and the delivery after it
    finally:
        code, err = restarted.stop()
    assert code == 0, err
    assert len(slack.posted(CHANNEL)) == 1  # nothing confirmed is sent again


async def test_doctor_reports_the_slack_token_and_scopes(tmp_path: Path, slack: FakeSlack) -> None:
    config = write_config(tmp_path, "http://127.0.0.1:9/none.xml", slack, free_port())
    env = dict(os.environ, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--config",
        str(config),
        "doctor",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    text = out.decode()
    assert "slack: token ok: team Fake Team" in text, text + err.decode()
    assert "scopes: chat:write,commands" in text.replace(", ", ",")
    assert BOT_TOKEN not in text + err.decode()


async def test_a_refused_channel_is_stopped_shown_and_retried_after_a_restart(
    tmp_path: Path, slack: FakeSlack, feed_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.app import App
    from bot.config import load_config
    from bot.ops.status import sources_table

    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    now = time.time()
    feed_server.add(
        "/f.xml",
        body=rss(
            [Entry(f"Sora story {n}", f"https://a.example/{n}", published=now) for n in range(3)]
        ),
        content_type="application/rss+xml",
    )
    config = load_config(str(write_config(tmp_path, feed_server.url("/f.xml"), slack, free_port())))
    slack.refuse(CHANNEL, "not_in_channel")
    app = App(config)
    try:
        await app.start()
        report = await app.cycle(all_sources=True)
        assert report.delivery.stopped == [f"slack:{CHANNEL}"]
        assert len(slack.calls_to("chat.postMessage")) == 1  # one try, then the channel stops
        await app.deliver()
        assert len(slack.calls_to("chat.postMessage")) == 1  # no retry loop
        assert f"destination slack:{CHANNEL}: stopped" in sources_table(app.db)
    finally:
        await app.close()
    del slack.refused[CHANNEL]  # the bot was invited; the operator restarts it
    app = App(config)
    try:
        await app.start()
        await app.deliver()
    finally:
        await app.close()
    assert len(slack.posted(CHANNEL)) == 3  # every alert kept, none lost, none doubled
