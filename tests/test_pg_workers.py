"""Several newswatch workers on one PostgreSQL database (issue 16 item 2), in one process:
source leases, one sender per channel, the leader, and what `sources` shows. The same with
real `newswatch run` processes, killed mid-poll and mid-send: tests/test_pg_crew.py."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from adapters.discord import DiscordAdapter
from bot.app import MIN_POLL_GAP, App
from bot.config import load_config
from bot.crew import Crew
from bot.deliver.adapter import Adapter
from bot.deliver.backlog import collapse_backlogs
from bot.deliver.model import Message
from bot.ops.status import sources_table
from bot.store.db import transaction
from bot.store.interface import sqlite_store
from bot.store.outbox import Delivery, mark_sending_many
from bot.store.pg.coord import Coordinator
from bot.store.pg.handle import PgStore
from bot.store.pg.leases import LeasedSources
from bot.store.pg.opening import open_pg
from bot.store.watches import channel_id
from tests.fakes.discord import BOT_TOKEN as DISCORD_TOKEN
from tests.fakes.discord import CHANNEL_ID, FakeDiscord
from tests.feeds import Entry, rss
from tests.pipeline_helpers import write_config

psycopg = pytest.importorskip("psycopg", reason="the psycopg driver is not installed")


@pytest.fixture
def stores(pg_dsn: str) -> Iterator[list[PgStore]]:
    opened = [open_pg(pg_dsn) for _ in range(3)]
    yield opened
    for db in opened:
        db.close()


def config_with_feeds(tmp_path: Path, feed_server: Any, pg_dsn: str, count: int) -> Path:
    feeds = []
    for n in range(count):
        entry = Entry(f"Sora story {n}", f"https://a.example/{n}", published=time.time() - 60)
        feed_server.add(f"/f{n}.xml", body=rss([entry]), content_type="application/rss+xml")
        feeds.append(feed_server.url(f"/f{n}.xml"))
    return write_config(tmp_path, feeds=feeds, watches=["Sora"], database=pg_dsn)


def crew(db: PgStore, config: Path, lease: float = 300.0) -> Crew:
    worker = Crew(db, load_config(str(config), {}), time.time)
    worker.sources = LeasedSources(worker.id, lease, limit=4)
    worker.join()
    return worker


def test_two_workers_claim_disjoint_sources_and_a_dead_workers_leases_pass_on(
    tmp_path: Path, feed_server: Any, pg_dsn: str, stores: list[PgStore]
) -> None:
    config = config_with_feeds(tmp_path, feed_server, pg_dsn, 6)
    App(load_config(str(config), {})).db.close()  # the source rows
    first, second = crew(stores[0], config), crew(stores[1], config)
    now = time.time()
    mine = {s.id for s in first.sources.due_sources(stores[0], now)}
    theirs = {s.id for s in second.sources.due_sources(stores[1], now)}
    assert len(mine) == 4 and len(theirs) == 2 and not mine & theirs
    table = sources_table(stores[2], now)
    assert table.count(f"leased to worker {first.id}, the lease ends in 5m") == 4
    assert table.count(f"leased to worker {second.id}, the lease ends in 5m") == 2
    assert f"worker {first.id}: leader, started 0s ago, heartbeat 0s ago, 4 source leases" in table
    third = crew(stores[2], config)
    assert third.sources.due_sources(stores[2], now) == []  # all leased, to live workers
    stores[0].close()  # the first worker dies: its connection goes, and its leases with it
    deadline = time.monotonic() + 30
    taken: set[int] = set()
    while not taken and time.monotonic() < deadline:  # the server ends the backend soon
        taken = {s.id for s in third.sources.due_sources(stores[2], time.time())}
    assert taken == mine


def test_a_lease_ends_when_it_expires_even_if_its_worker_lives(
    tmp_path: Path, feed_server: Any, pg_dsn: str, stores: list[PgStore]
) -> None:
    config = config_with_feeds(tmp_path, feed_server, pg_dsn, 2)
    App(load_config(str(config), {})).db.close()
    first, second = crew(stores[0], config, lease=60.0), crew(stores[1], config)
    now = time.time()
    assert len(first.sources.due_sources(stores[0], now)) == 2
    first.beat()  # its backend recorded
    assert second.sources.due_sources(stores[1], now + 30) == []
    assert second.sources.next_due(stores[1], now) == pytest.approx(now + 60, abs=1)
    assert len(second.sources.due_sources(stores[1], now + 61)) == 2


async def test_a_poll_longer_than_its_lease_keeps_the_lease_on_its_sources(
    tmp_path: Path, feed_server: Any, pg_dsn: str, stores: list[PgStore]
) -> None:
    entry = Entry("Sora story", "https://a.example/slow", published=time.time() - 60)
    feed_server.add("/slow.xml", body=rss([entry]), content_type="application/rss+xml", delay=8)
    config = write_config(
        tmp_path,
        feeds=[feed_server.url("/slow.xml")],
        watches=["Sora"],
        database=pg_dsn,
        extra='lease = "6s"',
    )
    app = App(load_config(str(config), {}), exclusive=True)  # a sending worker
    other = crew(stores[1], config)
    try:
        assert app.crew is not None
        app.crew.join()
        polling = asyncio.create_task(app.poll())

        async def lease() -> dict[str, Any]:
            await asyncio.sleep(0.05)
            row = stores[2].row("SELECT leased_until, leased_by FROM sources")
            return dict(row) if row is not None else {}

        claimed = await lease()
        while claimed.get("leased_by") != app.crew.id and not polling.done():
            claimed = await lease()
        renewed = claimed
        while renewed["leased_until"] <= claimed["leased_until"] and not polling.done():
            renewed = await lease()  # a third of the lease on: renewed
        assert not polling.done()  # the slow feed still fetching
        assert renewed["leased_until"] > claimed["leased_until"] + 1
        # Past the first lease's end: the other worker still finds nothing to take.
        assert other.sources.due_sources(stores[1], float(claimed["leased_until"]) + 0.5) == []
        report = await polling
        assert report.new_items == 1
    finally:
        await app.close()


def test_one_sender_per_channel_and_the_next_puts_back_what_a_dead_one_left_sending(
    tmp_path: Path, feed_server: Any, pg_dsn: str, stores: list[PgStore]
) -> None:
    config = config_with_feeds(tmp_path, feed_server, pg_dsn, 1)
    app = App(load_config(str(config), {}))
    try:
        channel = channel_id(app.db, "jsonl:alerts0.jsonl")
        app.db.execute(
            "INSERT INTO deliveries (channel_id, kind, payload, created) "
            "VALUES (?, 'notice', '{\"text\": \"hi\"}', 0) RETURNING id",
            [channel],
        )
    finally:
        app.db.close()
    first, second = Coordinator(stores[0]), Coordinator(stores[1])
    assert first.claim_channels([channel]) == ({channel}, 0)
    assert second.claim_channels([channel]) == (set(), 0)
    assert first.claim_channels([channel]) == (set(), 0)  # not twice in one process either
    row = stores[0].row("SELECT id FROM deliveries")
    assert row is not None
    delivery = Delivery(
        int(row["id"]),
        channel,
        "jsonl:alerts0.jsonl",
        "notice",
        None,
        None,
        (),
        None,
        0,
        False,
        None,
    )
    mark_sending_many(stores[0], [delivery])
    assert second.stranded() == {channel}
    stores[0].close()  # killed mid-send
    deadline = time.monotonic() + 30
    got: tuple[set[int], int] = (set(), 0)
    while not got[0] and time.monotonic() < deadline:
        got = second.claim_channels([channel])
    assert got == ({channel}, 1)
    status = stores[1].row("SELECT status, ambiguous FROM deliveries")
    assert status is not None and (status["status"], status["ambiguous"]) == ("pending", 1)
    second.release_channels([channel])
    assert Coordinator(stores[2]).claim_channels([channel]) == ({channel}, 0)


def test_one_leader_and_another_takes_over_when_its_connection_drops(
    tmp_path: Path, feed_server: Any, pg_dsn: str, stores: list[PgStore]
) -> None:
    config = config_with_feeds(tmp_path, feed_server, pg_dsn, 1)
    App(load_config(str(config), {})).db.close()
    workers = [crew(db, config) for db in stores]
    assert [w.leader for w in workers] == [True, False, False]
    assert workers[0].leader and workers[0].beat() is False  # still leads: nothing new
    table = sources_table(stores[2], time.time())
    assert f"workers: 3; leader: pid {workers[0].pid} on {workers[0].host}" in table
    assert f"worker {workers[0].id}: leader, started " in table
    assert f"worker {workers[1].id}: follower" in table and "heartbeat " in table
    stores[0].close()
    deadline = time.monotonic() + 30
    while not workers[1].beat() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert workers[1].leader and not workers[2].beat()
    workers[1].leave()
    assert f"worker {workers[1].id}" not in sources_table(stores[2], time.time())


async def test_at_most_four_requests_at_once_to_one_host_across_three_workers(
    tmp_path: Path, feed_server: Any, pg_dsn: str
) -> None:
    """Each worker alone keeps to 4 per host; three share the host's 4 slots (SPEC)."""
    urls = []
    for n in range(12):
        entry = Entry(f"Sora story {n}", f"https://a.example/{n}", published=time.time() - 60)
        body = rss([entry])
        feed_server.add(f"/s{n}.xml", body=body, content_type="application/rss+xml", delay=0.4)
        urls.append(feed_server.url(f"/s{n}.xml"))
    config = write_config(tmp_path, feeds=urls, watches=["Sora"], database=pg_dsn)
    apps = [App(load_config(str(config), {}), exclusive=True) for _ in range(3)]
    try:
        for app in apps:
            await app.start(listen=False)
            assert app.crew is not None
            app.crew.sources.limit = 4  # each worker takes a third of the sources
        reports = await asyncio.wait_for(asyncio.gather(*(app.poll() for app in apps)), 120)
    finally:
        for app in apps:
            await app.close()
    assert [report.polled for report in reports] == [4, 4, 4]
    assert len(feed_server.requests) == 12
    assert feed_server.max_in_flight == 4


async def test_a_worker_whose_claim_was_full_polls_again_at_once_and_otherwise_waits(
    tmp_path: Path, feed_server: Any, pg_dsn: str
) -> None:
    """A claim takes at most `limit` due sources; when it took that many, more may be due,
    and the next claim follows at once rather than after the poll loop's gap (which held a
    worker to 50 sources a second: bench/pg_scale.py). A short claim, or a failed poll,
    waits as before, so a worker never spins."""
    config = config_with_feeds(tmp_path, feed_server, pg_dsn, 6)
    app = App(load_config(str(config), {}), exclusive=True)
    try:
        await app.start(listen=False)
        assert app.crew is not None
        app.crew.sources.limit = 4
        await app._safe_cycle()
        assert app.backlog and app._until_next_poll() == 0.0
        await app._safe_cycle()  # the other 2
        assert not app.backlog and app._until_next_poll() >= MIN_POLL_GAP
        assert len(feed_server.requests) == 6
        with transaction(app.db):
            app.db.execute("UPDATE sources SET next_poll = 0")  # all due again

        async def broken(all_sources: bool = False) -> Any:
            app.crew.sources.due_sources(app.db, time.time())  # type: ignore[union-attr]
            raise RuntimeError("a bug after the claim")

        app.poll = broken  # type: ignore[method-assign]
        await app._safe_cycle()
        assert app.crew.sources.backlog and not app.backlog
        assert app._until_next_poll() == MIN_POLL_GAP
    finally:
        await app.close()


async def test_a_leader_whose_connection_was_cut_steps_down_and_closes_its_gateway(
    tmp_path: Path, feed_server: Any, pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server ends the leader's connection (as a restart or a network cut would): the
    next worker to heartbeat takes the lead and opens Discord's gateway; the old leader,
    reconnected, finds the lock taken and closes its own, so one session stays."""
    monkeypatch.setenv("DISCORD_BOT_TOKEN", DISCORD_TOKEN)
    async with FakeDiscord() as discord:
        config = config_with_feeds(tmp_path, feed_server, pg_dsn, 1)
        text = config.read_text().replace('"jsonl:alerts0.jsonl"', f'"discord:{CHANNEL_ID}"')
        config.write_text(text + f"[discord]\napi_url = {json.dumps(discord.api_url)}\n")
        env = {"DISCORD_BOT_TOKEN": DISCORD_TOKEN}
        apps = [App(load_config(str(config), env), exclusive=True) for _ in range(2)]
        try:
            for app in apps:
                adapter = app.adapters["discord"]
                assert isinstance(adapter, DiscordAdapter)
                adapter.guild_ready_timeout = 0.05
                await app.start()
            old, new = apps
            assert old.leads() and not new.leads() and len(discord.identify) == 1
            assert isinstance(old.db, PgStore)
            with psycopg.connect(pg_dsn, autocommit=True) as conn:
                conn.execute("SELECT pg_terminate_backend(%s)", [old.db.pg.info.backend_pid])
            deadline = time.monotonic() + 30
            while not new.leads() and time.monotonic() < deadline:
                await new._safe_cycle()  # its heartbeat takes the lock once it is free
            assert new.leads() and len(discord.identify) == 2
            await old._safe_cycle()  # a StorageUnavailable: the cut connection
            await old._safe_cycle()  # reconnected: the lock is the other's
            assert not old.leads()
            assert old.adapters["discord"].listen is False
            deadline = time.monotonic() + 30
            while len(discord._sockets) > 1 and time.monotonic() < deadline:
                await asyncio.sleep(0.05)  # the old leader's gateway closes
            assert len(discord._sockets) == 1
        finally:
            for app in apps:
                await app.close()


class Backlogged(Adapter):
    """A chat target whose backlogs past 3 alerts fold into a digest (as Slack's do)."""

    platform = "jsonl"
    backlog_limit: ClassVar[int | None] = 3

    async def send(self, target: str, message: Message) -> None:
        return None


def test_a_backlog_is_folded_only_by_the_worker_holding_its_channel(
    tmp_path: Path, feed_server: Any, pg_dsn: str, stores: list[PgStore]
) -> None:
    config = config_with_feeds(tmp_path, feed_server, pg_dsn, 1)
    app = App(load_config(str(config), {}))
    channel = channel_id(app.db, "jsonl:alerts0.jsonl")
    app.db.close()
    stores[0].executemany(
        "INSERT INTO deliveries (channel_id, kind, story_id, created) VALUES (?, 'alert', ?, 0)",
        [[channel, story] for story in range(1, 6)],
    )
    sender, other = Coordinator(stores[0]), Coordinator(stores[1])
    assert sender.claim_channels([channel]) == ({channel}, 0)  # draining it now
    adapter = Backlogged(load_config(str(config), {}))
    folding = {"platform": "jsonl", "store": sqlite_store(), "clock": time.time}
    collapse_backlogs(stores[1], adapter, claims=other, **folding)  # type: ignore[arg-type]
    assert stores[1].rows("SELECT kind FROM deliveries WHERE kind = 'digest'") == []
    sender.release_channels([channel])
    collapse_backlogs(stores[1], adapter, claims=other, **folding)  # type: ignore[arg-type]
    assert len(stores[1].rows("SELECT id FROM deliveries WHERE kind = 'digest'")) == 1
    assert len(stores[1].rows("SELECT id FROM deliveries WHERE status = 'collapsed'")) == 5
