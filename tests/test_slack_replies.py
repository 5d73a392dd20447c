"""Slack command replies quote feed titles, outlets and queries inertly (issue 11, item 9).

A real poll stores a story whose title and outlet are full of mrkdwn; `/watch add` and
`/watch list` then run through the real SlackAdapter (Socket Mode, the fake Slack) against
that store, and the reply Slack receives shows them literally, with the core's own
formatting still live.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from adapters.slack import SlackAdapter
from bot.chat.commands import handle
from bot.config import Config, SlackConfig
from bot.store.db import open_db
from tests.fakes.slack import FakeSlack, slash_command
from tests.feeds import Entry, rss
from tests.pipeline_helpers import HOUR, NOW, Clock, make_app, write_config

TITLE = "Sora *bold* _it_ ~gone~ `code` ``` <!channel> & more"
OUTLET = "Out_let_ *x*"


async def stored_story(tmp_path: Path, feed_server: Any) -> None:
    entry = Entry(TITLE, "https://a.example/1", published=NOW - HOUR)
    feed_server.add("/f.xml", body=rss([entry], title=OUTLET), content_type="text/xml")
    app = make_app(write_config(tmp_path, feeds=[feed_server.url("/f.xml")]), Clock())
    try:
        await app.cycle(all_sources=True)
    finally:
        await app.close()


async def command_replies(
    tmp_path: Path, slack: FakeSlack, commands: list[str]
) -> list[dict[str, Any]]:
    """Each command through Socket Mode, and the response_url post that answered it."""
    config = Config(
        path=None,
        database=tmp_path / "nw.db",
        slack=SlackConfig(mode="socket", api_url=slack.base_url),
    )
    db = open_db(config.database)
    adapter = SlackAdapter(config)
    adapter.on_command = lambda command: handle(db, command, NOW)
    await adapter.start()
    try:
        for n, text in enumerate(commands, start=1):
            url = slack.response_url(f"r{n}")
            payload = slash_command("/watch", text, response_url=url, trigger_id=f"1337.{n}.a")
            await slack.socket_send("slash_commands", payload)
            deadline = time.monotonic() + 5
            while len(slack.calls_to("response_url")) < n and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
    finally:
        await adapter.close()
        db.conn.close()
    return [call.payload for call in slack.calls_to("response_url")]


async def test_watch_add_and_list_show_feed_text_and_queries_inert(
    tmp_path: Path, slack: FakeSlack, feed_server: Any, slack_env: None
) -> None:
    await stored_story(tmp_path, feed_server)
    added, listed = await command_replies(tmp_path, slack, ["add Sora -_golf_", "list"])
    inert_title = "Sora ∗bold∗ ˍitˍ ∼gone∼ ˋcodeˋ ˋˋˋ &lt;!channel&gt; &amp; more"
    assert f"• {inert_title} (Outˍletˍ ∗x∗)" in added["text"]
    assert added["text"].startswith("Watching #1: ")
    # The list shows the query as inline code (mrkdwn parses nothing inside it), as typed.
    assert "`Sora -_golf_` #1 [chat]" in listed["text"]
    for text in (added["text"], listed["text"].replace("`Sora -_golf_`", "")):
        assert "*" not in text and "_" not in text and "`" not in text and "<!" not in text


def text_objects(payload: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = payload.get("blocks") or []
    return [block["text"] for block in blocks if "text" in block]


async def test_a_reply_by_response_url_is_verbatim_so_bare_urls_stay_unlinked(
    tmp_path: Path, slack: FakeSlack, slack_env: None
) -> None:
    """Alerts and digests set verbatim; a reply quoting a query with a bare URL does too."""
    (reply,) = await command_replies(tmp_path, slack, ["add evil.example/login #general"])
    objects = text_objects(reply)
    assert objects, reply
    assert all(obj["type"] == "mrkdwn" and obj["verbatim"] is True for obj in objects)
    assert "".join(obj["text"] for obj in objects) == reply["text"]
    assert reply["response_type"] == "ephemeral"


async def test_a_reply_by_chat_post_ephemeral_is_verbatim_too(
    tmp_path: Path, slack: FakeSlack, slack_env: None
) -> None:
    """A response_url newswatch will not post to: the chat.postEphemeral answer is verbatim."""
    config = Config(
        path=None,
        database=tmp_path / "nw.db",
        slack=SlackConfig(mode="socket", api_url=slack.base_url),
    )
    db = open_db(config.database)
    adapter = SlackAdapter(config)
    adapter.on_command = lambda command: handle(db, command, NOW)
    await adapter.start()
    try:
        elsewhere = "https://evil.example/commands/T1/2/key"
        payload = slash_command("/watch", "add evil.example/x", response_url=elsewhere)
        await slack.socket_send("slash_commands", payload)
        deadline = time.monotonic() + 5
        while not slack.calls_to("chat.postEphemeral") and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
    finally:
        await adapter.close()
        db.conn.close()
    (call,) = slack.calls_to("chat.postEphemeral")
    objects = text_objects(call.payload)
    assert objects, call.payload
    assert all(obj["type"] == "mrkdwn" and obj["verbatim"] is True for obj in objects)
    assert "".join(obj["text"] for obj in objects) == call.payload["text"]
