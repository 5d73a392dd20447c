"""The Slack adapter end to end: the real slack-sdk and slack-bolt against a fake Slack.

Outbound: alerts, digests and notices reach chat.postMessage as Block Kit, hostile feed
text is inert in the exact payload Slack receives, and every kind of failure becomes the
outbox scope the SPEC asks for. Inbound: signed slash commands are sent over HTTP to the
running app (valid, forged, stale, retried) and over a Socket Mode WebSocket.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from adapters.slack import SlackAdapter
from adapters.slack_errors import retry_after
from bot.chat.commands import Command, Reply, handle
from bot.config import Config, SlackConfig
from bot.deliver.adapter import DeliveryError
from bot.deliver.model import Alert, Digest, DigestSection, DigestStory, Notice
from bot.store.db import open_db
from tests.fakes.slack import (
    BOT_TOKEN,
    FakeSlack,
    form,
    free_port,
    sign,
    slash_command,
)

CHANNEL = "C0NEWS"
TARGET = f"slack:{CHANNEL}"


def alert(title: str = "Sora opens to filmmakers", summary: str = "Studios get access.") -> Alert:
    return Alert(
        channel=TARGET,
        story_id=1,
        title=title,
        url="https://variety.com/2027/sora-opens/",
        source="Variety",
        published=datetime(2027, 1, 15, 9, 30, tzinfo=UTC),
        summary=summary,
        watches=("Sora",),
    )


def make_config(tmp_path: Path, slack: FakeSlack, mode: str = "http", **extra: Any) -> Config:
    return Config(
        path=None,
        database=tmp_path / "nw.db",
        slack=SlackConfig(mode=mode, port=free_port(), api_url=slack.base_url, **extra),
    )


@pytest.fixture
async def adapter(tmp_path: Path, slack: FakeSlack, slack_env: None) -> AsyncIterator[SlackAdapter]:
    """A started adapter in HTTP mode whose commands run against a real SQLite store."""
    config = make_config(tmp_path, slack)
    db = open_db(config.database)
    instance = SlackAdapter(config)
    instance.interval = 0.0  # pacing has its own test
    instance.on_command = lambda command: handle(db, command, time.time())
    await instance.start()
    try:
        yield instance
    finally:
        await instance.close()
        db.conn.close()


async def post_command(
    adapter: SlackAdapter,
    payload: dict[str, str],
    *,
    headers: dict[str, str] | None = None,
    retry: int | None = None,
) -> aiohttp.ClientResponse:
    body = form(payload)
    sent = dict(headers if headers is not None else sign(body))
    if retry is not None:
        sent["X-Slack-Retry-Num"] = str(retry)
        sent["X-Slack-Retry-Reason"] = "http_timeout"
    url = f"http://127.0.0.1:{adapter.config.slack.port}/slack/events"
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers=sent) as response,
    ):
        await response.read()
        return response


async def replies(slack: FakeSlack, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
    """The response_url posts, once `count` have arrived."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        calls = slack.calls_to("response_url")
        if len(calls) >= count:
            return [call.payload for call in calls]
        await asyncio.sleep(0.02)
    raise AssertionError(
        f"expected {count} response_url posts, got {slack.calls_to('response_url')}"
    )


# -- outbound ----------------------------------------------------------------------------


async def test_an_alert_is_one_block_kit_message_with_unfurls_off(
    adapter: SlackAdapter, slack: FakeSlack
) -> None:
    await adapter.send(TARGET, alert())
    [call] = slack.calls_to("chat.postMessage")
    assert call.payload["channel"] == CHANNEL
    assert call.payload["unfurl_links"] is False and call.payload["unfurl_media"] is False
    assert "Sora opens to filmmakers" in call.payload["text"]
    assert "<https://variety.com/2027/sora-opens/|Sora opens to filmmakers>" in str(
        call.payload["blocks"]
    )
    assert call.headers["Authorization"] == f"Bearer {BOT_TOKEN}"
    assert len(slack.posted(CHANNEL)) == 1


@pytest.mark.parametrize(
    ("hostile", "escaped"),
    [
        ("<!channel> Sora", "&lt;!channel&gt; Sora"),
        ("<!here> Sora", "&lt;!here&gt; Sora"),
        ("<!everyone> Sora", "&lt;!everyone&gt; Sora"),
        ("<!subteam^S123|@team> Sora", "&lt;!subteam^S123|@team&gt; Sora"),
        ("<@U123> Sora", "&lt;@U123&gt; Sora"),
        (
            "<https://evil.example|variety.com> Sora",
            "&lt;https://evil.example|variety.com&gt; Sora",
        ),
        ("Tom &amp; Jerry", "Tom &amp;amp; Jerry"),  # literal text, escaped exactly once
    ],
)
async def test_hostile_feed_text_reaches_slack_escaped_once(
    adapter: SlackAdapter, slack: FakeSlack, hostile: str, escaped: str
) -> None:
    await adapter.send(TARGET, alert(title="Sora news", summary=hostile))
    [call] = slack.calls_to("chat.postMessage")
    payload = str(call.payload["text"]) + str(call.payload["blocks"])
    for live in ("<!channel>", "<!here>", "<!everyone>", "<!subteam", "<@U123>", "<https://evil"):
        assert live not in payload
    assert escaped in str(call.payload["blocks"])


async def test_a_hostile_title_cannot_ping_or_forge_the_link(
    adapter: SlackAdapter, slack: FakeSlack
) -> None:
    await adapter.send(TARGET, alert(title="<!channel> <https://evil.example|Variety>"))
    [call] = slack.calls_to("chat.postMessage")
    payload = str(call.payload["text"]) + str(call.payload["blocks"])
    assert "<!channel>" not in payload and "<https://evil" not in payload
    assert "<https://variety.com/2027/sora-opens/|&lt;!channel&gt;" in payload


async def test_a_short_429_is_waited_out_and_posts_once(
    adapter: SlackAdapter, slack: FakeSlack
) -> None:
    slack.fail("chat.postMessage", status=429, retry_after=1)
    await adapter.send(TARGET, alert())
    calls = slack.calls_to("chat.postMessage")
    assert len(calls) == 2
    assert calls[1].at - calls[0].at >= 0.9  # slack-sdk slept for Retry-After
    assert len(slack.posted(CHANNEL)) == 1


async def test_a_long_429_goes_back_to_the_outbox_with_its_retry_after(
    adapter: SlackAdapter, slack: FakeSlack
) -> None:
    slack.fail("chat.postMessage", status=429, retry_after=120)
    with pytest.raises(DeliveryError) as caught:
        await adapter.send(TARGET, alert())
    assert caught.value.scope == "transient"
    assert caught.value.retry_after == 120
    assert slack.posted(CHANNEL) == []


async def test_a_5xx_is_transient(adapter: SlackAdapter, slack: FakeSlack) -> None:
    slack.fail("chat.postMessage", status=503)
    with pytest.raises(DeliveryError) as caught:
        await adapter.send(TARGET, alert())
    assert caught.value.scope == "transient"


@pytest.mark.parametrize(
    "error", ["channel_not_found", "not_in_channel", "invalid_auth", "account_inactive"]
)
async def test_permanent_errors_stop_the_destination(
    adapter: SlackAdapter, slack: FakeSlack, error: str
) -> None:
    slack.refuse(CHANNEL, error)
    with pytest.raises(DeliveryError) as caught:
        await adapter.send(TARGET, alert())
    assert caught.value.scope == "destination"
    assert error in caught.value.reason
    assert len(slack.calls_to("chat.postMessage")) == 1  # no retry loop


@pytest.mark.parametrize("error", ["msg_too_long", "invalid_blocks"])
async def test_refused_blocks_fall_back_once_to_plain_text(
    adapter: SlackAdapter, slack: FakeSlack, error: str
) -> None:
    slack.fail("chat.postMessage", error=error)
    await adapter.send(TARGET, alert())
    first, second = slack.calls_to("chat.postMessage")
    assert first.payload.get("blocks")
    assert not second.payload.get("blocks")
    assert "https://variety.com/2027/sora-opens/" in second.payload["text"]
    assert len(slack.posted(CHANNEL)) == 1


async def test_a_message_refused_even_as_plain_text_is_dead_not_retried(
    adapter: SlackAdapter, slack: FakeSlack
) -> None:
    slack.fail("chat.postMessage", error="msg_too_long", times=2)
    with pytest.raises(DeliveryError) as caught:
        await adapter.send(TARGET, alert())
    assert caught.value.scope == "message"
    assert len(slack.calls_to("chat.postMessage")) == 2


async def test_a_channel_gets_at_most_one_message_a_second(
    adapter: SlackAdapter, slack: FakeSlack
) -> None:
    adapter.interval = 1.0
    for n in range(3):
        await adapter.send(TARGET, alert(title=f"Sora story {n}"))
    times = [call.at for call in slack.calls_to("chat.postMessage")]
    assert all(later - earlier >= 0.95 for earlier, later in itertools.pairwise(times))


async def test_a_long_digest_is_split_into_messages_slack_accepts(
    adapter: SlackAdapter, slack: FakeSlack
) -> None:
    stories = tuple(
        DigestStory(
            n, f"Sora story number {n} " + "x" * 150, f"https://a.example/{n}", "V", None, 1
        )
        for n in range(120)
    )
    digest = Digest(
        channel=TARGET,
        since=datetime(2027, 1, 14, tzinfo=UTC),
        until=datetime(2027, 1, 15, tzinfo=UTC),
        sections=(DigestSection("Sora", stories),),
    )
    await adapter.send(TARGET, digest)
    calls = slack.calls_to("chat.postMessage")
    assert len(calls) > 1
    assert len(slack.posted(CHANNEL)) == len(calls)  # the fake refused none of them


async def test_a_notice_is_posted_as_plain_text(adapter: SlackAdapter, slack: FakeSlack) -> None:
    await adapter.send(TARGET, Notice(TARGET, "newswatch stopped polling <!here> example.com"))
    [call] = slack.calls_to("chat.postMessage")
    assert "<!here>" not in str(call.payload)


# -- start-up and doctor -----------------------------------------------------------------


async def test_a_refused_bot_token_fails_start_with_one_line_that_hides_the_token(
    tmp_path: Path, slack: FakeSlack, slack_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-wrong-token-123456")
    instance = SlackAdapter(make_config(tmp_path, slack))
    with pytest.raises(RuntimeError) as caught:
        await instance.start()
    assert "invalid_auth" in str(caught.value)
    assert "xoxb-wrong" not in str(caught.value) and "\n" not in str(caught.value)


async def test_doctor_says_who_the_token_is_and_what_it_may_do(
    adapter: SlackAdapter, slack: FakeSlack
) -> None:
    lines = await adapter.doctor()
    assert any("Fake Team" in line and "@newswatch" in line for line in lines)
    assert any("chat:write" in line for line in lines)
    assert not any("FAILED" in line for line in lines)


async def test_doctor_names_missing_scopes(adapter: SlackAdapter, slack: FakeSlack) -> None:
    slack.scopes = "chat:write"
    lines = await adapter.doctor()
    assert any("missing scopes commands" in line for line in lines)


# -- slash commands over HTTP -----------------------------------------------------------


async def test_watch_add_is_acked_at_once_and_answered_ephemerally(
    adapter: SlackAdapter, slack: FakeSlack
) -> None:
    payload = slash_command("/watch", "add Sora -golf", response_url=slack.response_url())
    started = time.monotonic()
    response = await post_command(adapter, payload)
    assert response.status == 200
    assert time.monotonic() - started < 3.0
    [reply] = await replies(slack)
    assert reply["response_type"] == "ephemeral"
    assert "sora AND NOT golf" in reply["text"]


async def test_a_command_leaves_the_newswatch_loggers_level_alone(
    adapter: SlackAdapter, slack: FakeSlack
) -> None:
    ours, root = logging.getLogger("newswatch"), logging.getLogger()
    before, root_before = ours.level, root.level
    root.setLevel(logging.ERROR)  # bolt copied the root's level onto ours
    try:
        payload = slash_command("/watch", "list", response_url=slack.response_url())
        await post_command(adapter, payload)
        await replies(slack)
    finally:
        root.setLevel(root_before)
    assert ours.level == before


async def test_a_broken_query_is_answered_with_where_it_breaks(
    adapter: SlackAdapter, slack: FakeSlack
) -> None:
    payload = slash_command("/watch", 'add Sora "text to', response_url=slack.response_url())
    await post_command(adapter, payload)
    [reply] = await replies(slack)
    assert "never closed" in reply["text"] and "^" in reply["text"]


async def test_a_forged_signature_is_refused(adapter: SlackAdapter, slack: FakeSlack) -> None:
    payload = slash_command("/watch", "add Sora", response_url=slack.response_url())
    headers = sign(form(payload), secret="not-the-secret")
    response = await post_command(adapter, payload, headers=headers)
    assert response.status == 401
    await asyncio.sleep(0.2)
    assert slack.calls_to("response_url") == []


async def test_a_body_altered_after_signing_is_refused(
    adapter: SlackAdapter, slack: FakeSlack
) -> None:
    payload = slash_command("/watch", "add Sora", response_url=slack.response_url())
    headers = sign(form(payload))
    payload["text"] = "remove Sora"
    response = await post_command(adapter, payload, headers=headers)
    assert response.status == 401


@pytest.mark.parametrize("age", [301, 3600])
async def test_a_stale_timestamp_is_refused(
    adapter: SlackAdapter, slack: FakeSlack, age: int
) -> None:
    payload = slash_command("/watch", "add Sora", response_url=slack.response_url())
    headers = sign(form(payload), timestamp=int(time.time()) - age)
    response = await post_command(adapter, payload, headers=headers)
    assert response.status == 401


async def test_a_missing_signature_is_refused(adapter: SlackAdapter, slack: FakeSlack) -> None:
    payload = slash_command("/watch", "add Sora", response_url=slack.response_url())
    response = await post_command(
        adapter, payload, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status == 401


async def test_a_slack_retry_of_a_command_is_acked_but_not_run_twice(
    adapter: SlackAdapter, slack: FakeSlack
) -> None:
    payload = slash_command("/watch", "add Sora", response_url=slack.response_url())
    first = await post_command(adapter, payload)
    again = await post_command(adapter, payload, retry=1)
    assert first.status == 200 and again.status == 200
    await replies(slack)
    await asyncio.sleep(0.3)
    assert len(slack.calls_to("response_url")) == 1


async def test_only_managers_change_watches_when_managers_are_listed(
    tmp_path: Path, slack: FakeSlack, slack_env: None
) -> None:
    config = make_config(tmp_path, slack, managers=("U0BOSS",))
    seen: list[Command] = []

    def on_command(command: Command) -> Reply:
        seen.append(command)
        return Reply("ok")

    instance = SlackAdapter(config)
    instance.on_command = on_command
    await instance.start()
    try:
        for user in ("U0BOSS", "U0INTERN"):
            payload = slash_command(
                "/watch",
                "add Sora",
                response_url=slack.response_url(),
                user=user,
                trigger_id=f"t-{user}",
            )
            await post_command(instance, payload)
        await replies(slack, 2)
    finally:
        await instance.close()
    assert {c.user: c.can_manage for c in seen} == {"U0BOSS": True, "U0INTERN": False}


async def test_digest_posts_in_the_channel(adapter: SlackAdapter, slack: FakeSlack) -> None:
    payload = slash_command("/digest", "24h", response_url=slack.response_url(), channel=CHANNEL)
    await post_command(adapter, payload)
    deadline = time.monotonic() + 5
    while not slack.posted(CHANNEL) and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    [message] = slack.posted(CHANNEL)
    assert "No new stories in this window." in json.dumps(message["blocks"])
    assert slack.calls_to("response_url") == []  # public in the channel, not a private reply


# -- Socket Mode -------------------------------------------------------------------------


async def test_socket_mode_runs_a_command_from_an_envelope_and_acks_it(
    tmp_path: Path, slack: FakeSlack, slack_env: None
) -> None:
    config = make_config(tmp_path, slack, mode="socket")
    db = open_db(config.database)
    instance = SlackAdapter(config)
    instance.on_command = lambda command: handle(db, command, time.time())
    await instance.start()
    try:
        payload = slash_command("/watch", "add WGA -golf", response_url=slack.response_url())
        ack = await slack.socket_send("slash_commands", payload)
        assert ack["envelope_id"].startswith("env-")
        [reply] = await replies(slack)
        assert "wga AND NOT golf" in reply["text"]
    finally:
        await instance.close()
        db.conn.close()


async def test_socket_mode_with_a_wrong_app_token_fails_start_with_one_line(
    tmp_path: Path, slack: FakeSlack, slack_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-wrong")
    instance = SlackAdapter(make_config(tmp_path, slack, mode="socket"))
    with pytest.raises(RuntimeError) as caught:
        await instance.start()
    assert "SLACK_APP_TOKEN was refused" in str(caught.value)
    assert "xapp-1-wrong" not in str(caught.value)


def test_the_app_manifest_declares_every_command_and_scope_the_adapter_needs() -> None:
    import json

    from adapters.slack import REQUIRED_SCOPES
    from adapters.slack_app import COMMANDS

    manifest = json.loads(
        (Path(__file__).parent.parent / "docs/slack-app-manifest.json").read_text()
    )
    declared = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert declared == {f"/{name}" for name in COMMANDS}
    assert set(REQUIRED_SCOPES) <= set(manifest["oauth_config"]["scopes"]["bot"])
    assert manifest["settings"]["socket_mode_enabled"] is True


async def test_a_watch_added_in_slack_counts_for_its_user_in_the_workspace(
    adapter: SlackAdapter, slack: FakeSlack, tmp_path: Path
) -> None:
    from tests.fakes.slack import TEAM_ID

    payload = slash_command("/watch", "add Sora", response_url=slack.response_url(), user="U7")
    await post_command(adapter, payload)
    await replies(slack)
    db = open_db(tmp_path / "nw.db")
    row = db.execute("SELECT added_by, scope FROM watches").fetchone()
    db.conn.close()
    assert row == ("U7", f"slack:{TEAM_ID}")


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "30"}, 30.0),
        ({"retry-after": ["30"]}, 30.0),
        ({"Retry-After": "Tue, 15 Jul 2025 12:05:00 GMT"}, 300.0),  # an HTTP-date, as RFC 9110
        ({"Retry-After": "86400000"}, 6 * 3600.0),  # held to the shared cap
        ({"Retry-After": "-5"}, None),
        ({"Retry-After": "inf"}, None),
        ({}, None),
    ],
)
def test_slack_reads_retry_after_like_every_other_caller(
    headers: dict[str, Any], expected: float | None
) -> None:
    now = datetime(2025, 7, 15, 12, 0, tzinfo=UTC).timestamp()
    assert retry_after(headers, now) == expected
