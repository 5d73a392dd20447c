"""An alert Slack accepted but whose answer never came (a timeout, or the sender killed
mid-send) is found in the channel's history by its metadata before it is sent again, so
the channel sees it once and its coverage updates edit it; without the channels:history
scope it is sent again (README Slack: at most one duplicate) and the log says why."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from adapters.slack import SlackAdapter
from bot.app import App
from bot.config import load_config
from tests.fakes.slack import BOT_TOKEN, SCOPES, SIGNING_SECRET, FakeSlack
from tests.pipeline_helpers import HOUR, Clock
from tests.test_delivery_deadlines import CHANNEL, TITLES, serve, write_config


@pytest.fixture
async def slack(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeSlack]:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    async with FakeSlack() as fake:
        yield fake


async def lose_the_first_answer(
    tmp_path: Path,
    feed_server: Any,
    slack: FakeSlack,
    alter: Callable[[dict[str, Any]], None] = lambda message: None,
) -> App:
    """A first poll whose first Slack post is stored but answered only after the deadline
    (then `alter`ed as it sits in the channel), and a drain an hour later (the retry)."""
    clock = Clock()
    config = write_config(tmp_path, serve(feed_server, clock.now, TITLES[:1]), slack)
    loaded = load_config(str(config))
    adapter = SlackAdapter(loaded)
    adapter.interval = 0.0
    app = App(loaded, clock=clock, adapters={"slack": adapter})
    app.deliverer.send_deadline = 0.3
    slack.fail("chat.postMessage", accept=True, delay=1.0)
    await app.start(listen=False)
    first = await asyncio.wait_for(app.cycle(all_sources=True), 10)
    assert first.delivery.retrying == 1 and len(slack.posted(CHANNEL)) == 1
    await asyncio.sleep(1.0)  # the fake's late answer goes to nobody
    alter(slack.posted(CHANNEL)[0])
    clock.advance(HOUR)
    await asyncio.wait_for(app.deliver(), 10)
    return app


async def test_an_alert_whose_answer_was_lost_is_found_in_history_and_not_posted_again(
    tmp_path: Path, feed_server: Any, slack: FakeSlack
) -> None:
    slack.scopes = SCOPES + ",channels:history"
    app = await lose_the_first_answer(tmp_path, feed_server, slack)
    try:
        posted = slack.posted(CHANNEL)
        row = app.db.execute("SELECT status, remote_ref FROM deliveries").fetchone()
    finally:
        await app.close()
    assert len(posted) == 1
    assert posted[0]["metadata"]["event_type"] == "newswatch_alert"
    assert tuple(row) == ("sent", f"{CHANNEL}/{posted[0]['ts']}")  # its updates edit it


async def test_without_the_history_scope_a_lost_answer_means_one_more_post(
    tmp_path: Path, feed_server: Any, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="newswatch.slack"):
        app = await lose_the_first_answer(tmp_path, feed_server, slack)
    await app.close()
    assert len(slack.posted(CHANNEL)) == 2
    assert any("cannot read the channel's history" in r.getMessage() for r in caplog.records)


def forget_metadata(message: dict[str, Any]) -> None:
    message["metadata"] = None


def made_a_persons(message: dict[str, Any]) -> None:
    message.update(metadata=None, user="U0HUMAN")
    del message["bot_id"]


def another_storys(message: dict[str, Any]) -> None:
    message["metadata"] = {"event_type": "newswatch_alert", "event_payload": {"story": "999"}}


@pytest.mark.parametrize(
    ("alter", "posts"),
    [
        (forget_metadata, 1),  # a bot message with the alert's very text: it is the alert
        (made_a_persons, 2),  # the same words from a person are not the bot's post
        (another_storys, 2),  # the bot's post of another story
    ],
)
async def test_what_counts_as_the_alert_in_the_channels_history(
    tmp_path: Path, feed_server: Any, slack: FakeSlack, alter: Any, posts: int
) -> None:
    slack.scopes = SCOPES + ",channels:history"
    app = await lose_the_first_answer(tmp_path, feed_server, slack, alter)
    await app.close()
    assert len(slack.posted(CHANNEL)) == posts
