"""The Discord adapter end to end: the real discord.py client against a fake Discord.

Outbound: alerts reach POST /channels/{id}/messages with no mentions and an enforced nonce,
hostile feed text is inert in the exact JSON Discord receives, and every failure becomes
the outbox scope the SPEC asks for. Inbound: slash commands arrive as INTERACTION_CREATE
over the gateway and are answered through the interaction callback within 3 s.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord.http
import pytest

from adapters.discord import DiscordAdapter
from adapters.discord_render import ZWSP, alert_nonce
from bot.backoff import MAX_RETRY_AFTER
from bot.chat.commands import handle
from bot.config import Config, ConfigError, DiscordConfig, load_config
from bot.deliver.adapter import DeliveryError
from bot.deliver.model import Alert
from bot.store.db import open_db
from bot.store.watches import add_watch, channel_id, list_watches
from tests.fakes.discord import (
    BOT_TOKEN,
    CHANNEL_ID,
    GUILD_ID,
    POSTING,
    FakeDiscord,
    sub,
)

TARGET = f"discord:{CHANNEL_ID}"
LIVE_MASKED_LINK = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(")
HOSTILE = (
    "@everyone @here <@123> <@!123> <@&456> [Variety](https://evil.example) "
    "```fence **bold** \u202egnp.exe"
)


def alert(title: str = "Sora opens to filmmakers", summary: str = "Studios get access.") -> Alert:
    return Alert(
        channel=TARGET,
        story_id=7,
        title=title,
        url="https://variety.com/2027/sora-opens/",
        source="Variety",
        published=datetime(2027, 1, 15, 9, 30, tzinfo=UTC),
        summary=summary,
        watches=("Sora",),
    )


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_BOT_TOKEN", BOT_TOKEN)


def make_config(tmp_path: Path, fake: FakeDiscord, gateway_url: str = "") -> Config:
    return Config(
        path=None,
        database=tmp_path / "nw.db",
        discord=DiscordConfig(api_url=fake.api_url, gateway_url=gateway_url),
    )


def make_adapter(config: Config) -> DiscordAdapter:
    instance = DiscordAdapter(config)
    instance.guild_ready_timeout = 0.05  # discord.py's 2 s wait after GUILD_CREATE
    return instance


@pytest.fixture
async def adapter(tmp_path: Path, fake: FakeDiscord, env: None) -> AsyncIterator[DiscordAdapter]:
    """A started adapter whose commands run against a real SQLite store."""
    config = make_config(tmp_path, fake)
    db = open_db(config.database)
    instance = make_adapter(config)
    instance.on_command = lambda command: handle(db, command, time.time())
    await instance.start()
    try:
        yield instance
    finally:
        await instance.close()
        db.conn.close()


def sent(fake: FakeDiscord) -> list[dict[str, Any]]:
    return [call.json for call in fake.calls_to("create_message")]


# -- start-up -------------------------------------------------------------------------------


async def test_start_returns_once_ready_with_only_the_guilds_intent(
    adapter: DiscordAdapter, fake: FakeDiscord
) -> None:
    assert adapter.client is not None and adapter.client.is_ready()
    assert [g.id for g in adapter.client.guilds] == [int(GUILD_ID)]
    assert fake.identify[-1]["intents"] == discord.Intents(guilds=True).value == 1


async def test_the_gateway_comes_from_api_url_gateway_bot(
    adapter: DiscordAdapter, fake: FakeDiscord
) -> None:
    assert len(fake.calls_to("gateway_bot")) == 1
    assert fake.identify  # IDENTIFY reached the fake, not wss://gateway.discord.gg


async def test_gateway_url_setting_is_dialled_without_asking_gateway_bot(
    tmp_path: Path, fake: FakeDiscord, env: None
) -> None:
    instance = make_adapter(make_config(tmp_path, fake, gateway_url=fake.gateway_url))
    await instance.start()
    await instance.close()
    assert fake.calls_to("gateway_bot") == [] and len(fake.identify) == 1


async def test_api_url_leaves_discord_py_global_route_base_alone(adapter: DiscordAdapter) -> None:
    assert discord.http.Route.BASE == "https://discord.com/api/v10"


async def test_start_never_syncs_commands(adapter: DiscordAdapter, fake: FakeDiscord) -> None:
    assert fake.calls_to("commands") == [] and fake.calls_to("guild_commands") == []


async def test_a_bad_token_fails_start_with_one_line_that_omits_the_token(
    tmp_path: Path, fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    wrong = "MTIzNDU2Nzg5MDEyMzQ1Njc4.Wrong1.this-token-is-not-the-right-one-xyz"
    monkeypatch.setenv("DISCORD_BOT_TOKEN", wrong)
    instance = make_adapter(make_config(tmp_path, fake))
    with caplog.at_level(logging.DEBUG), pytest.raises(RuntimeError) as raised:
        await instance.start()
    message = str(raised.value)
    assert "\n" not in message and "401" in message and "DISCORD_BOT_TOKEN" in message
    assert wrong not in message and wrong not in caplog.text and wrong not in repr(instance)


async def test_a_gateway_close_no_retry_can_mend_fails_start_with_its_code(
    tmp_path: Path, fake: FakeDiscord, env: None
) -> None:
    fake.fail_gateway(how="close", code=4004)  # Authentication failed: the token was reset
    instance = make_adapter(make_config(tmp_path, fake))
    with pytest.raises(RuntimeError, match="code 4004"):
        await instance.start()
    assert len(fake.gateway_dials) == 1 and instance.client is None


def test_repr_never_shows_the_token(tmp_path: Path, env: None) -> None:
    instance = DiscordAdapter(Config(path=None, database=tmp_path / "nw.db"))
    assert BOT_TOKEN not in repr(instance) and BOT_TOKEN not in str(vars(instance).keys())


# -- outbound -------------------------------------------------------------------------------


async def test_an_alert_is_one_embed_with_no_mentions_and_an_enforced_nonce(
    adapter: DiscordAdapter, fake: FakeDiscord
) -> None:
    await adapter.send(TARGET, alert())
    [payload] = sent(fake)
    assert payload["allowed_mentions"] == {"parse": []}
    assert payload["nonce"] == alert_nonce(alert(), TARGET) and payload["enforce_nonce"] is True
    assert payload["embeds"][0]["url"] == "https://variety.com/2027/sora-opens/"
    assert len(fake.posted()) == 1


async def test_hostile_feed_text_is_inert_in_the_json_discord_received(
    adapter: DiscordAdapter, fake: FakeDiscord
) -> None:
    await adapter.send(TARGET, alert(title=HOSTILE, summary=HOSTILE))
    [payload] = sent(fake)
    text = json.dumps(payload, ensure_ascii=False)
    for live in ("@everyone", "@here", "<@123>", "<@!123>", "<@&456>", "\u202e"):
        assert live not in text, live
    embed = payload["embeds"][0]
    for field in (embed["title"], embed["description"]):
        assert not LIVE_MASKED_LINK.search(field)  # `\[x\](url)` is literal text
    assert f"@{ZWSP}everyone" in embed["title"] and "\\[Variety\\]" in embed["description"]
    assert "\\`\\`\\`" in embed["description"]  # a fence cannot swallow what follows
    assert payload["allowed_mentions"] == {"parse": []}
    assert fake.posted()[0]["mention_everyone"] is False


async def test_a_short_429_is_waited_out_by_discord_py_and_posts_once(
    adapter: DiscordAdapter, fake: FakeDiscord
) -> None:
    fake.fail("create_message", status=429, retry_after=0.2)
    started = time.monotonic()
    await adapter.send(TARGET, alert())
    assert time.monotonic() - started >= 0.2
    assert len(sent(fake)) == 2 and len(fake.posted()) == 1


async def test_a_long_429_goes_back_to_the_outbox_with_retry_after(
    adapter: DiscordAdapter, fake: FakeDiscord
) -> None:
    fake.fail("create_message", status=429, retry_after=120.0)
    with pytest.raises(DeliveryError) as raised:
        await adapter.send(TARGET, alert())
    assert raised.value.scope == "transient" and raised.value.retry_after == 120.0
    assert fake.posted() == []


async def test_a_503_is_transient(adapter: DiscordAdapter, fake: FakeDiscord) -> None:
    fake.fail("create_message", status=503)
    with pytest.raises(DeliveryError) as raised:
        await adapter.send(TARGET, alert())
    assert raised.value.scope == "transient"


@pytest.mark.parametrize(("status", "code"), [(403, 50001), (403, 50013), (404, 10003)])
async def test_missing_access_or_unknown_channel_stops_the_destination(
    adapter: DiscordAdapter, fake: FakeDiscord, status: int, code: int
) -> None:
    fake.refuse(CHANNEL_ID, status=status, code=code)
    with pytest.raises(DeliveryError) as raised:
        await adapter.send(TARGET, alert())
    assert raised.value.scope == "destination" and str(code) in raised.value.reason
    assert len(sent(fake)) == 1  # no retry loop (Cloudflare bans after 10,000 invalid requests)


async def test_invalid_form_body_is_a_message_error(
    adapter: DiscordAdapter, fake: FakeDiscord
) -> None:
    fake.fail("create_message", status=400, code=50035)
    with pytest.raises(DeliveryError) as raised:
        await adapter.send(TARGET, alert())
    assert raised.value.scope == "message"


async def test_a_timeout_after_discord_posted_is_retried_with_the_same_nonce_once(
    adapter: DiscordAdapter, fake: FakeDiscord
) -> None:
    adapter.send_timeout = 0.3
    fake.fail("create_message", status=200, accept=True, delay=0.6)
    with pytest.raises(DeliveryError) as raised:
        await adapter.send(TARGET, alert())
    assert raised.value.scope == "transient"
    for _ in range(40):  # Discord finishes creating the message after we gave up
        if fake.posted():
            break
        await asyncio.sleep(0.05)
    assert len(fake.posted()) == 1
    adapter.send_timeout = 5.0
    await adapter.send(TARGET, alert())  # the outbox's retry
    first, second = sent(fake)
    assert first["nonce"] == second["nonce"]
    assert len(fake.posted()) == 1


async def test_a_503_after_discord_posted_then_a_retry_posts_once(
    adapter: DiscordAdapter, fake: FakeDiscord
) -> None:
    fake.fail("create_message", status=503, accept=True)
    with pytest.raises(DeliveryError):
        await adapter.send(TARGET, alert())
    await adapter.send(TARGET, alert())
    assert len(sent(fake)) == 2 and len(fake.posted()) == 1


async def test_a_send_before_start_is_transient(tmp_path: Path, env: None) -> None:
    instance = DiscordAdapter(Config(path=None, database=tmp_path / "nw.db"))
    with pytest.raises(DeliveryError) as raised:
        await instance.send(TARGET, alert())
    assert raised.value.scope == "transient"


# -- inbound --------------------------------------------------------------------------------


async def test_watch_add_is_answered_ephemerally_within_3s_and_stored(
    adapter: DiscordAdapter, fake: FakeDiscord, tmp_path: Path
) -> None:
    started = time.monotonic()
    interaction = await fake.slash("watch", [sub("add", query="Sora")])
    callback = await fake.callback(interaction, timeout=3.0)
    assert callback["at"] - started < 3.0
    assert callback["type"] == 4 and callback["data"]["flags"] == 64
    assert callback["data"]["content"].startswith("Watching #1: sora")
    assert callback["data"]["allowed_mentions"] == {"parse": []}
    db = open_db(tmp_path / "nw.db")
    assert [w.query for w in list_watches(db, channel_id(db, TARGET))] == ["Sora"]
    db.conn.close()


async def test_a_non_manager_cannot_add_a_watch(
    adapter: DiscordAdapter, fake: FakeDiscord, tmp_path: Path
) -> None:
    interaction = await fake.slash("watch", [sub("add", query="Sora")], permissions=POSTING)
    callback = await fake.callback(interaction)
    assert "Only channel managers" in callback["data"]["content"]
    db = open_db(tmp_path / "nw.db")
    assert list_watches(db, channel_id(db, TARGET)) == []
    db.conn.close()


async def test_a_non_manager_can_list_watches(adapter: DiscordAdapter, fake: FakeDiscord) -> None:
    interaction = await fake.slash("watch", [sub("list")], permissions=POSTING)
    callback = await fake.callback(interaction)
    assert "no watches" in callback["data"]["content"]


async def test_digest_is_answered_publicly(adapter: DiscordAdapter, fake: FakeDiscord) -> None:
    interaction = await fake.slash("digest", [{"name": "window", "type": 3, "value": "24h"}])
    callback = await fake.callback(interaction)
    assert callback["type"] == 4 and not int(callback["data"].get("flags") or 0) & 64
    assert "Digest" in callback["data"]["content"]
    assert callback["data"]["allowed_mentions"] == {"parse": []}


# -- doctor and the command line -------------------------------------------------------------


async def test_doctor_names_the_servers_and_channels_the_bot_can_post_in(
    tmp_path: Path, fake: FakeDiscord, env: None
) -> None:
    config = write_config(tmp_path, fake, channels=[CHANNEL_ID, "3999999999999999999"])
    lines = await make_adapter(load_config(str(config))).doctor()
    text = "\n".join(lines)
    assert f"server Newsroom ({GUILD_ID}): can post" in text
    assert f"channel {TARGET} (#news in server {GUILD_ID}): can post" in text
    assert "discord:3999999999999999999: cannot see it (HTTP 404 Unknown Channel) - FAILED" in text


def write_config(tmp_path: Path, fake: FakeDiscord, channels: list[str] = [CHANNEL_ID]) -> Path:  # noqa: B006
    (tmp_path / "list.toml").write_text('name = "t"\n[[watch]]\nquery = "Sora"\n')
    text = ['database = "nw.db"', "allow_private_networks = true"]
    text += [f'[[channels]]\ntarget = "discord:{c}"\nwatchlists = ["list.toml"]' for c in channels]
    text.append(f'[discord]\napi_url = "{fake.api_url}"')
    path = tmp_path / "newswatch.toml"
    path.write_text("\n".join(text) + "\n")
    return path


def test_a_discord_channel_without_the_token_stops_start_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISCORD_BOT_TOKEN", raising=False)
    (tmp_path / "newswatch.toml").write_text('[[channels]]\ntarget = "discord:1"\n')
    with pytest.raises(ConfigError, match="DISCORD_BOT_TOKEN"):
        load_config(str(tmp_path / "newswatch.toml"))


async def test_a_long_reply_continues_in_ephemeral_follow_ups(
    adapter: DiscordAdapter, fake: FakeDiscord, tmp_path: Path
) -> None:
    db = open_db(tmp_path / "nw.db")
    cid = channel_id(db, TARGET)
    for n in range(80):
        add_watch(db, cid, f"studio{n} strike negotiations contract", time.time())
    db.conn.close()
    interaction = await fake.slash("watch", [sub("list")])
    first = await fake.callback(interaction)
    followups = await fake.wait_followups(1)
    for _ in range(50):  # the rest follow one by one
        if any("studio79 " in f["content"] for f in followups):
            break
        await asyncio.sleep(0.05)
        followups = list(fake.followups)
    assert first["data"]["flags"] == 64 and all(f["flags"] == 64 for f in followups)
    shown = first["data"]["content"] + "".join(f["content"] for f in followups)
    assert "studio0 " in shown and "studio79 " in shown
    assert all(len(f["content"]) <= 2000 for f in followups)


async def test_a_watch_added_in_discord_counts_for_its_user_in_the_server(
    adapter: DiscordAdapter, fake: FakeDiscord, tmp_path: Path
) -> None:
    interaction = await fake.slash("watch", [sub("add", query="Sora")], user_id="77")
    await fake.callback(interaction, timeout=3.0)
    db = open_db(tmp_path / "nw.db")
    row = db.execute("SELECT added_by, scope FROM watches").fetchone()
    db.conn.close()
    assert row == ("77", f"discord:{GUILD_ID}")


@pytest.mark.parametrize("wait", [1e308, 10.0**30])
async def test_an_absurd_retry_after_is_capped_and_said_as_the_capped_wait(
    adapter: DiscordAdapter, fake: FakeDiscord, wait: float
) -> None:
    """A 300-digit wait is neither stored nor logged: the outbox gets the capped one."""
    fake.fail("create_message", status=429, retry_after=wait)
    with pytest.raises(DeliveryError) as raised:
        await adapter.send(TARGET, alert())
    assert raised.value.retry_after == MAX_RETRY_AFTER
    assert raised.value.reason == f"discord: rate limited for {MAX_RETRY_AFTER:.0f}s"
