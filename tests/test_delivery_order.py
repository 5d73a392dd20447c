"""A failed send is never overtaken: each channel gets its messages in outbox order (F2).

A channel is held at its first unfinished row, until that row's retry time: the outbox
tables below say what is due when, and the drain tests send through the real Slack and
Discord adapters to the fakes, which answer the first story with 429 (a long Retry-After),
then 503.
"""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.config import load_config
from bot.store.db import Store
from bot.store.outbox import add_notice, collapse_backlog, due, mark_sending_many, retry_later
from tests.fakes import discord as fake_discord
from tests.fakes import slack as fake_slack
from tests.feeds import Entry, rss
from tests.pipeline_helpers import NOW, Clock

ROWS = "abcdefgh"  # one channel's rows, in outbox order


@pytest.fixture
def db(any_store: Store) -> Store:
    """Three channels on an empty store, SQLite or PostgreSQL (each test runs on both)."""
    for target in ("slack:C1", "slack:C2", "jsonl:out.jsonl"):
        any_store.execute("INSERT INTO channels (target) VALUES (?)", [target])
    return any_store


def queue(db: Store, channel: int, names: str) -> None:
    for name in names:
        add_notice(db, channel, name, NOW)


def due_names(db: Store, now: float, **kwargs: Any) -> str:
    return "".join(json.loads(d.payload or "{}")["text"] for d in due(db, now, **kwargs))


def fail(db: Store, name: str, at: float, retry_after: float | None) -> None:
    [row] = [d for d in due(db, at) if json.loads(d.payload or "{}").get("text") == name]
    retry_later(db, row, now=at, reason="test", retry_after=retry_after, rng=random.Random(0))


# Row a's first send gets 429 with Retry-After: 120 at NOW; its retry, at NOW + 121, gets
# 503 and backs off 8 to 12 s (attempt 2). Nothing after a is due until a is.
AFTER_429 = [("a", 0.0, 120.0)]
AFTER_429_AND_503 = [*AFTER_429, ("a", 121.0, None)]


@pytest.mark.parametrize(
    ("failures", "asked_at", "expected"),
    [
        ([], 0.0, ROWS),
        (AFTER_429, 0.0, ""),
        (AFTER_429, 60.0, ""),  # the backoff alone (4 to 6 s) has passed: Retry-After wins
        (AFTER_429, 121.0, ROWS),
        (AFTER_429_AND_503, 121.0, ""),
        (AFTER_429_AND_503, 125.0, ""),
        (AFTER_429_AND_503, 140.0, ROWS),
        ([("d", 0.0, 120.0)], 60.0, "abc"),  # rows before the failed one still go
        ([("d", 0.0, 120.0), ("b", 0.0, 90.0)], 60.0, "a"),
        ([("d", 0.0, 120.0), ("b", 0.0, 90.0)], 100.0, "abc"),
        ([("d", 0.0, 120.0), ("b", 0.0, 90.0)], 121.0, ROWS),
    ],
    ids=lambda value: repr(value) if not isinstance(value, list) else None,
)
def test_a_channel_waits_for_its_first_failed_row_before_sending_any_later_one(
    db: Store,
    failures: list[tuple[str, float, float | None]],
    asked_at: float,
    expected: str,
) -> None:
    queue(db, 1, ROWS)
    for name, at, retry_after in failures:
        fail(db, name, NOW + at, retry_after)
    assert due_names(db, NOW + asked_at) == expected
    assert due_names(db, NOW + asked_at, by_channel=True) == expected


def test_a_held_channel_holds_up_no_other_channel(db: Store) -> None:
    queue(db, 1, "ab")
    queue(db, 2, "xy")
    queue(db, 1, "c")
    fail(db, "a", NOW, 120.0)
    assert due_names(db, NOW + 60) == "xy"
    assert due_names(db, NOW + 121) == "abxyc"


def test_a_row_still_sending_holds_its_channel(db: Store) -> None:
    """Cut off mid-send (its mark lost to a storage outage): nothing after it goes until it
    is known again, at the restart or when the storage recovers."""
    queue(db, 1, "abc")
    queue(db, 2, "x")
    mark_sending_many(db, due(db, NOW)[:1])
    assert due_names(db, NOW) == "x"


def test_a_failed_notice_holds_the_alerts_behind_it(db: Store) -> None:
    queue(db, 1, "n")
    db.execute(
        "INSERT INTO deliveries (channel_id, kind, story_id, item_id, created) "
        "VALUES (1, 'alert', 1, 1, ?)",
        [NOW],
    )
    fail(db, "n", NOW, 60.0)
    assert due(db, NOW + 30) == []
    assert [d.kind for d in due(db, NOW + 61)] == ["notice", "alert"]


def test_a_backlog_digest_waits_for_the_retry_time_of_the_alerts_it_folds(
    db: Store,
) -> None:
    """Alerts piled up behind one with Retry-After: an hour become one digest (F17), and
    the channel still waits out that hour."""
    for n in range(5):
        db.execute(
            "INSERT INTO deliveries (channel_id, kind, story_id, item_id, created) "
            "VALUES (1, 'alert', ?, ?, ?)",
            [n, n, NOW],
        )
    retry_later(
        db, due(db, NOW)[0], now=NOW, reason="429", retry_after=3600.0, rng=random.Random(0)
    )
    digest = collapse_backlog(db, 1, 3, waited_since=NOW + 1, now=NOW + 1000)
    assert digest is not None
    assert due(db, NOW + 3599) == []
    assert [d.id for d in due(db, NOW + 3600)] == [digest]


def test_due_takes_one_platforms_channels_only(db: Store) -> None:
    queue(db, 1, "a")
    queue(db, 3, "f")
    assert due_names(db, NOW, platforms=["slack"]) == "a"
    assert due_names(db, NOW, platforms=["jsonl"], by_channel=True) == "f"
    assert due_names(db, NOW, platforms=["console"]) == ""


# -- through the real adapters and the fakes ----------------------------------------------

TITLES = [
    "Sora opens to filmmakers in Los Angeles",
    "OpenAI pitches Sora licensing to major studios",
    "Sora app passes ten million downloads",
    "Fake Sora invite apps push Windows malware",
    "Music video directors test Sora on set",
    "Sora adds group cameos for friends",
    "Sora arrives on Android in Japan",
    "Toho signs Sora anime pilot deal",
]


class Platform:
    """One chat platform's fake, its config lines, and how to read what it posted."""

    name: str
    target: str

    def fail_next_send(self, status: int, retry_after: int | None = None) -> None:
        raise NotImplementedError

    def posted(self) -> list[dict[str, Any]]:
        raise NotImplementedError

    def config(self) -> str:
        raise NotImplementedError


class SlackPlatform(Platform):
    name = "slack"
    target = "slack:C0NEWS"

    def __init__(self, fake: fake_slack.FakeSlack) -> None:
        self.fake = fake

    def fail_next_send(self, status: int, retry_after: int | None = None) -> None:
        self.fake.fail("chat.postMessage", status=status, retry_after=retry_after)

    def posted(self) -> list[dict[str, Any]]:
        return self.fake.posted("C0NEWS")

    def config(self) -> str:
        return f'[slack]\nmode = "http"\napi_url = {json.dumps(self.fake.base_url)}'


class DiscordPlatform(Platform):
    name = "discord"
    target = f"discord:{fake_discord.CHANNEL_ID}"

    def __init__(self, fake: fake_discord.FakeDiscord) -> None:
        self.fake = fake

    def fail_next_send(self, status: int, retry_after: int | None = None) -> None:
        self.fake.fail("create_message", status=status, retry_after=retry_after)

    def posted(self) -> list[dict[str, Any]]:
        return self.fake.posted()

    def config(self) -> str:
        return f"[discord]\napi_url = {json.dumps(self.fake.api_url)}"


@pytest.fixture(params=["slack", "discord"])
async def platform(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Platform]:
    if request.param == "slack":
        monkeypatch.setenv("SLACK_BOT_TOKEN", fake_slack.BOT_TOKEN)
        monkeypatch.setenv("SLACK_SIGNING_SECRET", fake_slack.SIGNING_SECRET)
        async with fake_slack.FakeSlack() as slack:
            yield SlackPlatform(slack)
    else:
        monkeypatch.setenv("DISCORD_BOT_TOKEN", fake_discord.BOT_TOKEN)
        async with fake_discord.FakeDiscord() as discord:
            yield DiscordPlatform(discord)


async def started_app(tmp_path: Path, platform: Platform, feed: str, clock: Clock) -> App:
    (tmp_path / "list.toml").write_text('name = "t"\n[[watch]]\nquery = "Sora"\n', "utf-8")
    config = tmp_path / "newswatch.toml"
    config.write_text(
        'database = "nw.db"\nallow_private_networks = true\n'
        f"[[sources]]\nurl = {json.dumps(feed)}\n"
        f'[[channels]]\ntarget = "{platform.target}"\nwatchlists = ["list.toml"]\n'
        f"{platform.config()}\n",
        "utf-8",
    )
    app = App(load_config(str(config)), clock=clock)
    adapter: Any = app.adapters[platform.name]
    if platform.name == "slack":
        adapter.interval = 0.0  # Slack's one message a second per channel, not under test
    else:
        adapter.guild_ready_timeout = 0.05
    await app.start(listen=platform.name == "discord")  # discord.py sends once logged in
    return app


def serve(feed_server: Any, titles: list[str], now: float) -> str:
    entries = [Entry(t, f"https://a.example/{t.split()[1]}", published=now - 60) for t in titles]
    feed_server.add("/f.xml", body=rss(entries), content_type="application/rss+xml")
    return str(feed_server.url("/f.xml"))


def outbox_titles(app: App) -> list[str]:
    rows = app.db.execute(
        "SELECT i.title FROM deliveries d JOIN items i ON i.id = d.item_id ORDER BY d.id"
    ).fetchall()
    return [str(row[0]) for row in rows]


def posted_titles(platform: Platform) -> list[str]:
    found: list[str] = []
    for message in platform.posted():
        text = json.dumps(message, ensure_ascii=False).replace("**", "")  # matched terms' bold
        found += [title for title in TITLES if title in text]
    return found


async def test_a_story_whose_send_got_429_then_503_is_not_overtaken_in_its_channel(
    tmp_path: Path, feed_server: Any, platform: Platform
) -> None:
    clock = Clock()
    feed = serve(feed_server, TITLES[:6], clock.now)
    # Past what slack-sdk (5 s) and discord.py (30 s) wait out in line: back to the outbox.
    platform.fail_next_send(429, retry_after=60)
    app = await started_app(tmp_path, platform, feed, clock)
    try:
        first = await app.cycle(all_sources=True)
        assert first.delivery.retrying == 1 and first.delivery.sent == 0
        clock.advance(30)
        assert (await app.deliver()).sent == 0  # the first story waits: so do the others
        platform.fail_next_send(503)  # neither library retries a 503 itself
        clock.advance(31)
        again = await app.deliver()
        assert again.retrying == 1 and again.sent == 0  # its retry: 503
        serve(feed_server, TITLES, clock.now)  # a later poll brings two more stories
        later = await app.cycle(all_sources=True)
        assert later.poll.alerts == 2 and later.delivery.sent == 0
        clock.advance(15)  # past the 503's backoff (8 to 12 s)
        last = await app.deliver()
        in_outbox_order = outbox_titles(app)
    finally:
        await app.close()
    assert last.sent == len(TITLES)
    assert posted_titles(platform) == in_outbox_order
    assert sorted(in_outbox_order) == sorted(TITLES)
