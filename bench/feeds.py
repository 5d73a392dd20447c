"""Realistic generated feeds, watchlists, configs and a loopback feed server for the benches.

Deterministic (seeded): 300 RSS 2.0 feeds of 50 items by default, titles of about ten
words, summaries of about sixty words of HTML, categories, copies of one story across
feeds under near-identical titles, and some Google-News-like search feeds (a ` - Publisher`
title suffix, a news.google.com link, a description that only repeats the headline, and
`<source>`). The server answers 304 to a matching If-None-Match.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape


def _words(text: str) -> list[str]:
    return text.split()


WORDS = _words(
    "the a of to in and for on with at by from after over new says could will amid "
    "plans deal talks report film studio streaming box office season series deal strike "
    "union actors writers contract vote court ruling lawsuit judge chief executive market "
    "shares investors earnings quarter revenue growth launch model video tool artificial "
    "intelligence generative data privacy policy government election campaign senator "
    "minister budget tax climate energy storm weather city police fire health hospital "
    "vaccine study research scientists space mission rocket satellite phone chip maker "
    "factory jobs workers wages inflation rates bank fed economy trade tariffs exports "
    "china europe india brazil africa canada mexico japan korea australia festival "
    "premiere trailer sequel franchise director producer award nominations oscars emmys "
    "music album tour concert singer band fans tickets sports league team coach player "
    "final cup title record injury transfer season opener weekend ratings audience "
    "network cable channel subscribers price hike password sharing ads platform app "
    "update users security breach hackers outage cloud software startup funding round "
    "valuation acquisition merger regulators antitrust probe fine settlement appeal"
)
PREFIXES = _words("al be ca da el fa ga ha ja ka la ma na pa ra sa ta va wa za cor mer lin")
SUFFIXES = _words("ton ville via tex nix corp ly ora ano ex ium ara ent ica io os")
CATEGORIES = [
    w.title()
    for w in _words(
        "film tv music business tech ai politics world sports science health "
        "media streaming labor legal markets gaming culture awards climate"
    )
]
REAL = ["OpenAI", "Sora", "Hollywood", "SAG-AFTRA", "WGA", "Netflix", "Disney", "Warner"]
DAY = 86400.0


def _entities(rng: random.Random, count: int) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        names.add((rng.choice(PREFIXES) + rng.choice(PREFIXES) + rng.choice(SUFFIXES)).title())
    return sorted(names) + REAL


@dataclass
class Story:
    title_words: list[str]
    entities: list[str]
    slug: str
    published: float


@dataclass
class Corpus:
    """Feed bodies by path, and the names watches are made from."""

    bodies: dict[str, bytes]
    entities: list[str]
    words: list[str]


def _title(rng: random.Random, entities: list[str]) -> tuple[list[str], list[str]]:
    who = rng.sample(entities[:-8], 2) if rng.random() < 0.9 else [rng.choice(REAL), "OpenAI"]
    words = [rng.choice(WORDS) for _ in range(8)]
    words.insert(rng.randrange(3), who[0])
    words.insert(rng.randrange(4, 9), who[1])
    words[0] = words[0].title()
    return words, who


def _summary(rng: random.Random, who: list[str], link: str) -> str:
    words = [rng.choice(WORDS) for _ in range(60)]
    words[rng.randrange(10)] = who[0]
    words[rng.randrange(20, 40)] = who[1]
    words[5] = f'<a href="{link}">{words[5]}</a>'
    words[30] = f"<b>{words[30]}</b>"
    words[45] = words[45] + "&nbsp;&amp;"
    half = len(words) // 2
    return f"<p>{' '.join(words[:half])}.</p><p>{' '.join(words[half:])} &#8230;</p>"


def _vary(rng: random.Random, words: list[str]) -> list[str]:
    """A near-identical title: one word changed, or the same, or a publisher suffix."""
    out = list(words)
    roll = rng.random()
    if roll < 0.4:
        out[rng.randrange(3, len(out))] = rng.choice(WORDS)
    elif roll < 0.7:
        out += ["-", rng.choice(["Reuters", "AP", "Variety", "Deadline"])]
    return out


def _rss(title: str, items: list[str]) -> bytes:
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>{escape(title)}</title><link>https://feeds.example/</link>"
        "<description>generated</description>"
    )
    return (head + "\n".join(items) + "</channel></rss>").encode("utf-8")


def build_corpus(
    feeds: int = 300, items: int = 50, now: float | None = None, seed: int = 6
) -> Corpus:
    """`feeds` RSS bodies of `items` entries each, a tenth of them search-like."""
    rng = random.Random(seed)
    stamp = time.time() if now is None else now
    entities = _entities(rng, 3000)
    shared = []
    for n in range(feeds * items // 8):
        words, who = _title(rng, entities)
        shared.append(Story(words, who, f"shared-{n}", stamp - rng.uniform(0, 3 * DAY)))
    bodies: dict[str, bytes] = {}
    for f in range(feeds):
        search = f % 10 == 9
        outlet = f"Outlet {f}"
        host = f"www.outlet{f}.example"
        entries = []
        for i in range(items):
            if rng.random() < 0.25:
                story = rng.choice(shared)
                words, who, published = (
                    _vary(rng, story.title_words),
                    story.entities,
                    story.published,
                )
                published += rng.uniform(0, 6 * 3600)
                slug = story.slug if rng.random() < 0.3 else f"{story.slug}-{f}"
            else:
                words, who = _title(rng, entities)
                published, slug = stamp - rng.uniform(0, 3 * DAY), f"story-{f}-{i}"
            title = " ".join(words)
            link = f"https://{host}/2026/{slug}/"
            if rng.random() < 0.3:
                link += "?utm_source=rss&utm_medium=feed"
            cats = "".join(
                f"<category>{c}</category>" for c in rng.sample(CATEGORIES, rng.randint(1, 3))
            )
            date = format_datetime(datetime.fromtimestamp(min(published, stamp), UTC))
            if search:
                publisher = f"Publisher {rng.randrange(200)}"
                gnews = f"https://news.google.com/rss/articles/CBMi{rng.getrandbits(96):x}?oc=5"
                desc = (
                    f'<a href="{gnews}" target="_blank">{escape(title)}</a>&nbsp;&nbsp;'
                    f'<font color="#6f6f6f">{publisher}</font>'
                )
                entries.append(
                    f"<item><title>{escape(title)} - {publisher}</title><link>{gnews}</link>"
                    f'<guid isPermaLink="false">CBMi{rng.getrandbits(64):x}</guid>'
                    f"<pubDate>{date}</pubDate><description>{escape(desc)}</description>"
                    f'<source url="https://{publisher.replace(" ", "").lower()}.example">'
                    f"{publisher}</source></item>"
                )
            else:
                entries.append(
                    f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
                    f'<guid isPermaLink="false">{host}-{slug}-{i}</guid>'
                    f"<pubDate>{date}</pubDate>"
                    f"<description>{escape(_summary(rng, who, link))}</description>"
                    f"{cats}<author>desk@example.com (Staff)</author></item>"
                )
        bodies[f"/feed/{f}.xml"] = _rss(outlet, entries)
    return Corpus(bodies=bodies, entities=entities, words=list(WORDS))


def make_queries(corpus: Corpus, count: int, seed: int = 7) -> list[str]:
    """Watch queries: words, phrases, prefixes, OR groups and exclusions over the corpus names."""
    rng = random.Random(seed)
    names, words = corpus.entities, [w for w in corpus.words if len(w) > 3]
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < count:
        kind = len(out) % 6
        a, b = rng.choice(names), rng.choice(names)
        if len(out) < len(REAL):  # the first watches are on names many items carry
            a = REAL[len(out)]
        if kind == 0:
            query = a
        elif kind == 1:
            query = f'"{a} {rng.choice(words)}"'
        elif kind == 2:
            query = f"{a[:5].lower()}* {rng.choice(words)}"
        elif kind == 3:
            query = f"{a} OR {b}"
        elif kind == 4:
            query = f"{a} -{rng.choice(words)}"
        else:
            query = f'({a} | {b}) {rng.choice(words)} -"{rng.choice(words)} {rng.choice(words)}"'
        if query not in seen:
            seen.add(query)
            out.append(query)
    return out


def write_setup(
    folder: Path,
    urls: list[str],
    queries: list[str],
    per_channel: int = 100,
    extra: str = "",
) -> Path:
    """A config with the feeds, and channels of at most `per_channel` watches each."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        'database = "nw.db"',
        "allow_private_networks = true",
        'poll_interval = "1h"',
        extra,
    ]
    lines += [f"[[sources]]\nurl = {json.dumps(url)}" for url in urls]
    for n in range(0, max(1, len(queries)), per_channel):
        chunk = queries[n : n + per_channel]
        listfile = folder / f"list{n // per_channel}.toml"
        listfile.write_text(
            f'name = "bench {n}"\n'
            + "".join(f"[[watch]]\nquery = {json.dumps(q)}\n" for q in chunk),
            encoding="utf-8",
        )
        lines.append(
            f'[[channels]]\ntarget = "jsonl:alerts{n // per_channel}.jsonl"\n'
            f"watchlists = [{json.dumps(str(listfile))}]"
        )
    path = folder / "newswatch.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        body = self.server.bodies.get(self.path)
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    bodies: dict[str, bytes]


@contextmanager
def serve(bodies: dict[str, bytes], hosts: int = 4) -> Iterator[list[str]]:
    """Serve the bodies on `hosts` loopback addresses (the fetcher allows 4 requests a host);
    yield one URL per body, spread over the hosts."""
    servers = []
    for n in range(hosts):
        httpd = _Server((f"127.0.0.{n + 1}", 0), _Handler)
        httpd.bodies = bodies
        threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(httpd)
    try:
        urls = []
        for index, path in enumerate(sorted(bodies, key=lambda p: int(p.split("/")[-1][:-4]))):
            host, port = servers[index % hosts].server_address[:2]
            name = host.decode() if isinstance(host, bytes) else host  # IPv4: always a str
            urls.append(f"http://{name}:{port}{path}")
        yield urls
    finally:
        for httpd in servers:
            httpd.shutdown()
            httpd.server_close()
