"""The labelled story corpus (bench/data/stories/) holds what the story benchmark's figures
rest on: well-formed items, whole stories per split, and the cases issue 13 names. And the
feeds bench/stories_quality.py serves carry every item as the product will read it."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from bot.ingest.parse import parse_feed

BENCH = Path(__file__).resolve().parents[1] / "bench"
DATA = BENCH / "data" / "stories"
FIELDS = {"set", "label", "title", "summary", "link", "outlet", "published", "lang"}
HOUR = 3600.0


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def rows(name: str) -> list[dict[str, Any]]:
    text = (DATA / f"{name}.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line]


def epoch(row: dict[str, Any]) -> float:
    return datetime.fromisoformat(row["published"].replace("Z", "+00:00")).timestamp()


@pytest.mark.parametrize("name", ["uci", "curated"])
def test_every_item_has_the_fields_a_utc_date_and_its_own_link(name: str) -> None:
    found = rows(name)
    assert found
    for row in found:
        assert row.keys() >= FIELDS, row
        assert row["set"] == name and row["title"].strip() and row["label"]
        assert row["published"].endswith("Z"), row["published"]
    assert len({row["link"] for row in found}) == len(found)


def test_uci_keeps_the_87_stories_of_its_6366_headlines_each_whole_in_one_split() -> None:
    found = rows("uci")
    assert (len(found), len({row["label"] for row in found})) == (6366, 87)
    splits: dict[str, set[str]] = defaultdict(set)
    for row in found:
        splits[row["label"]].add(row["split"])
    assert all(len(names) == 1 for names in splits.values())
    assert Counter(next(iter(names)) for names in splits.values()) == {"tune": 43, "test": 44}


def test_curated_has_the_demo_story_in_four_scripts_and_six_languages() -> None:
    found = [row for row in rows("curated") if row["label"] == "sora-hollywood-licensing"]
    titles = {row["title"] for row in found}
    assert "OpenAI Courts Hollywood Studios With Sora Licensing Program" in titles
    assert "OpenAI wants Hollywood to make its next blockbuster with Sora" in titles
    assert {row["lang"] for row in found} >= {"en", "ja", "es", "de", "fr", "ko"}
    assert any(row["summary"] for row in found) and any(not row["summary"] for row in found)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("wgae-vox-media-contract", "wgae-vice-media-contract"),
        ("game-strike-day-100", "game-strike-day-101"),
        ("wbd-q2-results", "wbd-q3-results"),
        ("long-shore-season-2-premiere", "long-shore-season-3-renewal"),
        ("universal-names-chen-marketing-president", "paramount-names-okafor-marketing-president"),
        ("sag-aftra-tentative-deal", "sag-aftra-board-sends-to-vote"),
        ("meridian-sues-framewise", "framewise-motion-to-dismiss-denied"),
    ],
)
def test_curated_near_misses_and_sibling_events_are_separate_stories_with_copies(
    one: str, other: str
) -> None:
    labels = Counter(row["label"] for row in rows("curated"))
    assert labels[one] >= 2 and labels[other] >= 2


def test_curated_repeats_some_text_more_than_72_hours_later_as_another_story() -> None:
    found = rows("curated")
    by_title: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in found:
        by_title[row["title"]].append(row)
    late = [
        (a["label"], b["label"])
        for same in by_title.values()
        for a in same
        for b in same
        if epoch(b) - epoch(a) > 72 * HOUR
    ]
    assert late and all(first != second for first, second in late)
    assert len(found) >= 120


def test_the_bench_feeds_carry_every_item_with_its_title_link_and_date() -> None:
    corpus = _module("story_corpus")
    now = 1_800_000_000.0
    records = corpus.load(DATA / "curated.jsonl", now)
    assert max(r.published for r in records) == now - corpus.NEWEST_AGE
    seen: dict[tuple[str, str], float | None] = {}  # (outlet's feed, title) -> published
    for path, body in corpus.feeds(records).items():
        parsed = parse_feed(body, f"http://127.0.0.1{path}", "application/rss+xml", now)
        for item in parsed.items:
            # A Google News copy's link is its publisher's page, decoded from the article id.
            assert item.link is not None and "news.google.com" not in item.link
            seen[path, item.title] = item.published
    assert len(seen) == len(records)
    outlets = sorted({record.outlet for record in records})
    paths = {outlet: f"/feed/{n}.xml" for n, outlet in enumerate(outlets)}  # as feeds() names
    for record in records:
        # the product folds whitespace, and drops a Google News copy's ` - Publisher` suffix
        expected = " ".join(record.title.split())
        key = next(
            (paths[record.outlet], title)
            for title in (expected, expected.rpartition(" - ")[0])
            if (paths[record.outlet], title) in seen
        )
        assert seen[key] == pytest.approx(record.published, abs=1.0)


def test_the_bench_finds_each_items_story_by_link_guid_or_title_and_counts_the_lost() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        quality = _module("stories_quality")
    finally:
        sys.path.pop(0)
    record = _module("story_corpus").Record
    records = [
        record("s", "all", "a", "One", "", "https://a.example/1", "A", 0.0, "en"),
        record("s", "all", "a", "Two", "", "https://a.example/2\\?x", "A", 0.0, "en"),
        record("s", "all", "b", "Three - B", "", "https://news.google.com/x", "G", 0.0, "en"),
        record("s", "all", "b", "Four", "", "https://a.example/4", "A", 0.0, "en"),
    ]
    copy = quality.Copy
    copies = [
        copy("https://a.example/1", "One", "A", 7),
        copy("", "Two, updated", "A", 7, guid="https://a.example/2\\?x"),  # link dropped
        copy("https://b.example/3", "Three - B", "G", 9),  # the product chose another link
    ]
    predicted, lost = quality.match(records, copies)
    assert predicted[:3] == [7, 7, 9]
    assert lost == 1 and predicted[3] == ("lost", 3)
