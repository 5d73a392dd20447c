"""One hung send stalls nothing but its own channel, and only until its deadline.

Each send has a deadline: a send with no answer by then is cut off, flagged ambiguous and
retried later, in order. In the service each platform delivers on its own and the poll
tick only polls, so a chat API that never answers delays neither another platform's
alerts nor the next poll. The Slack adapter is the real one, talking to the fake Slack,
except that its first send never returns.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

import pytest

from adapters.console import ConsoleAdapter
from adapters.slack import SlackAdapter
from bot.app import App
from bot.config import Config, load_config
from bot.deliver.adapter import Adapter
from bot.deliver.model import Message
from tests.fakes.slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack, free_port
from tests.feeds import Entry, rss
from tests.pipeline_helpers import HOUR, Clock

CHANNEL = "C0NEWS"
TITLES = ["Sora opens to filmmakers", "OpenAI pitches Sora licensing to studios"]


class HangsOnce(SlackAdapter):
    """The real Slack adapter, but its first send never returns (an API that never answers)."""

    def __init__(self, config: Config) -> None:
        super().__init__(config)
        self.interval = 0.0  # Slack's pacing of one message a second is not under test
        self.hanging = asyncio.Event()

    async def send(self, target: str, message: Message) -> None:
        if not self.hanging.is_set():
            self.hanging.set()
            await asyncio.Event().wait()  # forever, unless cut off
        await super().send(target, message)


@pytest.fixture
async def slack(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeSlack]:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    async with FakeSlack() as fake:
        yield fake


def write_config(tmp_path: Path, feed: str, slack: FakeSlack) -> Path:
    """A Slack channel and a console channel, both watching Sora."""
    (tmp_path / "list.toml").write_text('name = "t"\n[[watch]]\nquery = "Sora"\n', "utf-8")
    path = tmp_path / "newswatch.toml"
    path.write_text(
        'database = "nw.db"\nallow_private_networks = true\npoll_interval = "10s"\n'
        f"[[sources]]\nurl = {json.dumps(feed)}\n"
        f'[[channels]]\ntarget = "slack:{CHANNEL}"\nwatchlists = ["list.toml"]\n'
        '[[channels]]\ntarget = "console"\nwatchlists = ["list.toml"]\n'
        f'[slack]\nmode = "http"\nport = {free_port()}\napi_url = {json.dumps(slack.base_url)}\n',
        "utf-8",
    )
    return path


def serve(feed_server: Any, now: float, titles: list[str] = TITLES) -> str:
    entries = [Entry(t, f"https://a.example/{n}", published=now - 60) for n, t in enumerate(titles)]
    feed_server.add("/f.xml", body=rss(entries), content_type="application/rss+xml")
    return str(feed_server.url("/f.xml"))


def make_app(config: Path, clock: Callable[[], float], console: io.StringIO) -> App:
    loaded = load_config(str(config))
    adapters: dict[str, Adapter] = {
        "slack": HangsOnce(loaded),
        "console": ConsoleAdapter(loaded, stream=console),
    }
    return App(loaded, clock=clock, adapters=adapters)


def slack_adapter(app: App) -> HangsOnce:
    adapter = app.adapters["slack"]
    assert isinstance(adapter, HangsOnce)
    return adapter


async def wait_for(predicate: Callable[[], bool], timeout: float = 25.0) -> None:
    """Until the predicate holds; the timeout is only there so a broken build fails (and it
    stays under the 30 s send deadline, which would end the hung send these tests rely on)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.02)


def flagged(app: App) -> list[tuple[str, int]]:
    rows = app.db.execute(
        "SELECT d.status, d.ambiguous FROM deliveries d JOIN channels c ON c.id = d.channel_id "
        "WHERE c.target LIKE 'slack:%' ORDER BY d.id"
    ).fetchall()
    return [(str(status), int(ambiguous)) for status, ambiguous in rows]


async def test_a_send_with_no_answer_is_cut_off_at_its_deadline_and_retried_in_order(
    tmp_path: Path, feed_server: Any, slack: FakeSlack
) -> None:
    clock = Clock()
    config = write_config(tmp_path, serve(feed_server, clock.now), slack)
    app = make_app(config, clock, io.StringIO())
    app.deliverer.send_deadline = 0.2
    try:
        await app.start(listen=False)
        report = await asyncio.wait_for(app.cycle(all_sources=True), 10)
        assert report.delivery.retrying == 1  # the hung one; the console got both
        assert flagged(app) == [("pending", 1), ("pending", 0)]  # it may have arrived
        clock.advance(HOUR)
        again = await asyncio.wait_for(app.deliver(), 10)
    finally:
        await app.close()
    assert again.sent == 2
    assert [next(t for t in TITLES if t in m["text"]) for m in slack.posted(CHANNEL)] == TITLES


async def test_one_drain_of_every_platform_lets_each_deliver_on_its_own(
    tmp_path: Path, feed_server: Any, slack: FakeSlack
) -> None:
    """`newswatch poll` drains every platform at once: Slack's hung send (cut off only at
    the default deadline) does not hold up the console."""
    clock = Clock()
    config = write_config(tmp_path, serve(feed_server, clock.now), slack)
    console = io.StringIO()
    app = make_app(config, clock, console)
    try:
        await app.start(listen=False)
        await app.poll(all_sources=True)
        drain = asyncio.create_task(app.deliver())
        await wait_for(lambda: all(title in console.getvalue() for title in TITLES))
        assert not drain.done()  # still waiting on Slack
        drain.cancel()
        with suppress(asyncio.CancelledError):
            await drain
    finally:
        await app.close()


async def test_two_drains_at_once_send_each_alert_once(
    tmp_path: Path, feed_server: Any, slack: FakeSlack
) -> None:
    clock = Clock()
    config = write_config(tmp_path, serve(feed_server, clock.now), slack)
    console = io.StringIO()
    app = make_app(config, clock, console)
    try:
        await app.start(listen=False)
        await app.poll(all_sources=True)
        slack_adapter(app).hanging.set()  # no hang in this test
        reports = await asyncio.gather(app.deliver(), app.deliver(), app.deliver("slack"))
    finally:
        await app.close()
    assert sum(report.sent for report in reports) == 4
    assert len(slack.posted(CHANNEL)) == 2
    assert all(console.getvalue().count(title) == 1 for title in TITLES)


@asynccontextmanager
async def service_with_hung_slack(
    tmp_path: Path, feed_server: Any, slack: FakeSlack
) -> AsyncIterator[tuple[App, io.StringIO]]:
    """`run_forever` with short ticks, its first Slack send hanging (the send deadline is
    the default, far longer than the test)."""
    config = write_config(tmp_path, serve(feed_server, time.time()), slack)
    console = io.StringIO()
    app = make_app(config, time.time, console)
    app.poll_tick = 0.2
    app.delivery_tick = 0.2
    stop = asyncio.Event()
    service = asyncio.create_task(app.run_forever(stop))
    try:
        await asyncio.wait_for(slack_adapter(app).hanging.wait(), 25)
        yield app, console
        assert slack.posted(CHANNEL) == []  # the Slack send was still hanging all along
    finally:
        stop.set()
        await asyncio.wait_for(service, 20)


async def test_a_hung_platform_never_delays_another_platforms_alerts(
    tmp_path: Path, feed_server: Any, slack: FakeSlack
) -> None:
    async with service_with_hung_slack(tmp_path, feed_server, slack) as (_, console):
        await wait_for(lambda: all(title in console.getvalue() for title in TITLES))


async def test_a_hung_send_never_delays_nor_skips_the_next_poll(
    tmp_path: Path, feed_server: Any, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)

    def polls() -> int:
        return sum(record.getMessage() == "poll done" for record in caplog.records)

    async with service_with_hung_slack(tmp_path, feed_server, slack):
        await wait_for(lambda: polls() >= 4)
    skipped = [r for r in caplog.records if "maximum number of running instances" in r.message]
    assert skipped == []
