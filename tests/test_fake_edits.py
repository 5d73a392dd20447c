"""The fakes edit and reply as Slack and Discord do, through the real clients (slack-sdk's
AsyncWebClient, discord.py's HTTP client), and the adapters turn each answer into the
outbox scope an update needs: a message that can never be edited again is "gone"."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord
import pytest
from discord.http import MultipartParameters
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.discord import DiscordAdapter
from adapters.slack import SlackAdapter
from bot.config import Config, DiscordConfig, SlackConfig
from bot.deliver.adapter import DeliveryError
from bot.deliver.model import Alert, NewCopy, Update
from tests.fakes.discord import BOT_TOKEN, CHANNEL_ID, FakeDiscord
from tests.fakes.slack import BOT_TOKEN as SLACK_TOKEN
from tests.fakes.slack import FakeSlack

ALERT = Alert(
    channel="x",
    story_id=7,
    title="OpenAI Courts Hollywood Studios With Sora Licensing Program",
    url="https://variety.example/sora",
    source="Variety",
    published=datetime(2027, 1, 15, 9, 30, tzinfo=UTC),
    summary="Studios get a licensing offer.",
    watches=("Sora",),
    outlets=2,
    outlet_names=("Variety", "The Verge"),
    through=2,
)
HOSTILE = "@everyone <!channel> <@U1> [x](https://evil.example) *bold* `code`"
COPY = NewCopy(HOSTILE, "https://verge.example/sora?a=1&b=2", "The Verge <!here>", None)


def update(ref: str | None, thread: bool = False, **changes: Any) -> Update:
    return Update(
        channel="x", story_id=7, alert=ALERT, ref=ref, copies=(COPY,), thread=thread, **changes
    )


# -- Slack ---------------------------------------------------------------------------------


def web(slack: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=SLACK_TOKEN, base_url=slack.base_url)


async def slack_error(call: Any) -> str:
    with pytest.raises(SlackApiError) as raised:
        await call
    return str(raised.value.response["error"])


async def test_slack_chat_update_answers_with_the_ts_channel_and_text(slack: FakeSlack) -> None:
    client = web(slack)
    posted = await client.chat_postMessage(channel="C1", text="one", blocks=[{"type": "divider"}])
    edited = await client.chat_update(channel="C1", ts=posted["ts"], text="two")
    assert (edited["ts"], edited["channel"], edited["text"]) == (posted["ts"], "C1", "two")
    [message] = slack.posted("C1")
    assert message["blocks"] == [{"type": "divider"}]  # blocks left out are kept
    await client.chat_update(channel="C1", ts=posted["ts"], text="three", blocks=[])
    assert slack.posted("C1")[0]["blocks"] is None  # an empty list drops them


@pytest.mark.parametrize(
    ("arrange", "error"),
    [
        ("deleted", "message_not_found"),
        ("unknown", "message_not_found"),
        ("another user's", "cant_update_message"),
        ("past the edit window", "edit_window_closed"),
        ("too long", "msg_too_long"),
        ("bad blocks", "invalid_blocks"),
    ],
)
async def test_slack_refuses_edits_as_slack_does(
    slack: FakeSlack, arrange: str, error: str
) -> None:
    client = web(slack)
    ts = str((await client.chat_postMessage(channel="C1", text="alert"))["ts"])
    text, blocks = "edited", None
    if arrange == "deleted":
        slack.delete("C1", ts)
    elif arrange == "unknown":
        ts = "1700000000.999999"
    elif arrange == "another user's":
        ts = slack.post_as_user("C1", "hello")
    elif arrange == "past the edit window":
        slack.edit_window = 0.0
        time.sleep(0.01)
    elif arrange == "too long":
        text = "x" * 40_001
    else:
        blocks = [{"type": "nonsense"}]
    assert (
        await slack_error(client.chat_update(channel="C1", ts=ts, text=text, blocks=blocks))
        == error
    )


async def test_slack_thread_replies_need_a_well_formed_ts_and_stay_out_of_the_channel(
    slack: FakeSlack,
) -> None:
    client = web(slack)
    ts = str((await client.chat_postMessage(channel="C1", text="alert"))["ts"])
    await client.chat_postMessage(channel="C1", text="reply", thread_ts=ts)
    assert [m["text"] for m in slack.thread("C1", ts)] == ["reply"]
    assert [m["text"] for m in slack.posted("C1")] == ["alert"]
    bad = client.chat_postMessage(channel="C1", text="reply", thread_ts="yesterday")
    assert await slack_error(bad) == "invalid_thread_ts"
    await client.chat_postMessage(channel="C1", text="lost", thread_ts="1700000000.999999")
    assert [m["text"] for m in slack.posted("C1")] == ["alert"]  # accepted, shown nowhere


def slack_adapter(slack: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> SlackAdapter:
    monkeypatch.setenv("SLACK_BOT_TOKEN", SLACK_TOKEN)
    config = Config(
        path=None, database=Path("unused.db"), slack=SlackConfig(api_url=slack.base_url)
    )
    adapter = SlackAdapter(config)
    adapter.interval = 0.0
    return adapter


@pytest.mark.parametrize("arrange", ["deleted", "another user's", "past the edit window", "no ref"])
async def test_a_slack_alert_that_cannot_be_edited_makes_its_update_gone(
    slack: FakeSlack, monkeypatch: pytest.MonkeyPatch, arrange: str
) -> None:
    adapter = slack_adapter(slack, monkeypatch)
    sent = await adapter.send("slack:C1", ALERT)
    assert sent is not None and sent.ref is not None
    ref: str | None = sent.ref
    if arrange == "deleted":
        slack.delete("C1", sent.ref.split("/")[1])
    elif arrange == "another user's":
        ref = "C1/" + slack.post_as_user("C1", "hello")
    elif arrange == "past the edit window":
        slack.edit_window = 0.0
        time.sleep(0.01)
    else:
        ref = None
    with pytest.raises(DeliveryError) as raised:
        await adapter.send("slack:C1", update(ref, thread=True))
    assert raised.value.scope == "gone"
    assert slack.thread("C1", sent.ref.split("/")[1]) == []  # no reply to what is gone


async def test_a_slack_edit_refused_for_its_blocks_goes_once_as_plain_text(
    slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter = slack_adapter(slack, monkeypatch)
    sent = await adapter.send("slack:C1", ALERT)
    assert sent is not None
    slack.fail("chat.update", error="invalid_blocks")
    await adapter.send("slack:C1", update(sent.ref))
    _, second = slack.calls_to("chat.update")
    assert second.payload["blocks"] == []  # the old blocks dropped: the text is the message
    assert "2 outlets: Variety, The Verge" in slack.posted("C1")[0]["text"]


async def test_a_slack_thread_reply_keeps_feed_text_inert(
    slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter = slack_adapter(slack, monkeypatch)
    sent = await adapter.send("slack:C1", ALERT)
    assert sent is not None and sent.ref
    await adapter.send("slack:C1", update(sent.ref, thread=True))
    [reply] = slack.thread("C1", sent.ref.split("/")[1])
    body = reply["blocks"][0]["text"]["text"]
    assert "<!channel>" not in body and "<!here>" not in body and "<@U1>" not in body
    assert "&lt;!channel&gt;" in body and "*bold*" not in body
    assert "<https://verge.example/sora?a=1&amp;b=2|" in body  # the one link: its own URL
    assert "<https://evil.example" not in body


# -- Discord -------------------------------------------------------------------------------


@pytest.fixture
async def adapter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[DiscordAdapter, FakeDiscord]]:
    monkeypatch.setenv("DISCORD_BOT_TOKEN", BOT_TOKEN)
    async with FakeDiscord() as fake:
        config = Config(
            path=None, database=tmp_path / "nw.db", discord=DiscordConfig(api_url=fake.api_url)
        )
        instance = DiscordAdapter(config)
        instance.guild_ready_timeout = 0.05
        instance.listen = False
        await instance.start()
        try:
            yield instance, fake
        finally:
            await instance.close()


def params(payload: dict[str, Any]) -> MultipartParameters:
    return MultipartParameters(payload=payload, multipart=None, files=None)


async def test_discord_edits_only_the_bots_own_messages_that_are_there(
    adapter: tuple[DiscordAdapter, FakeDiscord],
) -> None:
    instance, fake = adapter
    assert instance.client is not None
    http = instance.client.http
    created = await http.send_message(int(CHANNEL_ID), params=params({"content": "alert"}))
    edited = await http.edit_message(
        int(CHANNEL_ID), created["id"], params=params({"content": "2"})
    )
    assert (edited["id"], edited["content"]) == (created["id"], "2")
    assert edited["edited_timestamp"] is not None
    with pytest.raises(discord.HTTPException) as too_long:
        await http.edit_message(
            int(CHANNEL_ID), created["id"], params=params({"content": "x" * 2001})
        )
    assert too_long.value.code == 50035
    other = fake.post_as_user("hello")
    with pytest.raises(discord.Forbidden) as forbidden:
        await http.edit_message(int(CHANNEL_ID), int(other), params=params({"content": "2"}))
    assert forbidden.value.code == 50005
    fake.delete(created["id"])
    with pytest.raises(discord.NotFound) as gone:
        await http.edit_message(int(CHANNEL_ID), created["id"], params=params({"content": "3"}))
    assert gone.value.code == 10008


async def test_discord_replies_fail_for_a_missing_message_unless_told_not_to(
    adapter: tuple[DiscordAdapter, FakeDiscord],
) -> None:
    instance, fake = adapter
    assert instance.client is not None
    http = instance.client.http
    created = await http.send_message(int(CHANNEL_ID), params=params({"content": "alert"}))
    reply = {"content": "r", "message_reference": {"message_id": created["id"]}}
    answered = await http.send_message(int(CHANNEL_ID), params=params(reply))
    assert answered["type"] == 19 and answered["referenced_message"]["id"] == created["id"]
    fake.delete(created["id"])
    with pytest.raises(discord.HTTPException) as refused:
        await http.send_message(int(CHANNEL_ID), params=params(reply))
    assert refused.value.code == 50035 and "message_reference" in refused.value.text
    loose = {
        **reply,
        "message_reference": {"message_id": created["id"], "fail_if_not_exists": False},
    }
    plain = await http.send_message(int(CHANNEL_ID), params=params(loose))
    assert plain["type"] == 0 and "referenced_message" not in plain


@pytest.mark.parametrize("arrange", ["deleted", "another user's", "no ref"])
async def test_a_discord_alert_that_cannot_be_edited_makes_its_update_gone(
    adapter: tuple[DiscordAdapter, FakeDiscord], arrange: str
) -> None:
    instance, fake = adapter
    target = f"discord:{CHANNEL_ID}"
    sent = await instance.send(target, ALERT)
    assert sent is not None and sent.ref is not None
    ref: str | None = sent.ref
    if arrange == "deleted":
        fake.delete(sent.ref)
    elif arrange == "another user's":
        ref = fake.post_as_user("hello")
    else:
        ref = None
    with pytest.raises(DeliveryError) as raised:
        await instance.send(target, update(ref, thread=True))
    assert raised.value.scope == "gone"
    assert len(fake.calls_to("create_message")) == 1  # no reply to what is gone


async def test_a_discord_reply_to_an_alert_deleted_after_its_edit_is_gone_not_loose(
    adapter: tuple[DiscordAdapter, FakeDiscord],
) -> None:
    instance, fake = adapter
    target = f"discord:{CHANNEL_ID}"
    sent = await instance.send(target, ALERT)
    assert sent is not None and sent.ref
    instance_http: Any = instance.client.http if instance.client else None
    original = instance_http.edit_message

    async def edit_then_delete(*args: Any, **kwargs: Any) -> Any:
        edited = await original(*args, **kwargs)
        fake.delete(str(sent.ref))  # deleted between the edit and the reply
        return edited

    instance_http.edit_message = edit_then_delete
    with pytest.raises(DeliveryError) as raised:
        await instance.send(target, update(sent.ref, thread=True))
    assert raised.value.scope == "gone"
    assert len(fake.calls_to("edit_message")) == 1
    assert len(fake.posted()) == 0  # the reply did not go out as a loose message


async def test_a_discord_reply_pings_nobody_and_links_only_the_copys_own_url(
    adapter: tuple[DiscordAdapter, FakeDiscord],
) -> None:
    instance, fake = adapter
    target = f"discord:{CHANNEL_ID}"
    sent = await instance.send(target, ALERT)
    assert sent is not None and sent.ref
    await instance.send(target, update(sent.ref, thread=True))
    [edit] = fake.calls_to("edit_message")
    assert edit.json["allowed_mentions"] == {"parse": []}
    assert "2 outlets: Variety, The Verge" in str(edit.json["embeds"])
    reply = fake.calls_to("create_message")[-1].json
    assert reply["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert reply["message_reference"] == {"message_id": sent.ref, "fail_if_not_exists": True}
    content = reply["content"]
    assert "@everyone" not in content and "<@U1>" not in content
    assert "[x](https://evil.example)" not in content
    assert "(https://verge.example/sora?a=1&b=2)" in content
