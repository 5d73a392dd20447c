"""The seed feeds through the whole pipeline with the default watchlist (seeds/README.md).

Real files served on loopback, real SQLite, jsonl out: every expected alert, none extra,
none twice, the exact watches of each, over two polls.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.match.watchlists import load_watchlist
from bot.ops.demo import SEEDS_DIR, TYPES, render_seed, seed_files
from tests.pipeline_helpers import Clock, make_app, read_alerts

SORA, HOLLYWOOD, SAG, WGA = load_watchlist("default", Path.cwd()).queries

FIRST_POLL = {  # a distinctive part of one copy's title -> the watches its story alerts with
    "WGA And SAG-AFTRA Respond To OpenAI": {SORA, HOLLYWOOD, SAG, WGA},
    # With Bloomberg's "Sora App Passes 10 Million Downloads as Cameos Go Viral" (one event).
    "group cameos are the new": {SORA},
    "Under #SAGAFTRA": {SAG},
    "Fake Sora invite apps": {SORA},
    "WGA Sets Town Halls": {WGA},
    "Reaches Tentative Deal With Studios": {SAG},
    # Variety's own copy: TechCrunch's, Google News's, The Verge's "OpenAI wants Hollywood to
    # make its next blockbuster with Sora" and AV Watch's "OpenAI、ハリウッド大手スタジオに
    # 「Sora」ライセンスを提案" are copies of the same pitch.
    "ourts Hollywood ": {SORA, HOLLYWOOD},
    "OpenAIの動画生成AI「Sora」": {SORA},
    "Opens Los Angeles Office": {HOLLYWOOD},
    "ＳＡＧ－ＡＦＴＲＡ": {SAG},
    "Opens Registry for Performers": {SAG},
    "Changing the Music Video Business": {SORA},
    "veto over AI-drafted scripts": {WGA},
    "Former Screen Actors Guild Board Member": {SAG},
}
SECOND_POLL = {
    "Writers Guild of America Asks Members": {WGA},
    "Launch Joint Tracker": {SAG, WGA},
}


def serve_seeds(feed_server: Any, now: float, overrides: Path | None = None) -> list[str]:
    urls = []
    for path in seed_files():
        source = overrides / path.name if overrides and (overrides / path.name).exists() else path
        body = render_seed(source.read_text(encoding="utf-8"), now).encode("utf-8")
        feed_server.add(f"/{path.name}", body=body, content_type=TYPES[path.suffix])
        urls.append(feed_server.url(f"/{path.name}"))
    return urls


def write_seed_config(tmp_path: Path, urls: list[str]) -> Path:
    lines = ['database = "nw.db"', "allow_private_networks = true"]
    lines += [f'[[sources]]\nurl = "{url}"' for url in urls]
    lines.append('[[channels]]\ntarget = "jsonl:alerts0.jsonl"\nwatchlists = ["default"]')
    path = tmp_path / "newswatch.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def assert_alerts(alerts: list[dict[str, Any]], expected: dict[str, set[str]]) -> None:
    unmatched = dict(expected)
    for alert in alerts:
        keys = [key for key in unmatched if key in alert["title"]]
        assert len(keys) == 1, f"unexpected alert: {alert['title']!r}"
        assert set(alert["watches"]) == unmatched.pop(keys[0]), alert["title"]
        assert len(alert["watches"]) == len(set(alert["watches"]))
    assert not unmatched, f"missing alerts: {sorted(unmatched)}"


@pytest.mark.skipif(not SEEDS_DIR.is_dir(), reason="no seeds")
async def test_seed_feeds_alert_exactly_the_expected_stories_over_two_polls(
    tmp_path: Path, feed_server: Any
) -> None:
    clock = Clock()
    config = write_seed_config(tmp_path, serve_seeds(feed_server, clock.now))
    app = make_app(config, clock)
    try:
        await app.cycle(all_sources=True)
        first = [a for a in read_alerts(tmp_path) if a["kind"] == "alert"]
        assert_alerts(first, FIRST_POLL)

        clock.advance(3600)
        serve_seeds(feed_server, clock.now, overrides=SEEDS_DIR / "second-poll")
        await app.cycle(all_sources=True)
        second = [a for a in read_alerts(tmp_path) if a["kind"] == "alert"][len(first) :]
        assert_alerts(second, SECOND_POLL)
    finally:
        await app.close()


@pytest.mark.skipif(not SEEDS_DIR.is_dir(), reason="no seeds")
async def test_hostile_seed_text_reaches_jsonl_as_clean_text(
    tmp_path: Path, feed_server: Any
) -> None:
    clock = Clock()
    config = write_seed_config(tmp_path, serve_seeds(feed_server, clock.now))
    app = make_app(config, clock)
    try:
        await app.cycle(all_sources=True)
    finally:
        await app.close()
    text = (tmp_path / "alerts0.jsonl").read_text(encoding="utf-8")
    assert "\u202e" not in text
    assert "<script" not in text and "onerror" not in text
