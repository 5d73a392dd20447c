"""HARDENING F15: no token or signing secret in any log line, stored error or reply.

A full `newswatch -v poll` runs with real-looking secrets against a fake Slack that fails
in several ways; every byte it logs and every error it stores is searched for them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.ops.logs import RedactingFormatter, redact
from tests.fakes.slack import FakeSlack
from tests.feeds import Entry, rss

BOT_TOKEN = "xoxb-2487203991-7718820034-Zx8QpL2vKd93hWm1sYt0bNfa"
SIGNING_SECRET = "8f14e45fceea167a5a36dedd4bea2543"
DISCORD_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhJkLm.abcdefghijklmnopqrstuvwxyz0123456"
SECRETS = (BOT_TOKEN, SIGNING_SECRET, DISCORD_TOKEN)


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(bot_token=BOT_TOKEN) as fake:
        yield fake


async def test_a_verbose_poll_with_failing_chat_logs_and_stores_no_secret(
    tmp_path: Path, slack: FakeSlack, feed_server: Any
) -> None:
    now = time.time()
    feed_server.add(
        "/f.xml",
        body=rss(
            [
                Entry(f"Sora item {w}", f"https://a.example/{w}", published=now)
                for w in ("alpha", "beta gamma", "delta epsilon zeta")
            ]
        ),
        content_type="application/rss+xml",
    )
    feed_server.add("/broken.xml", status=500, body=b"oops")
    broken = feed_server.url("/broken.xml") + "?key=" + BOT_TOKEN  # a key in a feed URL
    (tmp_path / "list.toml").write_text('name = "t"\n[[watch]]\nquery = "Sora"\n')
    config = tmp_path / "newswatch.toml"
    config.write_text(
        "\n".join(
            [
                'database = "nw.db"',
                "allow_private_networks = true",
                f"[[sources]]\nurl = {json.dumps(feed_server.url('/f.xml'))}",
                f"[[sources]]\nurl = {json.dumps(broken)}",
                '[[channels]]\ntarget = "slack:C0A"\nwatchlists = ["list.toml"]',
                '[[channels]]\ntarget = "slack:C0B"\nwatchlists = ["list.toml"]',
                f'[slack]\nmode = "http"\nport = 9\napi_url = {json.dumps(slack.base_url)}',
            ]
        )
    )
    slack.fail("chat.postMessage", status=500, channel="C0A", times=5)
    slack.refuse("C0B", "invalid_auth")
    env = dict(
        os.environ,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        DISCORD_BOT_TOKEN=DISCORD_TOKEN,
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(config), "-v", "poll", "--all",
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    logged = out.decode() + err.decode()
    assert "destination stopped" in logged and "will be retried" in logged  # it did log
    with sqlite3.connect(tmp_path / "nw.db") as db:
        stored = json.dumps(
            db.execute("SELECT last_error FROM sources").fetchall()
            + db.execute("SELECT last_error FROM deliveries").fetchall()
            + db.execute("SELECT status_reason FROM channels").fetchall()
        )
    for secret in SECRETS:
        assert secret not in logged
        assert secret not in stored


def test_the_log_formatter_masks_secrets_in_messages_and_tracebacks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    formatter = RedactingFormatter()
    try:
        raise RuntimeError(f"POST failed with token {BOT_TOKEN} and {SIGNING_SECRET}")
    except RuntimeError:
        record = logging.LogRecord(
            "t", logging.ERROR, __file__, 1, "calling %s", (DISCORD_TOKEN,), sys.exc_info()
        )
    line = formatter.format(record)
    for secret in SECRETS:
        assert secret not in line
    assert line.count("[redacted]") >= 3


@pytest.mark.parametrize(
    "text",
    [
        "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX",
        "https://discord.com/api/webhooks/123456789012345678/abcDEF_ghi-JKL",
        "xoxp-1234-5678-abcd",
        "xapp-1-A0FAKE-0000-secret",
    ],
)
def test_webhook_urls_and_token_shapes_are_masked(text: str) -> None:
    assert "[redacted]" in redact(f"error posting to {text}")
    assert text not in redact(f"error posting to {text}")


# A token a proxy was given: it has no known shape, so only the configured value masks it.
PROXY_TOKEN = "corp-7f3a9b2c4d5e6f708192a3b4c5d6"


async def test_a_chat_api_that_echoes_the_token_leaves_it_in_no_row_log_or_output(
    tmp_path: Path, feed_server: Any
) -> None:
    feed_server.add(
        "/f.xml",
        body=rss([Entry("Sora ships", "https://a.example/1", published=time.time())]),
        content_type="application/rss+xml",
    )
    (tmp_path / "list.toml").write_text('name = "t"\n[[watch]]\nquery = "Sora"\n')
    config = tmp_path / "newswatch.toml"
    async with FakeSlack(bot_token=PROXY_TOKEN) as slack:
        config.write_text(
            f'database = "nw.db"\nallow_private_networks = true\n'
            f"[[sources]]\nurl = {json.dumps(feed_server.url('/f.xml'))}\n"
            '[[channels]]\ntarget = "slack:C0A"\nwatchlists = ["list.toml"]\n'
            f'[slack]\nmode = "http"\nport = 9\napi_url = {json.dumps(slack.base_url)}\n'
        )
        echo = f"invalid_arguments: proxy refused token={PROXY_TOKEN} (Bearer {BOT_TOKEN})"
        slack.fail("chat.postMessage", error=echo, times=5)
        env = dict(os.environ, SLACK_BOT_TOKEN=PROXY_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET)
        logged = await run_newswatch(config, env, "-v", "poll", "--all")
        assert slack.calls_to("chat.postMessage")  # the echo did come back
    shown = await run_newswatch(config, env, "sources")
    with sqlite3.connect(tmp_path / "nw.db") as db:
        (stored,) = db.execute("SELECT last_error FROM deliveries").fetchone()
    assert stored.startswith("slack chat.postMessage: invalid_arguments: proxy refused token=")
    assert "[redacted]" in stored
    for text in (stored, logged, shown):
        assert PROXY_TOKEN not in text and BOT_TOKEN not in text


async def test_sources_and_doctor_mask_secrets_in_rows_stored_before_masking(
    tmp_path: Path, feed_server: Any
) -> None:
    feed_server.add("/f.xml", body=rss([Entry("Golf", "https://a.example/1", published=0)]))
    (tmp_path / "list.toml").write_text('name = "t"\n')
    config = tmp_path / "newswatch.toml"
    config.write_text(
        f'database = "nw.db"\nallow_private_networks = true\n'
        f"[[sources]]\nurl = {json.dumps(feed_server.url('/f.xml'))}\n"
        '[[channels]]\ntarget = "jsonl:alerts.jsonl"\nwatchlists = ["list.toml"]\n'
    )
    env = dict(os.environ, SLACK_BOT_TOKEN=PROXY_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET)
    await run_newswatch(config, env, "poll", "--all")
    hook = "https://hooks.slack.com/commands/T0A/123/Zx8QpL2vKd93hWm1"
    with sqlite3.connect(tmp_path / "nw.db") as db:  # what an older version could have stored
        db.execute("UPDATE sources SET last_error = ?", [f"proxy: {PROXY_TOKEN} {BOT_TOKEN}"])
        db.execute(
            "UPDATE channels SET status = 'stopped', status_reason = ?",
            [f"posting to {hook} failed; signed with {SIGNING_SECRET}"],
        )
    for command in ("sources", "doctor"):
        shown = await run_newswatch(config, env, command)
        assert "last error: proxy: [redacted]" in shown
        for secret in (PROXY_TOKEN, BOT_TOKEN, SIGNING_SECRET, hook):
            assert secret not in shown, (command, secret)


async def run_newswatch(config: Path, env: dict[str, str], *args: str) -> str:
    """The real CLI in a subprocess (this loop keeps serving the fake Slack): all it wrote."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(config), *args,
        cwd=config.parent, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    return out.decode() + err.decode()


def test_redact_masks_the_configured_secrets_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("SLACK_BOT_TOKEN", PROXY_TOKEN)
    masked = redact(f"proxy said {PROXY_TOKEN}; signature {SIGNING_SECRET}")
    assert masked == "proxy said [redacted]; signature [redacted]"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("rotated xoxe-1-My0xLTEyMzQ1Njc4OTA", "rotated [redacted]"),
        ("refresh xoxe.xoxp-1-abcdef123456", "refresh xoxe.[redacted]"),
        ("to https://hooks.slack.com/commands/T0A/1234/aBc9", "to https://[redacted]"),
        ("to https://hooks.slack.com/actions/T0A/12/aB_9 gone", "to https://[redacted] gone"),
        ("Authorization: Bearer abc.def-123", "Authorization: Bearer [redacted]"),
        ('{"authorization": "Bot MTIz.abc"}', '{"authorization": "Bot [redacted]"}'),
        ("proxy-authorization=Basic dXNlcjpwYXNz;", "proxy-authorization=Basic [redacted];"),
        ("401 from proxy: bearer s3cr3t-t0k3n", "401 from proxy: bearer [redacted]"),
        ("GET https://bob:hunter2@feeds.example/x", "GET https://bob:[redacted]@feeds.example/x"),
        ("GET /f?id=7&api_key=abc123&n=2", "GET /f?id=7&api_key=[redacted]&n=2"),
        ("GET /f?token=abc123#top", "GET /f?token=[redacted]#top"),
        ("HTTP 500 from feeds.example", "HTTP 500 from feeds.example"),
        ("https://feeds.example/rss?q=Sora&hl=en", "https://feeds.example/rss?q=Sora&hl=en"),
    ],
)
def test_credentials_after_their_labels_and_new_token_shapes_are_masked(
    text: str, masked: str
) -> None:
    assert redact(text, ()) == masked
    assert redact(masked, ()) == masked  # masking twice (at storage and at print) is stable
