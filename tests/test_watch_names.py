"""SPEC "Watchlists and watches" and "Alerts": a watch's optional name is how alerts, lists
and digests show it; the file is its truth, synced at every start.

End to end: a real poll of served feeds into jsonl and the console, the real `newswatch`
command line, the store a restart syncs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bot.chat.commands import Command
from bot.store.watches import channel_id, list_watches
from tests.feeds import Entry, rss
from tests.pipeline_helpers import HOUR, Clock, make_app, read_alerts, write_config

RSS = "application/rss+xml"
SORA = 'Sora (OpenAI OR AI) -"Kingdom Hearts"'
OPENAI = "OpenAI (Hollywood OR studios)"


def write_list(tmp_path: Path, *watches: dict[str, str]) -> None:
    """The channel's watchlist file (list.toml), each watch with the keys given."""
    tables = "".join(
        "[[watch]]\n" + "".join(f"{key} = {json.dumps(value)}\n" for key, value in watch.items())
        for watch in watches
    )
    (tmp_path / "list.toml").write_text(f'name = "test"\n{tables}', encoding="utf-8")


def serve_story(feed_server: Any, now: float) -> str:
    """One story an hour old at `now` (the test clock, or the wall clock for the CLI)."""
    entry = Entry("OpenAI shows Sora to studios", "https://trade.example/1", published=now - HOUR)
    feed_server.add("/f.xml", body=rss([entry], title="Trade Daily"), content_type=RSS)
    return str(feed_server.url("/f.xml"))


async def poll(config: Path, clock: Clock) -> None:
    app = make_app(config, clock)
    try:
        await app.cycle(all_sources=True)
    finally:
        await app.close()


def newswatch(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_a_jsonl_alert_keeps_the_queries_and_names_them_beside_with_null_where_none(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    clock = Clock()
    config = write_config(tmp_path, database=database, feeds=[serve_story(feed_server, clock.now)])
    write_list(tmp_path, {"name": "Sora", "query": SORA}, {"query": OPENAI})
    await poll(config, clock)
    [alert] = read_alerts(tmp_path)
    assert alert["watches"] == [SORA, OPENAI]  # the queries exactly as written
    assert alert["watch_names"] == ["Sora", None]


def test_the_console_alert_names_its_watches_and_shows_notify_as_plain_text(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    config = write_config(
        tmp_path, database=database, feeds=[serve_story(feed_server, time.time())]
    )
    config.write_text(
        config.read_text(encoding="utf-8").replace('"jsonl:alerts0.jsonl"', '"console"'),
        encoding="utf-8",
    )
    write_list(
        tmp_path,
        {"name": "Sora", "query": SORA, "notify": "@here"},
        {"query": OPENAI},
    )
    result = newswatch("--config", str(config), "poll", "--all", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"  watches: Sora, {OPENAI}\n" in result.stdout
    assert "  notify: @here\n" in result.stdout


async def test_a_changed_name_or_notify_in_the_file_updates_the_watch_at_start(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    clock = Clock()
    config = write_config(tmp_path, database=database, feeds=[serve_story(feed_server, clock.now)])
    write_list(tmp_path, {"name": "Sora", "query": SORA, "notify": "@here"}, {"query": OPENAI})
    await poll(config, clock)
    write_list(tmp_path, {"query": SORA}, {"name": "OpenAI in Hollywood", "query": OPENAI})
    app = make_app(config, clock)  # a restart: the file is the watches' truth
    try:
        watches = list_watches(app.db, channel_id(app.db, "jsonl:alerts0.jsonl"))
    finally:
        await app.close()
    assert [(w.query, w.name, w.notify) for w in watches] == [
        (SORA, None, None),
        (OPENAI, "OpenAI in Hollywood", None),
    ]


async def test_an_alert_queued_before_a_rename_is_sent_under_the_new_name(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    clock = Clock()
    config = write_config(tmp_path, database=database, feeds=[serve_story(feed_server, clock.now)])
    write_list(tmp_path, {"name": "Sora", "query": SORA})
    app = make_app(config, clock)
    try:
        await app.poll(all_sources=True)  # queued, not sent
    finally:
        await app.close()
    write_list(tmp_path, {"name": "Sora video", "query": SORA})
    app = make_app(config, clock)
    try:
        await app.deliver()
    finally:
        await app.close()
    [alert] = read_alerts(tmp_path)
    assert (alert["watches"], alert["watch_names"]) == ([SORA], ["Sora video"])


async def test_watch_list_shows_the_name_first_then_the_query_as_code_and_the_id(
    tmp_path: Path, database: str
) -> None:
    config = write_config(tmp_path, database=database)
    write_list(tmp_path, {"name": "Sora", "query": SORA, "notify": "@here"}, {"query": OPENAI})
    app = make_app(config, Clock())
    try:
        target = "jsonl:alerts0.jsonl"
        app.command(Command("watch", "add WGA -golf", target, user="U1", can_manage=True))
        reply = app.command(Command("watch", "list", target, user="U1", can_manage=True))
    finally:
        await app.close()
    assert reply.text.splitlines() == [
        "3 watches in this channel:",
        f"Sora `{SORA}` #1 [file] pings @here",
        f"`{OPENAI}` #2 [file]",
        "`WGA -golf` #3 [chat]",  # a watch added in chat has no name: its query is all of it
    ]


def test_newswatch_watch_list_shows_names(tmp_path: Path, database: str) -> None:
    config = write_config(tmp_path, database=database)
    write_list(tmp_path, {"name": "OpenAI in Hollywood", "query": OPENAI})
    result = newswatch("--config", str(config), "watch", "list", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"OpenAI in Hollywood `{OPENAI}` #1 [file]" in result.stdout.splitlines()


async def test_a_digest_groups_stories_under_the_watch_name(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    clock = Clock()
    config = write_config(tmp_path, database=database, feeds=[serve_story(feed_server, clock.now)])
    # Two watches share a name: one section, the story in it once.
    write_list(
        tmp_path,
        {"name": "OpenAI in Hollywood", "query": SORA},
        {"name": "OpenAI in Hollywood", "query": OPENAI},
        {"query": "studios"},
    )
    await poll(config, clock)
    clock.advance(60)
    app = make_app(config, clock)
    try:
        reply = app.command(
            Command("digest", "24h", "jsonl:alerts0.jsonl", user="U1", can_manage=True)
        )
    finally:
        await app.close()
    assert reply.digest is not None
    sections = [(s.watch, s.queries, len(s.stories)) for s in reply.digest.sections]
    assert sections == [
        ("OpenAI in Hollywood", (SORA, OPENAI), 1),
        ("studios", ("studios",), 1),
    ]


def test_newswatch_digest_prints_the_watch_name_as_the_heading(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    config = write_config(
        tmp_path, database=database, feeds=[serve_story(feed_server, time.time())]
    )
    write_list(tmp_path, {"name": "Sora", "query": SORA})
    assert newswatch("--config", str(config), "poll", "--all", cwd=tmp_path).returncode == 0
    result = newswatch("--config", str(config), "digest", "--since", "7d", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "  Sora" in lines and f"  {SORA}" not in lines
    assert "    - OpenAI shows Sora to studios (Trade Daily; 1 outlet)" in lines


def test_a_notify_one_of_the_files_channels_cannot_ping_stops_start_up_in_one_line(
    tmp_path: Path,
) -> None:
    write_list(tmp_path, {"query": SORA}, {"query": OPENAI, "notify": "<!subteam^S0TEAM>"})
    config = tmp_path / "newswatch.toml"
    config.write_text(
        '[[channels]]\ntarget = "slack:C0NEWS"\nwatchlists = ["list.toml"]\n'
        '[[channels]]\ntarget = "discord:1"\nwatchlists = ["list.toml"]\n',
        encoding="utf-8",
    )
    tokens = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "DISCORD_BOT_TOKEN": "d"}
    result = newswatch("--config", str(config), "sources", cwd=tmp_path, env=tokens)
    assert result.returncode == 2
    assert result.stderr == (
        f"newswatch: {config}: channels[1].watchlists[0]: {tmp_path / 'list.toml'}: "
        "watch[1].notify: '<!subteam^S0TEAM>' is not a Discord mention "
        "(@here, <@&ROLE>, <@USER>)\n"
    )
