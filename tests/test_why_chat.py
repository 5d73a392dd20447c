"""`/watch why <link or story id>` in chat (SPEC "Chat commands"), through the real
slack-bolt and discord.py code against the fakes: the story, its evidence and each watch's
verdict, with feed text quoted inertly and Discord's replies within 2000 characters."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path
from typing import Any

from adapters.discord import DiscordAdapter
from bot.store.db import open_db
from bot.store.watches import add_watch, channel_id
from tests.fakes.discord import CHANNEL_ID, POSTING, FakeDiscord, sub
from tests.fakes.slack import FakeSlack
from tests.test_discord_adapter import LIVE_MASKED_LINK, adapter, env, fake  # noqa: F401
from tests.test_slack_replies import command_replies, stored_story

LINK = "https://a.example/1"


async def test_slack_why_shows_the_story_and_each_watch_with_feed_text_inert(
    tmp_path: Path, slack: FakeSlack, feed_server: Any, slack_env: None
) -> None:
    await stored_story(tmp_path, feed_server)
    replies = await command_replies(
        tmp_path, slack, ["add Sora", "add WGA OR writers", f"why <{LINK}>", "why 999"]
    )
    why, unknown = replies[2]["text"], replies[3]["text"]
    inert_title = "Sora ∗bold∗ ˍitˍ ∼gone∼ ˋcodeˋ ˋˋˋ &lt;!channel&gt; &amp; more"
    assert f"The item '{inert_title}' (Outˍletˍ ∗x∗) belongs to story " in why
    assert "• #1 Sora: matches: sora in the title" in why
    assert "• #2 WGA OR writers: does not match: wga OR writers found nowhere" in why
    assert "<!" not in why and "*" not in why and "`" not in why
    assert unknown == "No stored story has the id 999."


async def test_slack_why_by_story_id_explains_its_best_copy(
    tmp_path: Path, slack: FakeSlack, feed_server: Any, slack_env: None
) -> None:
    await stored_story(tmp_path, feed_server)
    db = open_db(tmp_path / "nw.db")
    story = db.row("SELECT story_id FROM items WHERE link = ?", [LINK])
    db.conn.close()
    assert story is not None
    replies = await command_replies(tmp_path, slack, ["add Sora -golf", f"why {story[0]}"])
    assert replies[1]["text"].startswith(f"Story {story[0]} (1 outlet): ")
    assert "stored before the story engine, no evidence" in replies[1]["text"] or (
        "the first copy of story" in replies[1]["text"]
    )
    assert "• #1 Sora -golf: matches: sora in the title" in replies[1]["text"]


async def test_discord_why_answers_with_the_evidence_escaped(
    adapter: DiscordAdapter,  # noqa: F811
    fake: FakeDiscord,  # noqa: F811
    tmp_path: Path,
    feed_server: Any,
) -> None:
    await stored_story(tmp_path, feed_server)
    added = await fake.slash("watch", [sub("add", query="Sora")])
    await fake.callback(added)
    interaction = await fake.slash("watch", [sub("why", item=LINK)], permissions=POSTING)
    content = (await fake.callback(interaction))["data"]["content"]
    assert "belongs to story" in content and "matches: sora in the title" in content
    assert "Sora \\*bold\\* \\_it\\_ \\~gone\\~ \\`code\\` \\`\\`\\` \\<!channel> & more" in content
    assert "@everyone" not in content and not LIVE_MASKED_LINK.search(content)
    missing = await fake.slash("watch", [sub("why", item="https://nowhere.example/")])
    assert (
        "No stored item has the link https\\://nowhere.example/."
        in (await fake.callback(missing))["data"]["content"]
    )


async def test_discord_why_with_many_watches_stays_within_2000_characters_a_message(
    adapter: DiscordAdapter,  # noqa: F811
    fake: FakeDiscord,  # noqa: F811
    tmp_path: Path,
    feed_server: Any,
) -> None:
    await stored_story(tmp_path, feed_server)
    db = open_db(tmp_path / "nw.db")
    cid = channel_id(db, f"discord:{CHANNEL_ID}")
    for n in range(25):
        add_watch(db, cid, f"sora studio{n} contract negotiations strike vote tonight", time.time())
    db.conn.close()
    interaction = await fake.slash("watch", [sub("why", item=LINK)])
    first = (await fake.callback(interaction))["data"]["content"]
    followups = await fake.wait_followups(1)
    for _ in range(50):
        if any("studio24 " in f["content"] for f in followups):
            break
        await asyncio.sleep(0.05)
        followups = list(fake.followups)
    shown = [first, *(f["content"] for f in followups)]
    assert all(len(text) <= 2000 for text in shown)
    assert "studio24 " in "".join(shown)
    assert all(re.search(r"\n• #\d+ |^• #\d+ ", text, re.M) for text in shown[1:])
