"""SPEC "Command line": `newswatch stories` lists each story with its copies and the evidence
of each merge, and `newswatch why LINK` explains an item, through the real entry point, on
SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from tests.feeds import Entry, rss
from tests.pipeline_helpers import stored_rows, write_config
from tests.test_cli import RSS, newswatch

LINK = "https://variety.example/openai-hollywood"
EVENT = {"rule": "event", "score": 0.62, "shared": ["sora", "openai", "hollywood"]}


def _poll_two_outlets(tmp_path: Path, feed_server: Any, watches: list[str], database: str) -> Path:
    """Variety, then The Verge in a later poll, carry one link (the Verge's with tracking);
    The Verge also carries another story."""
    now = time.time()
    summary = "OpenAI pitches Sora to studios, with a licensing program"
    variety = [Entry("OpenAI Courts Hollywood With Sora", LINK, summary=summary, published=now)]
    golf = Entry("A golf outing for SAG-AFTRA", "https://verge.example/golf", published=now)
    verge = Entry("OpenAI wants Hollywood to use Sora", LINK + "?utm_source=rss", published=now)
    feed_server.add("/variety.xml", body=rss(variety, title="Variety"), content_type=RSS)
    feed_server.add("/verge.xml", body=rss([golf], title="The Verge"), content_type=RSS)
    config = write_config(
        tmp_path,
        database=database,
        feeds=[feed_server.url("/variety.xml"), feed_server.url("/verge.xml")],
        watches=watches,
    )
    for _ in range(2):
        polled = newswatch("--config", str(config), "poll", "--all", cwd=tmp_path)
        assert polled.returncode == 0, polled.stderr
        feed_server.add("/verge.xml", body=rss([golf, verge], title="The Verge"), content_type=RSS)
    return config


def _set_evidence(config: Path, link: str, evidence: dict[str, Any] | None) -> None:
    """What the story engine stores for a merge (schema 7), written as it would write it."""
    stored_rows(
        config, "UPDATE items SET evidence = ? WHERE link = ?", [json.dumps(evidence), link]
    )


def _story_id(config: Path, link: str) -> int:
    return int(stored_rows(config, "SELECT story_id FROM items WHERE link = ?", [link])[0][0])


def _item_id(config: Path, link: str) -> int:
    return int(stored_rows(config, "SELECT id FROM items WHERE link = ?", [link])[0][0])


def test_stories_json_gives_each_story_its_copies_outlets_and_evidence(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    config = _poll_two_outlets(tmp_path, feed_server, ["Sora"], database)
    result = newswatch("--config", str(config), "stories", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    merged = [r for r in records if len(r["copies"]) == 2]
    assert len(records) == 2 and len(merged) == 1
    story = merged[0]
    assert set(story) == {"story", "outlets", "copies"} and story["outlets"] == 2
    assert [(c["title"], c["outlet"]) for c in story["copies"]] == [
        ("OpenAI Courts Hollywood With Sora", "Variety"),
        ("OpenAI wants Hollywood to use Sora", "The Verge"),
    ]
    first = story["copies"][0]
    assert set(first) == {"link", "title", "outlet", "published", "evidence"}
    assert first["link"] == LINK and first["published"].endswith("+00:00")
    # Before the story engine nothing is stored; with it, the first copy and a URL merge.
    assert [c["evidence"] and c["evidence"]["rule"] for c in story["copies"]] in (
        [None, None],
        ["first", "url"],
    )


def test_stories_json_shows_stored_evidence_as_an_object(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    config = _poll_two_outlets(tmp_path, feed_server, ["Sora"], database)
    with_item = _item_id(config, LINK)
    _set_evidence(config, LINK + "?utm_source=rss", {**EVENT, "with": with_item})
    result = newswatch("--config", str(config), "stories", "--json", cwd=tmp_path)
    copies = [c for line in result.stdout.splitlines() for c in json.loads(line)["copies"]]
    assert [
        c["evidence"] for c in copies if c["outlet"] == "The Verge" and "Sora" in c["title"]
    ] == [{**EVENT, "with": with_item}]


def test_stories_text_names_each_copy_and_how_it_joined(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    config = _poll_two_outlets(tmp_path, feed_server, ["Sora"], database)
    _set_evidence(config, LINK, None)
    _set_evidence(config, LINK + "?utm_source=rss", {**EVENT, "with": _item_id(config, LINK)})
    result = newswatch("--config", str(config), "stories", "--since", "1h", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "2 outlets" in result.stdout
    assert (
        f"joined story {_story_id(config, LINK)}: the same event as "
        "'OpenAI Courts Hollywood With Sora' (score 0.62; shared: sora, openai, hollywood)"
        in result.stdout
    )
    assert "stored before the story engine, no evidence" in result.stdout


def test_stories_channel_lists_only_stories_alerted_there(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    config = _poll_two_outlets(tmp_path, feed_server, ["golf"], database)
    result = newswatch(
        "--config",
        str(config),
        "stories",
        "--json",
        "--channel",
        "jsonl:alerts0.jsonl",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    titles = [c["title"] for line in result.stdout.splitlines() for c in json.loads(line)["copies"]]
    assert titles == ["A golf outing for SAG-AFTRA"]


def test_stories_refuses_a_bad_window_as_bad_usage(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    config = _poll_two_outlets(tmp_path, feed_server, ["Sora"], database)
    result = newswatch("--config", str(config), "stories", "--since", "soon", cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.startswith("newswatch: --since")


def test_stories_reads_back_further_than_a_digest_window(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    config = _poll_two_outlets(tmp_path, feed_server, ["Sora"], database)
    result = newswatch("--config", str(config), "stories", "--json", "--since", "30d", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) >= 1


def test_why_names_the_story_its_evidence_and_each_watch_verdict(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    config = _poll_two_outlets(
        tmp_path, feed_server, ["Sora", "SAG-AFTRA -golf", "strik* writers"], database
    )
    _set_evidence(config, LINK, {"rule": "first"})
    _set_evidence(config, LINK + "?utm_source=rss", {"rule": "url", "canonical": LINK})
    # Asked by the link as another site shares it: found by its canonical URL.
    result = newswatch(
        "--config", str(config), "why", "http://www.variety.example/openai-hollywood/", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    story = _story_id(config, LINK)
    assert (
        f"The item 'OpenAI Courts Hollywood With Sora' (Variety) belongs to story {story} "
        f"(2 outlets): the first copy of story {story}\n" in out
    )
    assert (
        f"The Verge: OpenAI wants Hollywood to use Sora - joined story {story}: the same link "
        f"as a copy of it ({LINK})" in out
    )
    assert "• #1 Sora: matches: sora in the title and the summary" in out
    assert 'SAG-AFTRA -golf: does not match: "sag aftra" found nowhere' in out
    assert "strik* writers: does not match: strik* found nowhere; writers found nowhere" in out

    golf = newswatch("--config", str(config), "why", "https://verge.example/golf", cwd=tmp_path)
    assert "does not match: -golf found in the title" in golf.stdout


def test_why_of_an_unknown_link_says_so_and_exits_1(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    config = _poll_two_outlets(tmp_path, feed_server, ["Sora"], database)
    result = newswatch("--config", str(config), "why", "https://nowhere.example/x", cwd=tmp_path)
    assert result.returncode == 1
    assert "No stored item has the link https://nowhere.example/x." in result.stderr
