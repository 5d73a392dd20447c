"""Story quality of the real product on the labelled corpus (bench/data/stories/).

    .venv/bin/python bench/stories_quality.py [--sets uci,curated] [--split each|all|tune|test]
                                              [--worst 5] [--inprocess | --baseline] [--keep DIR]
                                              [--sequential]

For each labelled set (and each split of it: `tune` to tune on, `test` to report on, and
both together), serves the set as one RSS feed per outlet on loopback, runs a first
`newswatch poll --all` as a child process with a temporary config (allow_private_networks,
one jsonl channel), reads which story each item went to (`newswatch stories --json` when
that command exists, else the SQLite file), and prints B-cubed and pairwise precision and
recall, stories per true story, and the worst merges and splits.

`--inprocess` skips feeds and the poll: it calls bot.stories.replay.assign_all(items) on
the same items in published order, for fast tuning; exit 2 when that function is missing.
`--baseline` does the same with bench/story_baseline.py, a plain TF-IDF reference.
`--sequential` polls one feed at a time (bot.pollstate.MAX_PARALLEL_FETCHES = 1), so the
items reach the engine in the feeds' order and two runs of one code give the same figures:
with 16 fetches at once the order follows the parses' finishing times, and the figures move
by a few stories between runs of the same code.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from feeds import serve, write_setup
from story_baseline import assign_all as baseline
from story_baseline import headline
from story_corpus import Record, feeds, load, sets
from story_metrics import Mistake, score, worst_merges, worst_splits

from bot.ingest.googlenews import publisher_url

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
ENGINE = "bot.stories.replay.assign_all"
SINCE = "3650d"  # every story the poll made: the sets span days, redated to now


@dataclass(frozen=True)
class Copy:
    """One stored copy as the product reports it: what it can be matched back by, its story."""

    link: str  # the link as stored (the product drops a link it cannot use)
    title: str
    outlet: str
    story: int
    guid: str = ""  # the store's identity: the GUID the bench gave (the corpus link)


# `python -m bot` with one fetch at a time: the stores follow the sources' order.
SEQUENTIAL = (
    "import runpy, sys; import bot.pollstate; bot.pollstate.MAX_PARALLEL_FETCHES = 1; "
    "sys.argv[0] = 'bot'; runpy.run_module('bot', run_name='__main__', alter_sys=True)"
)


def newswatch(
    config: Path, *args: str, sequential: bool = False
) -> subprocess.CompletedProcess[str]:
    start = ["-c", SEQUENTIAL] if sequential else ["-m", "bot"]
    command = [PYTHON, *start, "--config", str(config), *args]
    return subprocess.run(command, cwd=config.parent, capture_output=True, text=True)


def copies_from_cli(config: Path) -> list[Copy] | None:
    """`newswatch stories --json`: one {"story", "copies": [{"link", "title", ...}]} a line;
    None when the command is not there (or says nothing this reader understands)."""
    done = newswatch(config, "stories", "--json", "--since", SINCE)
    if done.returncode != 0:
        return None
    try:
        rows = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
        return [
            Copy(c.get("link") or "", c["title"], c.get("outlet") or "", int(row["story"]))
            for row in rows
            for c in row["copies"]
        ]
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def copies_from_store(database: Path) -> list[Copy]:
    """The store itself, items.link -> items.story_id: until `stories --json` exists."""
    query = "SELECT link, title, outlet, story_id, identity FROM items"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return [Copy(link or "", *rest) for link, *rest in db.execute(query)]


def read_copies(config: Path) -> tuple[list[Copy], str]:
    found = copies_from_cli(config)
    if found is not None:
        return found, "newswatch stories --json"
    return copies_from_store(config.parent / "nw.db"), "the SQLite file (items.story_id)"


def match(records: Sequence[Record], copies: list[Copy]) -> tuple[list[Hashable], int]:
    """Each record's predicted story: by its link (or the GUID that carried it), else by its
    title at its outlet, else by a title only it has. A record the product lost counts as a
    story of its own (so it costs recall), and is counted."""
    by_key: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for copy in copies:
        for key in {("link", copy.link), ("link", copy.guid)} - {("link", "")}:
            by_key[key].append(copy.story)
        by_key[("at", copy.title, copy.outlet)].append(copy.story)
        by_key[("title", copy.title)].append(copy.story)
    predicted: list[Hashable] = []
    lost = 0
    for n, record in enumerate(records):
        # A Google News copy is stored under the publisher's page and headline (SPEC: the
        # publisher's own page first), so it is also looked for there.
        publisher_link = publisher_url(record.link) or record.link
        keys = [
            ("link", record.link),
            ("link", publisher_link),
            ("at", record.title, record.outlet),
            ("title", record.title),
            ("title", headline(record.title)),
        ]
        found = [by_key[key] for key in keys if len(set(by_key.get(key, []))) == 1]
        if found:
            predicted.append(found[0][0])
        else:
            lost += 1
            predicted.append(("lost", n))
    return predicted, lost


def through_poll(
    records: Sequence[Record], keep: Path | None, sequential: bool = False
) -> tuple[list[Hashable], str]:
    with (
        tempfile.TemporaryDirectory(prefix="nwstories-") as tmp,
        serve(feeds(list(records))) as urls,
    ):
        base = keep or Path(tmp)
        config = write_setup(base / "run", urls, ["OpenAI"])
        start = time.perf_counter()
        done = newswatch(config, "poll", "--all", sequential=sequential)
        took = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"poll failed ({done.returncode}): {done.stderr[-2000:]}")
        copies, reader = read_copies(config)
    predicted, lost = match(records, copies)
    note = f"{len(urls)} feeds, poll {took:.1f} s, read from {reader}"
    return predicted, note + (f", {lost} items not found (each counted alone)" if lost else "")


def engine_function() -> Callable[[list[dict[str, Any]]], list[int]]:
    try:
        engine = importlib.import_module("bot.stories.replay")
        return engine.assign_all  # type: ignore[no-any-return]
    except (ImportError, AttributeError) as exc:
        print(f"--inprocess needs bot.stories.replay.assign_all(items): {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def in_process(
    records: Sequence[Record], assign: Callable[[list[dict[str, Any]]], list[int]], name: str
) -> tuple[list[Hashable], str]:
    order = sorted(range(len(records)), key=lambda n: (records[n].published, n))
    items = [
        {
            "title": records[n].title,
            "summary": records[n].summary,
            "link": records[n].link,
            "published": records[n].published,
        }
        for n in order
    ]
    start = time.perf_counter()
    stories = assign(items)
    took = time.perf_counter() - start
    predicted: list[Hashable] = [0] * len(records)
    for n, story in zip(order, stories, strict=True):
        predicted[n] = story
    return predicted, f"in process, {name} {took:.2f} s"


def _example(
    records: Sequence[Record], predicted: Sequence[Hashable], label: str, story: Hashable
) -> str:
    for record, got in zip(records, predicted, strict=True):
        if record.label == label and got == story:
            return record.title[:70]
    return ""


def print_mistakes(
    kind: str, found: list[Mistake], records: Sequence[Record], predicted: Sequence[Hashable]
) -> None:
    print(f"  worst {kind}:" + ("" if found else " none"))
    for mistake in found:
        if kind == "merges":
            head = f"story {mistake.group}: {mistake.wrong_pairs} pairs wrongly together"
        else:
            pieces = len(mistake.parts)
            head = f"{mistake.group}: {mistake.wrong_pairs} pairs kept apart, {pieces} stories"
        print(f"    {head}")
        for part, count in mistake.parts[:4]:
            label, story = (part, mistake.group) if kind == "merges" else (mistake.group, part)
            shown = f"story {part}" if kind == "splits" else str(part)
            example = _example(records, predicted, str(label), story)
            print(f"      {count:4} x {shown}: {example}")
        if len(mistake.parts) > 4:
            print(f"      ... and {len(mistake.parts) - 4} more")


def report(
    name: str, records: Sequence[Record], predicted: Sequence[Hashable], note: str, worst: int
) -> None:
    truth = [record.label for record in records]
    s = score(truth, predicted)
    print(f"\n== {name}: {note}")
    print(
        f"  items {s.items}  true stories {s.true_stories}  predicted stories "
        f"{s.predicted_stories}  stories per true story {s.stories_per_true_story:.2f}"
    )
    print(
        f"  B-cubed precision {s.bcubed_precision:.3f}  recall {s.bcubed_recall:.3f}  "
        f"F1 {s.bcubed_f1:.3f}   pairwise precision {s.pairwise_precision:.3f}  "
        f"recall {s.pairwise_recall:.3f}"
    )
    print_mistakes("merges", worst_merges(truth, predicted, worst), records, predicted)
    print_mistakes("splits", worst_splits(truth, predicted, worst), records, predicted)


def runs(records: list[Record], split: str) -> list[tuple[str, list[Record]]]:
    """Which subsets to run: each split alone and all together, or just the one asked for."""
    present = sorted({record.split for record in records})
    if split == "all" or present == ["all"]:
        return [("all", records)]
    if split != "each":
        return [(split, [record for record in records if record.split == split])]
    chosen = [(name, [r for r in records if r.split == name]) for name in present]
    return [*chosen, ("all", records)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", help="comma-separated set names (default: every file)")
    parser.add_argument("--split", default="each", help="each, all, or one split's name")
    parser.add_argument("--worst", type=int, default=5, help="merges and splits to show")
    parser.add_argument("--inprocess", action="store_true", help="call assign_all directly")
    parser.add_argument("--baseline", action="store_true", help="the TF-IDF reference instead")
    parser.add_argument("--keep", type=Path, help="keep the config, store and alerts here")
    parser.add_argument("--sequential", action="store_true", help="poll one feed at a time")
    args = parser.parse_args(argv)
    chosen = sets(args.sets.split(",") if args.sets else None)
    if args.inprocess:
        engine_function()  # say so at once, before any work, when it is missing
    now = time.time()
    for set_name, path in chosen.items():
        for split, records in runs(load(path, now), args.split):
            if not records:
                print(f"\n== {set_name}/{split}: no items")
                continue
            keep = args.keep / f"{set_name}-{split}" if args.keep else None
            if args.baseline:
                predicted, note = in_process(records, baseline, "bench/story_baseline.py")
            elif args.inprocess:
                predicted, note = in_process(records, engine_function(), ENGINE)
            else:
                predicted, note = through_poll(records, keep, args.sequential)
            report(f"{set_name}/{split}", records, predicted, note, args.worst)
    return 0


if __name__ == "__main__":
    sys.exit(main())
