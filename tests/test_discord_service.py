"""Discord through the service and the command line, against the fake Discord.

The whole pipeline (config file, loopback feed, SQLite outbox, the real DiscordAdapter)
posts a story once and not again after a restart; `newswatch discord invite` and
`newswatch discord sync` do what docs/discord.md says.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from adapters.discord import DiscordAdapter
from bot.app import App
from bot.cli import main
from bot.config import load_config
from tests.discord_markdown import links, live_marks, shown
from tests.fakes.discord import (
    APP_ID,
    BOT_TOKEN,
    CHANNEL_ID,
    GUILD_ID,
    FakeDiscord,
    option,
    sub,
)
from tests.feeds import Entry, rss
from tests.pipeline_helpers import HOUR, Clock

TARGET = f"discord:{CHANNEL_ID}"
INVITE = (
    f"https://discord.com/oauth2/authorize?client_id={APP_ID}"
    "&scope=bot+applications.commands&permissions=84992"
)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_BOT_TOKEN", BOT_TOKEN)


def write_config(tmp_path: Path, fake: FakeDiscord, feeds: list[str] = []) -> Path:  # noqa: B006
    (tmp_path / "list.toml").write_text('name = "t"\n[[watch]]\nquery = "Sora"\n')
    text = ['database = "nw.db"', "allow_private_networks = true"]
    text += [f"[[sources]]\nurl = {json.dumps(url)}" for url in feeds]
    text.append(f'[[channels]]\ntarget = "{TARGET}"\nwatchlists = ["list.toml"]')
    text.append(f"[discord]\napi_url = {json.dumps(fake.api_url)}")
    path = tmp_path / "newswatch.toml"
    path.write_text("\n".join(text) + "\n")
    return path


async def started_app(config: Path, clock: Clock) -> App:
    app = App(load_config(str(config), {"DISCORD_BOT_TOKEN": BOT_TOKEN}), clock=clock)
    adapter = app.adapters["discord"]
    assert isinstance(adapter, DiscordAdapter)
    adapter.guild_ready_timeout = 0.05
    adapter.gateway_retry = 0.05  # the first pause between gateway attempts (doubling)
    await app.start()
    return app


async def test_a_story_alerts_once_on_discord_and_not_again_after_a_restart(
    tmp_path: Path, fake: FakeDiscord, feed_server: Any, env: None
) -> None:
    clock = Clock()
    entry = Entry("Sora opens to filmmakers", "https://a.example/1", published=clock.now - HOUR)
    feed_server.add("/f.xml", body=rss([entry]), content_type="application/rss+xml")
    config = write_config(tmp_path, fake, feeds=[feed_server.url("/f.xml")])
    app = await started_app(config, clock)
    try:
        report = await app.cycle(all_sources=True)
    finally:
        await app.close()
    assert report.delivery.sent == 1
    [message] = fake.posted()
    assert message["embeds"][0]["title"] == "**Sora** opens to filmmakers"  # the term matched
    assert message["_sent"]["allowed_mentions"] == {"parse": []}
    clock.advance(HOUR)
    app = await started_app(config, clock)
    try:
        await app.cycle(all_sources=True)
    finally:
        await app.close()
    assert len(fake.calls_to("create_message")) == 1 and len(fake.posted()) == 1


async def test_digest_through_the_app_posts_the_channel_stories_as_embeds(
    tmp_path: Path, fake: FakeDiscord, feed_server: Any, env: None
) -> None:
    clock = Clock()
    entry = Entry("Sora opens to filmmakers", "https://a.example/1", published=clock.now - HOUR)
    feed_server.add("/f.xml", body=rss([entry]), content_type="application/rss+xml")
    app = await started_app(write_config(tmp_path, fake, [feed_server.url("/f.xml")]), clock)
    try:
        await app.cycle(all_sources=True)
        clock.advance(60)
        interaction = await fake.slash("digest", [option("window", "24h")])
        callback = await fake.callback(interaction)
    finally:
        await app.close()
    data = callback["data"]
    assert not int(data.get("flags") or 0) & 64
    assert data["embeds"][0]["title"] == "Sora"
    assert "Sora opens to filmmakers" in data["embeds"][0]["description"]


@pytest.mark.parametrize("how", ["refuse", "close"])
async def test_a_failed_first_gateway_connection_alerts_over_rest_and_connects_later(
    tmp_path: Path, fake: FakeDiscord, feed_server: Any, env: None, how: str
) -> None:
    clock = Clock()
    entry = Entry("Sora opens to filmmakers", "https://a.example/1", published=clock.now - HOUR)
    feed_server.add("/f.xml", body=rss([entry]), content_type="application/rss+xml")
    fake.fail_gateway(times=2, how=how)
    app = await started_app(write_config(tmp_path, fake, [feed_server.url("/f.xml")]), clock)
    try:
        report = await app.cycle(all_sources=True)
        assert report.delivery.sent == 1 and len(fake.posted()) == 1  # over REST meanwhile
        # discord.py waits up to 2 s of its own before each retry of a refused dial
        interaction = await fake.slash("watch", [sub("list")], timeout=30)
        callback = await fake.callback(interaction)
    finally:
        await app.close()
    assert callback["data"]["content"].startswith("1 watch in this channel")
    assert len(fake.gateway_dials) == 3 and len(fake.identify) == 1


async def test_a_gateway_that_never_answers_is_retried_while_alerts_go_out(
    tmp_path: Path, fake: FakeDiscord, feed_server: Any, env: None
) -> None:
    clock = Clock()
    entry = Entry("Sora opens to filmmakers", "https://a.example/1", published=clock.now - HOUR)
    feed_server.add("/f.xml", body=rss([entry]), content_type="application/rss+xml")
    fake.fail_gateway(times=1000, how="close")
    app = await started_app(write_config(tmp_path, fake, [feed_server.url("/f.xml")]), clock)
    try:
        report = await app.cycle(all_sources=True)
        for _ in range(200):  # backoff: 0.05 s, 0.1 s, 0.2 s...
            if len(fake.gateway_dials) >= 4:
                break
            await asyncio.sleep(0.05)
    finally:
        await app.close()
    assert report.delivery.sent == 1 and len(fake.posted()) == 1
    assert len(fake.gateway_dials) >= 4 and fake.identify == []


HOSTILE_TITLE = (
    "Sora *bold* _it_ `code` ``` swallow https://evil.example/x [a](https://evil.example)"
)


async def test_watch_add_quotes_feed_titles_and_the_query_with_nothing_live(
    tmp_path: Path, fake: FakeDiscord, feed_server: Any, env: None
) -> None:
    clock = Clock()
    entry = Entry(HOSTILE_TITLE, "https://a.example/1", published=clock.now - HOUR)
    feed_server.add("/f.xml", body=rss([entry], title="Out_let_ *x*"), content_type="text/xml")
    app = await started_app(write_config(tmp_path, fake, [feed_server.url("/f.xml")]), clock)
    try:
        await app.cycle(all_sources=True)
        added = await fake.callback(await fake.slash("watch", [sub("add", query="Sora -_golf_")]))
        listed = await fake.callback(await fake.slash("watch", [sub("list")]))
    finally:
        await app.close()
    reply = added["data"]["content"]
    assert links(reply) == [] and live_marks(reply) == []
    assert f"• {HOSTILE_TITLE} (Out_let_ *x*)" in shown(reply)
    assert links(listed["data"]["content"]) == [] and live_marks(listed["data"]["content"]) == []
    assert "Sora -_golf_ #2 [chat]" in shown(listed["data"]["content"])


async def run_cli(*args: str) -> int:
    """`newswatch ...` in a thread (it runs its own event loop) while the fake serves here."""
    return await asyncio.to_thread(main, list(args))


async def test_invite_prints_the_oauth_url_with_exactly_the_needed_permissions(
    tmp_path: Path, fake: FakeDiscord, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await run_cli("--config", str(write_config(tmp_path, fake)), "discord", "invite")
    assert code == 0
    assert capsys.readouterr().out.strip() == INVITE


async def test_sync_to_a_guild_copies_the_global_commands_then_puts_them_there(
    tmp_path: Path, fake: FakeDiscord, env: None
) -> None:
    config = str(write_config(tmp_path, fake))
    assert await run_cli("--config", config, "discord", "sync", "--guild", GUILD_ID) == 0
    [put] = [c for c in fake.calls_to("guild_commands") if c.method == "PUT"]
    assert put.path == f"/api/v10/applications/{APP_ID}/guilds/{GUILD_ID}/commands"
    commands = {c["name"]: c for c in put.json}
    assert sorted(commands) == ["digest", "watch"]  # an empty PUT would wipe the guild
    # Manage Server (discord.py sends the bit field as a number; Discord accepts it)
    assert str(commands["watch"]["default_member_permissions"]) == "32"
    assert sorted(o["name"] for o in commands["watch"]["options"]) == [
        "add",
        "list",
        "pause",
        "remove",
        "resume",
        "why",
    ]
    assert fake.calls_to("commands") == []


async def test_sync_without_a_guild_puts_the_global_commands(
    tmp_path: Path, fake: FakeDiscord, env: None
) -> None:
    config = str(write_config(tmp_path, fake))
    assert await run_cli("--config", config, "discord", "sync") == 0
    [put] = fake.calls_to("commands")
    assert put.method == "PUT" and sorted(c["name"] for c in put.json) == ["digest", "watch"]
    assert all(c["contexts"] == [0] and c["dm_permission"] is False for c in put.json)


async def test_sync_with_a_bad_token_fails_with_one_line_without_the_token(
    tmp_path: Path,
    fake: FakeDiscord,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    wrong = "MTIzNDU2Nzg5MDEyMzQ1Njc4.Wrong1.this-token-is-not-the-right-one-xyz"
    monkeypatch.setenv("DISCORD_BOT_TOKEN", wrong)
    config = str(write_config(tmp_path, fake))
    assert await run_cli("--config", config, "discord", "sync") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "401" in err and wrong not in err


async def test_a_one_shot_poll_posts_over_rest_without_opening_the_gateway(
    tmp_path: Path, fake: FakeDiscord, feed_server: Any, env: None
) -> None:
    now = time.time()
    entry = Entry("Sora opens to filmmakers", "https://a.example/1", published=now - 60)
    feed_server.add("/f.xml", body=rss([entry]), content_type="application/rss+xml")
    config = write_config(tmp_path, fake, feeds=[feed_server.url("/f.xml")])
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(config), "poll", "--all",
        env=dict(os.environ, DISCORD_BOT_TOKEN=BOT_TOKEN),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    assert len(fake.posted()) == 1
    assert fake.identify == []  # no gateway session for a process that only sends
