"""SPEC "Alerts" and "Watchlists": a watch may opt in to a ping of its own (`notify`); nothing
else in a message notifies anyone. Names head the watches in Slack and Discord alerts and lists.

End to end: a real poll of a served feed, the SQLite outbox, and the real slack-sdk /
slack-bolt and discord.py code against the fakes (tests/fakes), which decide who is pinged
as Slack and Discord do (tests.fakes.slack.pings, tests.fakes.discord_payloads.pinged).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from adapters.discord import DiscordAdapter
from bot.app import App
from bot.chat.commands import Command
from bot.config import load_config
from tests.fakes.discord import BOT_TOKEN as DISCORD_TOKEN
from tests.fakes.discord import CHANNEL_ID, FakeDiscord, option, sub
from tests.fakes.slack import (
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeSlack,
    form,
    free_port,
    pings,
    sign,
    slash_command,
)
from tests.feeds import Entry, rss
from tests.pipeline_helpers import HOUR, Clock

SLACK_CHANNEL = "C0NEWS"
DISCORD_TARGET = f"discord:{CHANNEL_ID}"
SORA = "Sora OpenAI"
ROLE = "123456789012345678"
USER = "876543210987654321"


def setup(tmp_path: Path, feed_server: Any, clock: Clock, watches: list[dict[str, str]]) -> Path:
    """A served feed whose one item matches the watches, and their watchlist file."""
    title = watches[0].pop("title", "OpenAI opens Sora to filmmakers")
    entry = Entry(title, "https://trade.example/1", published=clock.now - HOUR)
    feed_server.add("/f.xml", body=rss([entry]), content_type="application/rss+xml")
    tables = "".join(
        "[[watch]]\n" + "".join(f"{key} = {json.dumps(value)}\n" for key, value in watch.items())
        for watch in watches
    )
    (tmp_path / "list.toml").write_text(f'name = "t"\n{tables}', encoding="utf-8")
    return tmp_path / "newswatch.toml"


def config_text(target: str, feed_url: str, platform: str) -> str:
    return "\n".join(
        [
            'database = "nw.db"',
            "allow_private_networks = true",
            f"[[sources]]\nurl = {json.dumps(feed_url)}",
            f'[[channels]]\ntarget = "{target}"\nwatchlists = ["list.toml"]',
            platform,
        ]
    )


# -- Slack -----------------------------------------------------------------------------------


async def slack_app(config: Path, clock: Clock) -> App:
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    app = App(load_config(str(config), env), clock=clock)
    app.adapters["slack"].interval = 0.0  # type: ignore[attr-defined]  # pacing has its own test
    await app.start()
    return app


async def slack_alert(
    tmp_path: Path, feed_server: Any, slack: FakeSlack, watches: list[dict[str, str]]
) -> dict[str, Any]:
    """The one message a poll posts to Slack for the served item."""
    clock = Clock()
    config = setup(tmp_path, feed_server, clock, watches)
    platform = f'[slack]\nmode = "http"\nport = {free_port()}\napi_url = "{slack.base_url}"'
    config.write_text(
        config_text(f"slack:{SLACK_CHANNEL}", feed_server.url("/f.xml"), platform), "utf-8"
    )
    app = await slack_app(config, clock)
    try:
        await app.cycle(all_sources=True)
    finally:
        await app.close()
    [message] = slack.posted(SLACK_CHANNEL)
    return message


@pytest.mark.parametrize(
    ("notify", "pinged"),
    [
        ("@here", ["!here"]),
        ("@channel", ["!channel"]),
        ("<!subteam^S0TEAM>", ["!subteam^S0TEAM"]),
        ("<@U0ANNA>", ["@U0ANNA"]),
        ("<@W0ANNA>", ["@W0ANNA"]),
    ],
)
@pytest.mark.usefixtures("slack_env")
async def test_a_slack_alert_pings_exactly_the_notify_of_its_watch(
    tmp_path: Path, feed_server: Any, slack: FakeSlack, notify: str, pinged: list[str]
) -> None:
    message = await slack_alert(
        tmp_path, feed_server, slack, [{"name": "Sora", "query": SORA, "notify": notify}]
    )
    assert pings(message) == pinged
    assert message["text"].startswith(f"<{pinged[0]}>\n")  # the notification text leads with it


@pytest.mark.usefixtures("slack_env")
async def test_a_slack_alert_of_watches_without_notify_pings_nobody(
    tmp_path: Path, feed_server: Any, slack: FakeSlack
) -> None:
    message = await slack_alert(tmp_path, feed_server, slack, [{"name": "Sora", "query": SORA}])
    assert pings(message) == []
    assert "Watches: Sora" in json.dumps(message["blocks"])  # the name, not the query
    assert SORA not in json.dumps(message["blocks"])


@pytest.mark.usefixtures("slack_env")
async def test_a_hostile_title_pings_nobody_in_slack_and_only_the_watch_pings(
    tmp_path: Path, feed_server: Any, slack: FakeSlack
) -> None:
    hostile = "<!channel> <@U0BOSS> <!subteam^S0ALL> OpenAI Sora"
    watches = [{"title": hostile, "query": SORA}, {"query": "Sora", "notify": "<@U0ANNA>"}]
    message = await slack_alert(tmp_path, feed_server, slack, watches)
    assert pings(message) == ["@U0ANNA"]


@pytest.mark.usefixtures("slack_env")
async def test_two_slack_watches_with_one_notify_ping_it_once(
    tmp_path: Path, feed_server: Any, slack: FakeSlack
) -> None:
    watches = [
        {"query": SORA, "notify": "@here"},
        {"query": "Sora", "notify": "@here"},
        {"query": "OpenAI", "notify": "<!subteam^S0TEAM>"},
    ]
    message = await slack_alert(tmp_path, feed_server, slack, watches)
    assert pings(message) == ["!here", "!subteam^S0TEAM"]
    assert message["text"].count("<!here>") == 1


@pytest.mark.usefixtures("slack_env")
async def test_slack_watch_list_shows_the_name_the_query_in_code_and_the_id(
    tmp_path: Path, feed_server: Any, slack: FakeSlack
) -> None:
    clock = Clock()
    config = setup(tmp_path, feed_server, clock, [{"name": "Sora & co", "query": SORA}])
    port = free_port()
    platform = f'[slack]\nmode = "http"\nport = {port}\napi_url = "{slack.base_url}"'
    config.write_text(
        config_text(f"slack:{SLACK_CHANNEL}", feed_server.url("/f.xml"), platform), "utf-8"
    )
    app = await slack_app(config, clock)
    try:
        body = form(
            slash_command(
                "/watch", "list", response_url=slack.response_url(), channel=SLACK_CHANNEL
            )
        )
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"http://127.0.0.1:{port}/slack/events", data=body, headers=sign(body)
            ) as response,
        ):
            assert response.status == 200
        reply = await _first_reply(slack)
    finally:
        await app.close()
    assert "Sora &amp; co `Sora OpenAI` #1 [file]" in reply["text"]


async def _first_reply(slack: FakeSlack, timeout: float = 5.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while not slack.calls_to("response_url"):
        assert time.monotonic() < deadline, "no reply"
        await asyncio.sleep(0.02)
    return slack.calls_to("response_url")[0].payload


# -- Discord ---------------------------------------------------------------------------------


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server


@pytest.fixture(autouse=True)
def discord_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_BOT_TOKEN", DISCORD_TOKEN)


async def discord_app(config: Path, clock: Clock) -> App:
    app = App(load_config(str(config), {"DISCORD_BOT_TOKEN": DISCORD_TOKEN}), clock=clock)
    adapter = app.adapters["discord"]
    assert isinstance(adapter, DiscordAdapter)
    adapter.guild_ready_timeout = 0.05
    adapter.gateway_retry = 0.05
    await app.start()
    return app


async def discord_alert(
    tmp_path: Path, feed_server: Any, fake: FakeDiscord, watches: list[dict[str, str]]
) -> dict[str, Any]:
    """The one message a poll posts to Discord for the served item."""
    clock = Clock()
    config = setup(tmp_path, feed_server, clock, watches)
    platform = f"[discord]\napi_url = {json.dumps(fake.api_url)}"
    config.write_text(config_text(DISCORD_TARGET, feed_server.url("/f.xml"), platform), "utf-8")
    app = await discord_app(config, clock)
    try:
        await app.cycle(all_sources=True)
    finally:
        await app.close()
    [message] = fake.posted()
    return message


@pytest.mark.parametrize(
    ("notify", "allowed", "everyone", "users", "roles"),
    [
        ("@here", {"parse": ["everyone"]}, True, [], []),
        (f"<@&{ROLE}>", {"parse": [], "roles": [int(ROLE)]}, False, [], [ROLE]),
        (f"<@{USER}>", {"parse": [], "users": [int(USER)]}, False, [USER], []),
    ],
)
async def test_a_discord_alert_allows_exactly_the_mention_of_its_watch(
    tmp_path: Path,
    feed_server: Any,
    fake: FakeDiscord,
    notify: str,
    allowed: dict[str, Any],
    everyone: bool,
    users: list[str],
    roles: list[str],
) -> None:
    message = await discord_alert(
        tmp_path, feed_server, fake, [{"name": "Sora", "query": SORA, "notify": notify}]
    )
    assert message["content"] == notify
    assert message["_sent"]["allowed_mentions"] == allowed
    assert message["mention_everyone"] is everyone
    assert [user["id"] for user in message["mentions"]] == users
    assert message["mention_roles"] == roles


async def test_a_discord_alert_without_notify_allows_no_mention_and_names_its_watch(
    tmp_path: Path, feed_server: Any, fake: FakeDiscord
) -> None:
    hostile = f"@everyone @here <@&{ROLE}> <@{USER}> OpenAI Sora"
    watches = [{"title": hostile, "name": "Sora", "query": SORA}]
    message = await discord_alert(tmp_path, feed_server, fake, watches)
    assert message["_sent"]["allowed_mentions"] == {"parse": []}
    assert "content" not in message["_sent"]
    assert (message["mention_everyone"], message["mentions"], message["mention_roles"]) == (
        False,
        [],
        [],
    )
    [field] = [f for f in message["embeds"][0]["fields"] if f["name"] == "Watches"]
    assert field["value"] == "Sora"


async def test_discord_watches_that_match_together_ping_each_mention_once(
    tmp_path: Path, feed_server: Any, fake: FakeDiscord
) -> None:
    watches = [
        {"query": SORA, "notify": f"<@&{ROLE}>"},
        {"query": "Sora", "notify": f"<@&{ROLE}>"},
        {"query": "OpenAI", "notify": "@here"},
    ]
    message = await discord_alert(tmp_path, feed_server, fake, watches)
    assert message["content"] == f"<@&{ROLE}> @here"
    assert message["_sent"]["allowed_mentions"] == {"parse": ["everyone"], "roles": [int(ROLE)]}
    assert message["mention_roles"] == [ROLE] and message["mention_everyone"] is True


async def test_discord_watch_list_shows_the_name_the_query_in_code_and_the_id(
    tmp_path: Path, feed_server: Any, fake: FakeDiscord
) -> None:
    clock = Clock()
    config = setup(
        tmp_path, feed_server, clock, [{"name": "Sora", "query": SORA, "notify": "@here"}]
    )
    platform = f"[discord]\napi_url = {json.dumps(fake.api_url)}"
    config.write_text(config_text(DISCORD_TARGET, feed_server.url("/f.xml"), platform), "utf-8")
    app = await discord_app(config, clock)
    try:
        callback = await fake.callback(await fake.slash("watch", [sub("list")]))
    finally:
        await app.close()
    content = callback["data"]["content"]
    assert "Sora `Sora OpenAI` #1 [file] pings @\u200bhere" in content  # shown, never a ping
    assert callback["data"]["allowed_mentions"] == {"parse": []}


async def test_a_discord_digest_heads_each_section_with_the_watch_name(
    tmp_path: Path, feed_server: Any, fake: FakeDiscord
) -> None:
    clock = Clock()
    config = setup(tmp_path, feed_server, clock, [{"name": "Sora video", "query": SORA}])
    platform = f"[discord]\napi_url = {json.dumps(fake.api_url)}"
    config.write_text(config_text(DISCORD_TARGET, feed_server.url("/f.xml"), platform), "utf-8")
    app = await discord_app(config, clock)
    try:
        await app.cycle(all_sources=True)
        clock.advance(60)
        callback = await fake.callback(await fake.slash("digest", [option("window", "24h")]))
    finally:
        await app.close()
    [embed] = callback["data"]["embeds"]
    assert embed["title"] == "Sora video"
    assert "OpenAI opens Sora to filmmakers" in embed["description"]


@pytest.mark.usefixtures("slack_env")
async def test_a_slack_digest_heads_each_section_with_the_watch_name(
    tmp_path: Path, feed_server: Any, slack: FakeSlack
) -> None:
    await slack_alert(tmp_path, feed_server, slack, [{"name": "Sora video", "query": SORA}])
    app = await slack_app(tmp_path / "newswatch.toml", Clock(Clock().now + 60))
    try:
        reply = app.command(
            Command("digest", "24h", f"slack:{SLACK_CHANNEL}", user="U1", can_manage=True)
        )
        assert reply.digest is not None
        await app.adapters["slack"].send(f"slack:{SLACK_CHANNEL}", reply.digest)
    finally:
        await app.close()
    digest = slack.posted(SLACK_CHANNEL)[-1]
    headers = [b["text"]["text"] for b in digest["blocks"] if b["type"] == "header"]
    assert headers[1:] == ["Sora video"]  # after the digest's own header
    assert pings(digest) == []
