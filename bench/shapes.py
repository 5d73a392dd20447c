"""Feed shapes for bench/poll_cpu.py `--shape`, so no single generator decides a CPU figure.

  default      bench/feeds.build_corpus, unchanged: ~10-word titles, ~60-word HTML summaries
  rich         ~150-word HTML summaries (paragraphs, links, lists, images, entities) and
               titles drawn from a vocabulary of ~20,000 words
  title-only   the default titles and copies, with no description and no categories
  small-vocab  titles and summaries from ~300 common English words only, so every title
               shares common words with thousands of others
  real         items of the real captured feeds in tests/fixtures/corpus (rss-parser's and
               node-feedparser's), titles and summaries as captured, re-dated to now
  real-titles  the real aggregator headlines of bench/data/stories/*.jsonl, titles only

Every shape is deterministic (seeded), RSS 2.0, `feeds` x `items`, served as /feed/N.xml.
The generated ones carry copies of one story across feeds as the default does (a quarter
of the items, under near-identical titles).
"""

from __future__ import annotations

import io
import json
import random
import time
import warnings
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from feeds import DAY, REAL, WORDS, Corpus, _entities, _rss, _vary, build_corpus

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "corpus"
REAL_GROUPS = ("rss-parser/test/input", "node-feedparser/test/feeds")
STORIES = Path(__file__).resolve().parent / "data" / "stories"


def _split(text: str) -> list[str]:
    return text.split()


# ~300 of the commonest English words: no names, nothing rare.
COMMON = _split(
    "the of and to a in is it you that he was for on are with as his they be at one have "
    "this from or had by not word but what some we can out other were all there when up use "
    "your how said an each she which do their time if will way about many then them write "
    "would like so these her long make thing see him two has look more day could go come did "
    "number sound no most people my over know water than call first who may down side been "
    "now find any new work part take get place made live where after back little only round "
    "man year came show every good me give our under name very through just form sentence "
    "great think say help low line differ turn cause much mean before move right boy old too "
    "same tell does set three want air well also play small end put home read hand port large "
    "spell add even land here must big high such follow act why ask men change went light "
    "kind off need house picture try us again animal point mother world near build self earth "
    "father head stand own page should country found answer school grow study still learn "
    "plant cover food sun four between state keep eye never last let thought city tree cross "
    "farm hard start might story saw far sea draw left late run while press close night real "
    "life few north open seem together next white children begin got walk example ease paper "
    "group always music those both mark often letter until mile river car feet care second "
    "book carry took science eat room friend began idea fish mountain stop once base hear "
    "horse cut sure watch color face wood main enough plain girl usual young ready above ever "
    "red list though feel talk bird soon body dog family direct pose leave song measure door"
)


def _date(published: float) -> str:
    return format_datetime(datetime.fromtimestamp(published, UTC))


def _entry(title: str, link: str, published: float, description: str = "") -> str:
    desc = f"<description>{escape(description)}</description>" if description else ""
    return (
        f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
        f'<guid isPermaLink="false">{escape(link)}</guid><pubDate>{_date(published)}</pubDate>'
        f"{desc}</item>"
    )


def _big_vocabulary(rng: random.Random, size: int = 20_000) -> list[str]:
    syllables = [c + v for c in "bcdfghjklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai")]
    found: set[str] = set(WORDS)
    while len(found) < size:
        found.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return sorted(found)


def _rich_summary(rng: random.Random, vocab: list[str], who: list[str], link: str) -> str:
    words = [rng.choice(vocab) for _ in range(150)]
    words[rng.randrange(10)] = who[0]
    words[rng.randrange(40, 90)] = who[1]
    words[7] = f'<a href="{link}">{words[7]}</a>'
    words[33] = f"<em>{words[33]}</em>&#8217;s"
    words[61] = f"<b>{words[61]}</b> &amp;"
    third = len(words) // 3
    items = "".join(f"<li>{w}</li>" for w in words[third : third + 5])
    return (
        f'<p><img src="{link}hero.jpg" alt="{words[3]}" width="640"/></p>'
        f"<p>{' '.join(words[:third])}.</p><ul>{items}</ul>"
        f"<p>{' '.join(words[third + 5 : 2 * third])}.</p>"
        f"<p>{' '.join(words[2 * third :])} &#8230;</p>"
    )


Text = Callable[[random.Random], tuple[list[str], list[str]]]  # title words, its names
Summary = Callable[[random.Random, list[str], str], str]


def _generated(
    feeds: int, items: int, stamp: float, title: Text, summary: Summary | None
) -> dict[str, bytes]:
    """Feeds of fresh titles and, for a quarter of the items, copies of shared stories."""
    rng = random.Random(13)
    shared = [(*title(rng), stamp - rng.uniform(0, 3 * DAY)) for _ in range(feeds * items // 8)]
    bodies: dict[str, bytes] = {}
    for f in range(feeds):
        entries = []
        for i in range(items):
            if rng.random() < 0.25:
                words, who, published = rng.choice(shared)
                words, published = _vary(rng, words), published + rng.uniform(0, 6 * 3600)
            else:
                words, who = title(rng)
                published = stamp - rng.uniform(0, 3 * DAY)
            link = f"https://www.outlet{f}.example/2026/story-{f}-{i}/"
            text = summary(rng, who, link) if summary else ""
            entries.append(_entry(" ".join(words), link, min(published, stamp), text))
        bodies[f"/feed/{f}.xml"] = _rss(f"Outlet {f}", entries)
    return bodies


def _named_title(names: list[str], vocab: list[str]) -> Text:
    def title(rng: random.Random) -> tuple[list[str], list[str]]:
        who = rng.sample(names, 2)
        words = [rng.choice(vocab) for _ in range(8)]
        words.insert(rng.randrange(3), who[0])
        words.insert(rng.randrange(4, 9), who[1])
        words[0] = words[0].title()
        return words, who

    return title


def _common_title(rng: random.Random) -> tuple[list[str], list[str]]:
    words = [rng.choice(COMMON) for _ in range(10)]
    words[0] = words[0].title()
    return words, words[2:4]


def _common_summary(rng: random.Random, who: list[str], link: str) -> str:
    words = [rng.choice(COMMON) for _ in range(60)]
    words[5] = f'<a href="{link}">{words[5]}</a>'
    return f"<p>{' '.join(words[:30])}.</p><p>{' '.join(words[30:])}.</p>"


def _names(words: list[str], limit: int = 3000) -> list[str]:
    """Names for watch queries: the capitalized words the texts carry most, padded with
    generated names to `limit`, since bench/feeds.make_queries needs thousands of distinct
    ones (a sixth of its queries is a bare name) or it never finishes."""
    counts = Counter(w.strip(".,:;'\"!?()") for t in words for w in t.split())
    names = [w for w, _ in counts.most_common() if len(w) > 3 and w.isalnum() and w[0].isupper()]
    names = names[:limit]
    padding = [n for n in _entities(random.Random(19), limit) if n not in set(names)]
    return names + padding[: max(0, limit - len(names))] + REAL


def _real_items() -> list[tuple[str, str]]:
    """(title, summary) of every titled entry of the vendored real captured feeds, in order."""
    import feedparser

    found: list[tuple[str, str]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for group in REAL_GROUPS:
            for path in sorted(p for p in (FIXTURES / group).iterdir() if p.is_file()):
                parsed = feedparser.parse(io.BytesIO(path.read_bytes()), sanitize_html=False)
                for entry in parsed.entries:
                    title = (entry.get("title") or "").strip()
                    if title:
                        found.append((title, entry.get("summary") or ""))
    return list(dict.fromkeys(found))  # each distinct item once, first seen first


def _story_titles() -> list[tuple[str, str]]:
    rows = [
        json.loads(line)
        for path in sorted(STORIES.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line
    ]
    return [(row["title"], "") for row in rows]


def _spread(pool: list[tuple[str, str]], feeds: int, items: int, stamp: float) -> Corpus:
    """The pool's items dealt over the feeds in turn (each feed a different run of it), every
    copy with its own link, dated within the last three days."""
    rng = random.Random(17)
    bodies: dict[str, bytes] = {}
    for f in range(feeds):
        entries = []
        for i in range(items):
            title, summary = pool[(f * items + i) % len(pool)]
            link = f"https://www.outlet{f}.example/2026/item-{f}-{i}/"
            entries.append(_entry(title, link, stamp - rng.uniform(0, 3 * DAY), summary))
        bodies[f"/feed/{f}.xml"] = _rss(f"Outlet {f}", entries)
    return Corpus(bodies=bodies, entities=_names([t for t, _ in pool]), words=list(WORDS))


def build_shape(shape: str, feeds: int, items: int, now: float | None = None) -> Corpus:
    stamp = time.time() if now is None else now
    if shape == "default":
        return build_corpus(feeds, items, now=stamp)
    rng = random.Random(11)
    names = _entities(rng, 3000)
    if shape == "rich":
        vocab = _big_vocabulary(rng)
        summary: Summary = lambda r, who, link: _rich_summary(r, vocab, who, link)  # noqa: E731
        bodies = _generated(feeds, items, stamp, _named_title(names, vocab), summary)
        return Corpus(bodies=bodies, entities=names, words=vocab[:2000])
    if shape == "title-only":
        bodies = _generated(feeds, items, stamp, _named_title(names, WORDS), None)
        return Corpus(bodies=bodies, entities=names, words=list(WORDS))
    if shape == "small-vocab":
        bodies = _generated(feeds, items, stamp, _common_title, _common_summary)
        # watches name no common word: one that did would alert on most items of every
        # channel (313,581 alerts in a trial run), measuring delivery rather than polling
        return Corpus(bodies=bodies, entities=_names([]), words=list(COMMON))
    if shape == "real":
        return _spread(_real_items(), feeds, items, stamp)
    if shape == "real-titles":
        return _spread(_story_titles(), feeds, items, stamp)
    raise SystemExit(f"unknown shape {shape!r}; choose from {', '.join(SHAPES)}")


SHAPES = ("default", "rich", "title-only", "small-vocab", "real", "real-titles")
