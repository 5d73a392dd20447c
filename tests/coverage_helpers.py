"""One event carried by more and more outlets, served as real feeds, for the coverage-update
tests (SPEC Alerts): each outlet has its own feed, and its copy of the story links to the
same canonical URL (the URL rule makes them one story, whatever the story engine does with
titles), under its own headline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.app import App
from bot.config import load_config
from tests.feeds import Entry, rss
from tests.pipeline_helpers import Clock

LINK = "https://news.example/2027/01/openai-sora-hollywood"
HEADLINES = {
    "Variety": "OpenAI Courts Hollywood Studios With Sora Licensing Program",
    "The Verge": "OpenAI wants Hollywood to make its next blockbuster with Sora",
    "Deadline": "OpenAI pitches Sora to the studios, one by one",
    "IndieWire": "Sora comes to Hollywood: what OpenAI is offering",
}
OUTLETS = list(HEADLINES)
OTHER = "Sora app passes ten million downloads"  # another story


def feed_path(outlet: str) -> str:
    return "/" + outlet.lower().replace(" ", "-") + ".xml"


def serve(
    feed_server: Any, carrying: list[str], now: float, *, other: str | None = None
) -> list[str]:
    """Every outlet's feed, the story in those `carrying` it (published a minute before
    `now`); `other` names an outlet whose feed also has a second story, after the first.
    Returns the feed URLs."""
    urls = []
    for outlet in OUTLETS:
        entries = []
        if outlet in carrying:
            link = f"{LINK}?utm_source={feed_path(outlet)[1:-4]}"  # the same canonical URL
            entries.append(Entry(HEADLINES[outlet], link, published=now - 60))
        if outlet == other:
            entries.append(Entry(OTHER, "https://news.example/sora-downloads", published=now))
        body = rss(entries, title=outlet)
        feed_server.add(feed_path(outlet), body=body, content_type="application/rss+xml")
        urls.append(str(feed_server.url(feed_path(outlet))))
    return urls


def write_config(
    tmp_path: Path, feeds: list[str], target: str, extra: str = "", database: str = "nw.db"
) -> Path:
    """A config of these feeds and one channel watching "Sora"; `extra` adds tables."""
    (tmp_path / "list.toml").write_text('name = "t"\n[[watch]]\nquery = "Sora"\n', "utf-8")
    config = tmp_path / "newswatch.toml"
    sources = "".join(f"[[sources]]\nurl = {json.dumps(url)}\n" for url in feeds)
    config.write_text(
        f"database = {json.dumps(database)}\nallow_private_networks = true\n"
        f"{extra}\n{sources}"
        f'[[channels]]\ntarget = {json.dumps(target)}\nwatchlists = ["list.toml"]\n',
        "utf-8",
    )
    return config


def updates_table(mode: str) -> str:
    return f'[alerts]\nupdates = "{mode}"\n'


def rows(app: App, kind: str = "update") -> list[tuple[str, int]]:
    """(status, ambiguous) of the outbox rows of a kind, in order."""
    found = app.db.execute(
        "SELECT status, ambiguous FROM deliveries WHERE kind = ? ORDER BY id", [kind]
    ).fetchall()
    return [(str(status), int(ambiguous)) for status, ambiguous in found]


def jsonl_records(tmp_path: Path, name: str = "out.jsonl") -> list[dict[str, Any]]:
    path = tmp_path / name
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


async def jsonl_app(
    tmp_path: Path, feed_server: Any, clock: Clock, mode: str = "edit", database: str = "nw.db"
) -> App:
    """An app polling every outlet's feed into `jsonl:out.jsonl`, Variety alone carrying
    the story so far, on the given database (SQLite by default)."""
    feeds = serve(feed_server, ["Variety"], clock.now)
    config = write_config(tmp_path, feeds, "jsonl:out.jsonl", updates_table(mode), database)
    return App(load_config(str(config), {}), clock=clock)
