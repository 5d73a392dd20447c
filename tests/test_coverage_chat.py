"""Coverage updates in chat (SPEC Alerts), through the real slack-sdk and discord.py
clients against the fakes: the alert is edited in place (Slack chat.update by its channel
and ts, Discord PATCH by its message id) to show the outlet count and names; with
`thread`, a reply in its thread lists the new outlets; an outage delays an update and never
repeats it once confirmed; a deleted alert drops its update and blocks nothing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from bot.app import App
from bot.config import load_config
from tests.coverage_helpers import HEADLINES, OTHER, rows, serve, updates_table, write_config
from tests.fakes import discord as fake_discord
from tests.fakes import slack as fake_slack
from tests.pipeline_helpers import Clock

VERGE = HEADLINES["The Verge"]


class Chat:
    """One platform's fake, as these tests read it."""

    name: ClassVar[str]
    target: ClassVar[str]

    def config(self) -> str:
        raise NotImplementedError

    def alerts(self) -> list[dict[str, Any]]:
        """Top-level messages in the channel, in order."""
        raise NotImplementedError

    def shown(self, message: dict[str, Any]) -> str:
        """Everything a message shows, as one string."""
        raise NotImplementedError

    def edits(self) -> int:
        """Edit calls made (answered or not)."""
        raise NotImplementedError

    def replies(self, alert: dict[str, Any]) -> list[dict[str, Any]]:
        raise NotImplementedError

    def ref(self, alert: dict[str, Any]) -> str:
        """The reference newswatch keeps for this alert."""
        raise NotImplementedError

    def fail_edit(self, status: int) -> None:
        raise NotImplementedError

    def delete(self, alert: dict[str, Any]) -> None:
        raise NotImplementedError


class SlackChat(Chat):
    name = "slack"
    target = "slack:C0NEWS"

    def __init__(self, fake: fake_slack.FakeSlack) -> None:
        self.fake = fake

    def config(self) -> str:
        return f'[slack]\nmode = "http"\napi_url = {json.dumps(self.fake.base_url)}\n'

    def alerts(self) -> list[dict[str, Any]]:
        return self.fake.posted("C0NEWS")

    def shown(self, message: dict[str, Any]) -> str:
        return json.dumps([message["text"], message.get("blocks")], ensure_ascii=False)

    def edits(self) -> int:
        return len(self.fake.calls_to("chat.update"))

    def replies(self, alert: dict[str, Any]) -> list[dict[str, Any]]:
        return self.fake.thread("C0NEWS", alert["ts"])

    def ref(self, alert: dict[str, Any]) -> str:
        return f"C0NEWS/{alert['ts']}"

    def fail_edit(self, status: int) -> None:
        self.fake.fail("chat.update", status=status)

    def delete(self, alert: dict[str, Any]) -> None:
        self.fake.delete("C0NEWS", alert["ts"])


class DiscordChat(Chat):
    name = "discord"
    target = f"discord:{fake_discord.CHANNEL_ID}"

    def __init__(self, fake: fake_discord.FakeDiscord) -> None:
        self.fake = fake

    def config(self) -> str:
        return f"[discord]\napi_url = {json.dumps(self.fake.api_url)}\n"

    def alerts(self) -> list[dict[str, Any]]:
        return [m for m in self.fake.posted() if m["type"] == 0]

    def shown(self, message: dict[str, Any]) -> str:
        """Without the bold of matched terms (bot.deliver.highlight)."""
        shown = json.dumps([message["content"], message["embeds"]], ensure_ascii=False)
        return shown.replace("**", "")

    def edits(self) -> int:
        return len(self.fake.calls_to("edit_message"))

    def replies(self, alert: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            m
            for m in self.fake.posted()
            if m.get("message_reference", {}).get("message_id") == alert["id"]
        ]

    def ref(self, alert: dict[str, Any]) -> str:
        return str(alert["id"])

    def fail_edit(self, status: int) -> None:
        self.fake.fail("edit_message", status=status)

    def delete(self, alert: dict[str, Any]) -> None:
        self.fake.delete(alert["id"])


@pytest.fixture(params=["slack", "discord"])
async def chat(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Chat]:
    if request.param == "slack":
        monkeypatch.setenv("SLACK_BOT_TOKEN", fake_slack.BOT_TOKEN)
        monkeypatch.setenv("SLACK_SIGNING_SECRET", fake_slack.SIGNING_SECRET)
        async with fake_slack.FakeSlack() as slack:
            yield SlackChat(slack)
    else:
        monkeypatch.setenv("DISCORD_BOT_TOKEN", fake_discord.BOT_TOKEN)
        async with fake_discord.FakeDiscord() as discord:
            yield DiscordChat(discord)


async def started(
    tmp_path: Path, feed_server: Any, chat: Chat, clock: Clock, mode: str, *, database: str
) -> App:
    """The app polling every outlet's feed into the chat channel, Variety alone so far, on
    SQLite or PostgreSQL."""
    feeds = serve(feed_server, ["Variety"], clock.now)
    extra = updates_table(mode) + chat.config()
    config = write_config(tmp_path, feeds, chat.target, extra, database)
    app = App(load_config(str(config)), clock=clock)
    adapter: Any = app.adapters[chat.name]
    if chat.name == "slack":
        adapter.interval = 0.0  # Slack's one message a second per channel, not under test
    else:
        adapter.guild_ready_timeout = 0.05
    await app.start(listen=chat.name == "discord")  # discord.py sends once logged in
    return app


def stored_ref(app: App) -> str | None:
    row = app.db.execute("SELECT remote_ref FROM deliveries WHERE kind = 'alert'").fetchone()
    return None if row is None else row[0]


async def test_the_alert_is_edited_to_show_each_new_outlet(
    tmp_path: Path, feed_server: Any, chat: Chat, database: str
) -> None:
    clock = Clock()
    app = await started(tmp_path, feed_server, chat, clock, "edit", database=database)
    try:
        await app.cycle(all_sources=True)
        [alert] = chat.alerts()
        before = chat.shown(alert)
        ref = stored_ref(app)
        serve(feed_server, ["Variety", "The Verge"], clock.now)
        clock.advance(60)
        await app.cycle(all_sources=True)
    finally:
        await app.close()
    assert "1 outlet: Variety" in before
    assert ref == chat.ref(alert)  # kept from the post's answer
    [edited] = chat.alerts()  # the same message, no second alert
    assert "2 outlets: Variety, The Verge" in chat.shown(edited)
    assert HEADLINES["Variety"] in chat.shown(edited)  # still the best copy's own data
    assert chat.edits() == 1
    assert chat.replies(edited) == []  # "edit" alone: no thread reply


async def test_thread_mode_also_replies_to_the_alert_with_the_new_outlets(
    tmp_path: Path, feed_server: Any, chat: Chat, database: str
) -> None:
    clock = Clock()
    app = await started(tmp_path, feed_server, chat, clock, "thread", database=database)
    try:
        await app.cycle(all_sources=True)
        serve(feed_server, ["Variety", "The Verge"], clock.now)
        await app.cycle(all_sources=True)
    finally:
        await app.close()
    [alert] = chat.alerts()
    assert "2 outlets" in chat.shown(alert)
    [reply] = chat.replies(alert)
    shown = chat.shown(reply)
    assert "Now 2 outlets. New:" in shown
    assert VERGE in shown and "The Verge" in shown
    assert "utm_source=the-verge" in shown  # its own link
    assert HEADLINES["Variety"] not in shown


async def test_updates_off_never_edits_nor_replies(
    tmp_path: Path, feed_server: Any, chat: Chat, database: str
) -> None:
    clock = Clock()
    app = await started(tmp_path, feed_server, chat, clock, "off", database=database)
    try:
        await app.cycle(all_sources=True)
        serve(feed_server, ["Variety", "The Verge"], clock.now)
        await app.cycle(all_sources=True)
    finally:
        await app.close()
    [alert] = chat.alerts()
    assert "1 outlet: Variety" in chat.shown(alert)
    assert (chat.edits(), chat.replies(alert)) == (0, [])


async def test_an_update_that_met_an_outage_is_retried_and_not_repeated_once_confirmed(
    tmp_path: Path, feed_server: Any, chat: Chat, database: str
) -> None:
    clock = Clock()
    app = await started(tmp_path, feed_server, chat, clock, "thread", database=database)
    try:
        await app.cycle(all_sources=True)
        chat.fail_edit(503)
        serve(feed_server, ["Variety", "The Verge"], clock.now)
        first = await app.cycle(all_sources=True)
        waiting = rows(app)
        clock.advance(60)  # past the first retry's backoff
        second = await app.deliver()
        clock.advance(3600)
        third = await app.deliver()
        done = rows(app)
    finally:
        await app.close()
    assert (first.delivery.retrying, waiting) == (1, [("pending", 0)])
    assert (second.sent, third.sent, done) == (1, 0, [("sent", 0)])
    [alert] = chat.alerts()
    assert "2 outlets" in chat.shown(alert)
    assert chat.edits() == 2  # the failed one and the one that went through
    assert len(chat.replies(alert)) == 1


async def test_a_deleted_alert_drops_its_update_and_holds_up_nothing(
    tmp_path: Path, feed_server: Any, chat: Chat, caplog: pytest.LogCaptureFixture, database: str
) -> None:
    clock = Clock()
    app = await started(tmp_path, feed_server, chat, clock, "thread", database=database)
    try:
        await app.cycle(all_sources=True)
        [alert] = chat.alerts()
        chat.delete(alert)
        serve(feed_server, ["Variety", "The Verge"], clock.now, other="The Verge")
        report = await app.cycle(all_sources=True)
        at_once = [OTHER in chat.shown(m) for m in chat.alerts()]
        clock.advance(2 * 3600)
        serve(
            feed_server, ["Variety", "The Verge", "Deadline"], clock.now - 7200, other="The Verge"
        )
        await app.cycle(all_sources=True)
        updates = rows(app)
    finally:
        await app.close()
    assert report.delivery.dead == 1
    assert at_once == [True]  # the story after the update went out in the same drain
    assert updates == [("dead", 0)]  # dropped, and no later one for a message that is gone
    assert chat.edits() == 1
    assert [OTHER in chat.shown(m) for m in chat.alerts()] == [True]  # the channel goes on
    assert "update dropped: its alert message is gone" in caplog.text


async def test_an_alert_not_yet_confirmed_counts_the_new_outlets_itself(
    tmp_path: Path, feed_server: Any, chat: Chat, database: str
) -> None:
    clock = Clock()
    app = await started(tmp_path, feed_server, chat, clock, "edit", database=database)
    fake: Any = chat.fake  # type: ignore[attr-defined]
    fake.fail("chat.postMessage" if chat.name == "slack" else "create_message", status=503)
    try:
        first = await app.cycle(all_sources=True)
        serve(feed_server, ["Variety", "The Verge", "Deadline"], clock.now)
        await app.cycle(all_sources=True)
        clock.advance(60)
        await app.deliver()
        updates = rows(app)
    finally:
        await app.close()
    assert first.delivery.retrying == 1
    [alert] = chat.alerts()
    assert "3 outlets: Variety, " in chat.shown(alert)
    assert (updates, chat.edits()) == ([], 0)
