"""Store independence: a poll over a store of 1,000,000 items against one of 10,000, and the
latency of `/digest` over a busy channel's week.

    .venv/bin/python bench/store_scale.py [--big 1000000] [--small 10000] [--feeds 300]

Each store is made by open_db (current schema) and then seeded directly, in one
transaction, with realistic rows spread over the last 30 days (the default retention):
items, their stories with the story engine's tables (each story's centroid of weighted
title terms in story_terms, its norms and last_seen, the stories per term in term_docs,
as bot.stories.engine files copies), canonical URLs, and sent alert deliveries (100
channels), and closed as newswatch closes a store (close_db). Then one first `poll
--all` of the generated feeds runs as a child process on each store (user+sys CPU from
os.wait4), then a start with nothing due, with and without the whole-file check, and
`/digest 7d` is timed in process on the busiest channel (bot.chat.commands.handle).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from feeds import WORDS, build_corpus, make_queries, serve, write_setup
from poll_cpu import poll

from bot.chat.commands import Command, handle
from bot.store.db import close_db, open_db
from bot.stories.prior import zipf
from bot.stories.terms import COMMON_ZIPF, RARITY_CEILING, terms_of
from bot.stories.titles import title_key_tokens

DAY = 86400.0
CHANNELS = 100


def seed(path: Path, count: int, now: float, names: list[str], queries: list[str]) -> float:
    """Seed `count` items into a fresh store at `path`; return seconds taken."""
    start = time.perf_counter()
    db = open_db(path)
    conn = db.conn
    rng = random.Random(count)
    vocab = list(WORDS) + names
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO sources (id, url, title, first_polled) VALUES (?, ?, ?, 1)",
        [(n, f"https://seed{n}.example/feed", f"Seed {n}") for n in range(1, 1001)],
    )
    conn.executemany(
        "INSERT INTO channels (id, target) VALUES (?, ?)",
        [(n + 1, f"jsonl:alerts{n}.jsonl") for n in range(CHANNELS)],
    )
    batch: list[tuple[object, ...]] = []
    centroid = _Centroid()
    urls: list[tuple[object, ...]] = []
    stories: list[tuple[object, ...]] = []
    terms: list[tuple[object, ...]] = []
    deliveries: list[tuple[object, ...]] = []
    docs: dict[str, int] = {}
    story = 0
    for item_id in range(1, count + 1):
        seen = now - rng.uniform(0, 30 * DAY)
        if story == 0 or rng.random() > 0.2:  # a fifth of items are copies of the last story
            if story:
                stories.append(centroid.row(story, docs, terms))
            story += 1
            centroid = _Centroid(seen)
            if rng.random() < 0.05:
                channel = 1 if rng.random() < 0.3 else rng.randrange(2, CHANNELS + 1)
                watch = queries[(channel - 1) * 100 + rng.randrange(100)]
                deliveries.append((channel, story, item_id, json.dumps([watch]), seen))
        title = " ".join(rng.choices(vocab, k=10)).capitalize()
        tokens = title_key_tokens(title)
        link = f"https://www.outlet{item_id % 997}.example/2026/{item_id}/"
        batch.append(
            (
                item_id,
                rng.randrange(1, 1001),
                f"guid-{item_id}",
                story,
                f"{item_id:032x}",
                link,
                title,
                " ".join(tokens),
                " ".join(rng.choices(vocab, k=40)),
                f"Outlet {item_id % 997}",
                seen,
                seen,
            )
        )
        centroid.add(tokens, seen)
        urls.append((f"outlet{item_id % 997}.example/2026/{item_id}", story))
        if len(batch) >= 20000:
            _flush(conn, batch, urls, stories, terms, deliveries)
    stories.append(centroid.row(story, docs, terms))
    _flush(conn, batch, urls, stories, terms, deliveries)
    conn.executemany("INSERT INTO term_docs (term, docs) VALUES (?, ?)", docs.items())
    conn.execute("COMMIT")
    close_db(db, path)  # as newswatch leaves a store it wrote: the next poll trusts the file
    return time.perf_counter() - start


class _Centroid:
    """One seeded story's terms as the engine files them: the sum of its copies' title-term
    weights (everyday rarity, common words dropped), its norm and first and last times."""

    def __init__(self, seen: float = 0.0) -> None:
        self.weights: dict[str, float] = {}
        self.first = self.last = seen

    def add(self, tokens: tuple[str, ...], seen: float) -> None:
        for token in tokens:
            common = zipf(token)
            if common < COMMON_ZIPF:
                term = terms_of(token)[0]
                self.weights[term] = self.weights.get(term, 0.0) + RARITY_CEILING - common
        self.first, self.last = min(self.first, seen), max(self.last, seen)

    def row(
        self, story: int, docs: dict[str, int], terms: list[tuple[object, ...]]
    ) -> tuple[object, ...]:
        """The story's row (its terms go to `terms`, its count per term to `docs`)."""
        for term, weight in self.weights.items():
            docs[term] = docs.get(term, 0) + 1
            terms.append((term, story, weight, self.last))
        norm = math.sqrt(sum(weight**2 for weight in self.weights.values()))
        return (story, self.first, self.first, self.last, norm, norm)


def _flush(conn: object, *lists: list[tuple[object, ...]]) -> None:
    import sqlite3

    assert isinstance(conn, sqlite3.Connection)
    batch, urls, stories, terms, deliveries = lists
    conn.executemany(
        "INSERT INTO stories (id, first_seen, published, last_seen, norm, latin_norm) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        stories,
    )
    conn.executemany("INSERT INTO story_terms VALUES (?, ?, ?, ?)", terms)
    conn.executemany(
        "INSERT INTO items (id, source_id, identity, story_id, fingerprint, link, title, "
        "title_key, summary, outlet, published, first_seen) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        batch,
    )
    conn.executemany("INSERT OR IGNORE INTO story_urls VALUES (?, ?)", urls)
    conn.executemany(
        "INSERT INTO deliveries (channel_id, kind, story_id, item_id, watches, status, created, "
        "sent_at) VALUES (?, 'alert', ?, ?, ?, 'sent', ?, ?)",
        [(*row, row[-1]) for row in deliveries],
    )
    for rows in lists:
        rows.clear()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--feeds", type=int, default=300)
    args = parser.parse_args()
    now = time.time()
    corpus = build_corpus(args.feeds, 50, now)
    queries = make_queries(corpus, CHANNELS * 100)
    results = {}
    starts: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory(prefix="nwstore-") as tmp, serve(corpus.bodies) as urls:
        for label, count in (("small", args.small), ("big", args.big)):
            folder = Path(tmp) / label
            config = write_setup(folder, urls, queries[:10])
            took = seed(folder / "nw.db", count, now, corpus.entities, queries)
            size = sum(p.stat().st_size for p in folder.glob("nw.db*")) / 1e6
            run = poll(config, "--all")
            trusted = poll(config)  # nothing due: a start on a file newswatch closed cleanly
            (folder / "nw.db.verified").unlink()  # as after another writer or a crash
            checked = poll(config)  # the same start, reading the whole file (quick_check)
            db = open_db(folder / "nw.db")
            command = Command("digest", "7d", "jsonl:alerts0.jsonl", user="u", can_manage=True)
            handle(db, command, time.time())  # warm, as a running service is
            times = []
            for _ in range(5):
                start = time.perf_counter()
                reply = handle(db, command, time.time())
                times.append(time.perf_counter() - start)
            stories = (
                sum(len(s.stories) + s.more for s in reply.digest.sections) if reply.digest else 0
            )
            alerts = db.conn.execute(
                "SELECT COUNT(*) FROM deliveries WHERE channel_id = 1 AND created >= ?",
                [now - 7 * DAY],
            ).fetchone()[0]
            db.conn.close()
            results[label] = (count, took, size, run, max(times), stories, alerts)
            starts[label] = (trusted.cpu, checked.cpu)
            shutil.rmtree(folder, ignore_errors=True)
    print(
        f"{'store':8} {'items':>9} {'seed s':>7} {'db MB':>7} {'poll cpu s':>10} "
        f"{'poll rss MB':>11} {'digest ms':>9}  digest size"
    )
    for label, (count, took, size, run, worst, stories, alerts) in results.items():
        print(
            f"{label:8} {count:9d} {took:7.1f} {size:7.0f} {run.cpu:10.2f} {run.rss_mb:11.1f} "
            f"{worst * 1000:9.1f}  {alerts} alerts in the week, {stories} listed"
        )
    for label, (trusted_cpu, checked_cpu) in starts.items():
        print(
            f"{label}: a start costs {trusted_cpu:.2f} s CPU on a file newswatch closed, "
            f"{checked_cpu:.2f} s when it must check the whole file (after another writer)"
        )
    ratio = results["big"][3].cpu / results["small"][3].cpu
    digest_ms = results["big"][4] * 1000
    print(
        f"\nstore-independent: poll(big) / poll(small) = {ratio:.2f} "
        f"(<= 1.2: {'PASS' if ratio <= 1.2 else 'FAIL'})"
    )
    print(
        f"digest 7d on the busiest channel, worst of 5: {digest_ms:.0f} ms "
        f"(< 200: {'PASS' if digest_ms < 200 else 'FAIL'})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
