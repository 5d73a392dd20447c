"""Issue 11 item 1, HARDENING B1/B2: a feed's entities are bounded before any parser reads it,
and a parse that still runs away stops at its worker's memory and CPU limits, as a failed
fetch with a reason."""

from __future__ import annotations

import codecs
import time
from pathlib import Path
from typing import Any

import pytest

from bot.ingest.parse import MAX_ENTITY_EXPANSION, ParsedFeed, parse_feed
from bot.ingest.parsepool import ParsePool
from tests.feeds import Entry, rss
from tests.pipeline_helpers import Clock, make_app, write_config

NOW = 1_800_000_000.0
OVER = f"not a feed: entity expansion over {MAX_ENTITY_EXPANSION} bytes"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
PODCAST = CORPUS / "rss-parser" / "test" / "input" / "giantbomb-podcast.rss"


def feed(doctype: str, text: str, items: int = 20) -> bytes:
    """An RSS feed whose every description is `text`, after `doctype` (feedparser keeps
    entity declarations only at the start of a line, so each has its own)."""
    entries = "".join(
        f"<item><title>Story {n}</title><link>https://a.example/{n}</link>"
        f"<description>{text}</description></item>"
        for n in range(items)
    )
    return (
        f'<?xml version="1.0"?>\n{doctype}\n<rss version="2.0"><channel><title>t</title>'
        f"{entries}</channel></rss>"
    ).encode()


def declare(*entities: tuple[str, str]) -> str:
    lines = "".join(f'<!ENTITY {name} "{value}">\n' for name, value in entities)
    return f"<!DOCTYPE rss [\n{lines}]>"


LAUGHS = [("a", "lol" * 10)] + [(chr(98 + n), f"&{chr(97 + n)};" * 10) for n in range(6)]
PADDING = "<!--" + "p" * 70_000 + "-->\n"  # past the first 64 KiB the DOCTYPE check reads


@pytest.mark.parametrize(
    "body",
    [
        # The shape: one long value, many references (30 MB from 36 KiB).
        feed(declare(("ab", "x" * 30_000)), "&ab;" * 50),
        # Many references to a short value.
        feed(declare(("ab", "x" * 100)), "&ab;" * 600),
        # References without a semicolon, which only feedparser's loose parser expands.
        feed(declare(("ab", "x" * 30_000)), "&ab " * 50),
        # The same bomb behind a long comment, past where the DOCTYPE check looked before.
        feed(PADDING + declare(("ab", "x" * 30_000)), "&ab;" * 50),
        # Nested definitions behind it: billion laughs, each level multiplying the last.
        feed(PADDING + declare(*LAUGHS), "&g;", items=3),
        # Just over the limit: 1,100 references to 1,000 bytes.
        feed(declare(("ab", "x" * 1000)), "&ab;" * 55),
    ],
    ids=["long-value", "many-refs", "no-semicolons", "past-64KiB", "nested-past-64KiB", "edge"],
)
def test_a_feed_whose_entities_expand_past_the_limit_is_refused_with_a_reason(
    body: bytes,
) -> None:
    parsed = parse_feed(body, "https://feed.example/", now=NOW)
    assert parsed.items == () and parsed.error == OVER


def bomb(codec: str = "utf-8", bom: bytes = b"", declared: str | None = None) -> bytes:
    """A 1.5 MB entity bomb (50 references to 30,000 bytes) written in `codec`, after `bom`,
    its XML declaration naming `declared` (no declaration when None)."""
    head = f'<?xml version="1.0" encoding="{declared}"?>\n' if declared else ""
    body = feed(declare(("ab", "x" * 30_000)), "&ab;" * 50).decode().split("\n", 1)[1]
    encoded = (head + body).encode(codec)
    if codec == "utf-7":  # Python writes "<!" as is; UTF-7 may also spell them in base64
        encoded = encoded.replace(b"<!ENTITY", b"+ADwAIQ-ENTITY")
    return bom + encoded


@pytest.mark.parametrize(
    ("codec", "bom", "declared"),
    [
        ("utf-16-le", codecs.BOM_UTF16_LE, "UTF-16"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "UTF-16"),
        ("utf-16-le", b"", "UTF-16"),
        ("utf-16-be", b"", "UTF-16"),
        ("utf-32-le", codecs.BOM_UTF32_LE, "UTF-32"),
        ("utf-32-be", codecs.BOM_UTF32_BE, "UTF-32"),
        ("utf-32-le", b"", "UTF-32"),
        ("utf-32-be", b"", "UTF-32"),
        ("utf-7", b"", "UTF-7"),  # ASCII bytes, yet "<!" is "+ADwAIQ-": no "<!ENTITY" in them
        ("cp037", b"", "cp037"),  # EBCDIC
    ],
    ids=lambda value: value.hex() or "no-bom" if isinstance(value, bytes) else value,
)
def test_an_entity_bomb_in_an_encoding_other_than_utf8_is_refused(
    codec: str, bom: bytes, declared: str
) -> None:
    """The check reads the text the parsers read, decoded as feedparser decodes it, not the
    raw bytes, where "<!ENTITY" in UTF-16 or UTF-32 is not the ASCII bytes."""
    parsed = parse_feed(bomb(codec, bom, declared), "https://feed.example/", now=NOW)
    assert parsed.items == () and parsed.error == OVER


def test_an_external_entity_in_utf16_is_refused() -> None:
    doctype = '<!DOCTYPE rss [\n<!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>'
    text = feed(doctype, "&xxe;").decode().replace('"1.0"?>', '"1.0" encoding="UTF-16"?>')
    parsed = parse_feed(text.encode("utf-16"), "https://feed.example/", now=NOW)
    assert parsed.items == () and parsed.error == "not a feed: external entities are refused"


def test_an_entity_bomb_in_the_charset_of_the_http_header_only_is_refused() -> None:
    body = bomb("utf-16-le")  # no BOM, no XML declaration: only Content-Type names it
    content_type = "application/rss+xml; charset=utf-16le"
    parsed = parse_feed(body, "https://feed.example/", content_type, now=NOW)
    assert parsed.items == () and parsed.error == OVER


@pytest.mark.parametrize("separator", ["\n", " "], ids=["own-lines", "one-line"])
def test_a_repeated_entity_declaration_is_counted_at_its_largest(separator: str) -> None:
    """XML keeps an entity's first declaration, feedparser's loose parser its last: a short
    first value must not hide a long second one (the loose parser takes over when expat stops
    at an undefined entity in a title)."""
    doctype = (
        f'<!DOCTYPE rss [<!ENTITY ab "x">{separator}<!ENTITY ab "{"A" * 10_000}">{separator}]>'
    )
    body = feed(doctype, "&ab;" * 200).replace(b"Story 0", b"Story &undefinedent; 0")
    parsed = parse_feed(body, "https://feed.example/", now=NOW)
    assert parsed.items == () and parsed.error == OVER


def test_entities_just_under_the_limit_are_expanded() -> None:
    body = feed(declare(("ab", "x" * 1000)), "&ab;" * 50)  # 1,000 references: 1,000,000 bytes
    parsed = parse_feed(body, "https://feed.example/", now=NOW)
    assert parsed.error is None and len(parsed.items) == 20
    assert parsed.items[0].summary.startswith("xxxx")


@pytest.mark.parametrize("codec", ["utf-8", "utf-16"])
def test_the_reader_212_feed_with_its_xhtml_and_id_entities_parses(codec: str) -> None:
    """lemon24/reader #212: an Atom feed names its XHTML namespace and id prefix as entities
    (in UTF-16 too, where the check reads the decoded text)."""
    entries = "".join(
        f"<entry><title>Sora {n}</title><id>&id;2016-07-18:/blog/{n}</id>"
        f'<link href="https://a.example/{n}"/><updated>2026-07-18T05:14:09+00:00</updated>'
        f'<summary type="xhtml"><div xmlns="&xhtml;"><p>Story {n}</p></div></summary></entry>'
        for n in range(500)
    )
    body = (
        f'<?xml version="1.0" encoding="{codec}"?>\n<!DOCTYPE feed [\n'
        '  <!ENTITY xhtml "http://www.w3.org/1999/xhtml">\n'
        '  <!ENTITY id "tag:example.com,">\n]>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>{entries}</feed>'
    ).encode(codec)
    parsed = parse_feed(body, "https://feed.example/", now=NOW)
    assert parsed.error is None and len(parsed.items) == 500
    assert parsed.items[7].identity == "tag:example.com,2016-07-18:/blog/7"
    assert parsed.items[7].summary == "Story 7"


async def test_an_entity_bomb_served_to_a_poll_fails_that_source_with_the_reason(
    tmp_path: Path, feed_server: Any
) -> None:
    clock = Clock()
    good = rss([Entry("Sora ships", "https://b.example/1", published=clock.now)])
    feed_server.add("/bomb.xml", body=feed(declare(("ab", "x" * 30_000)), "&ab;" * 50 * 5))
    feed_server.add("/good.xml", body=good, content_type="application/rss+xml")
    bomb, other = feed_server.url("/bomb.xml"), feed_server.url("/good.xml")
    config = write_config(tmp_path, feeds=[bomb, other], watches=["Sora"])
    app = make_app(config, clock)
    try:
        report = await app.cycle(all_sources=True)
        [error] = app.db.execute("SELECT last_error FROM sources WHERE url = ?", [bomb]).fetchone()
    finally:
        await app.close()
    assert report.poll.failed == {bomb: OVER} and error == OVER
    assert report.poll.new_items == 1


# Parse tasks for a pool under test: named bodies misbehave, anything else is parsed.


def hostile(body: bytes, url: str, content_type: str | None, now: float) -> ParsedFeed:
    if body == b"hog":  # 2 GiB at once, as a parse that runs away would reach
        block = bytearray(2 << 30)
        return ParsedFeed(title="", items=(), error=f"allocated {len(block)} bytes")
    if body == b"spin":  # CPU without end (a minute, so a missing limit fails, not hangs)
        end = time.process_time() + 60
        while time.process_time() < end:
            pass
        return ParsedFeed(title="", items=(), error="spun a minute")
    return parse_feed(body, url, content_type, now)


SMALL = rss([Entry("Sora ships", "https://a.example/1", published=NOW)])


async def test_a_parse_past_the_memory_limit_fails_with_a_reason_and_the_worker_carries_on() -> (
    None
):
    pool = ParsePool(1, task=hostile)
    try:
        parsed = await pool.parse(1, b"hog", "https://feed.example/", None, NOW)
        [worker] = pool.pids()
        after = await pool.parse(2, SMALL, "https://feed.example/", None, NOW)
        assert pool.pids() == [worker]
    finally:
        pool.close()
    assert parsed.items == () and parsed.error == "parse failed: it took over 1024 MiB"
    assert after.error is None and len(after.items) == 1


async def test_a_parse_past_its_cpu_limit_fails_with_a_reason_and_the_next_parse_works() -> None:
    pool = ParsePool(1, cpu_seconds=1, task=hostile)
    try:
        parsed = await pool.parse(1, b"spin", "https://feed.example/", None, NOW)
        after = await pool.parse(2, SMALL, "https://feed.example/", None, NOW)
    finally:
        pool.close()
    assert parsed.items == ()
    assert parsed.error == "parse worker died (over 1 s of CPU: killed by signal 24, SIGXCPU)"
    assert after.error is None and len(after.items) == 1


def big_feed() -> bytes:
    """Near the 10 MiB a fetch lets through, in 4-byte characters: the most text a parse
    can be given (2,450 entries, 500 of them kept)."""
    text = "Sora 😀" + "😀" * 1000
    return rss(
        [Entry(f"{text[:40]} {n}", f"https://a.example/{n}", summary=text) for n in range(2450)]
    )


@pytest.mark.skipif(not PODCAST.is_file(), reason="shared/corpus is not beside this checkout")
async def test_large_real_feeds_parse_within_the_worker_limits() -> None:
    pool = ParsePool(1)
    try:
        podcast = await pool.parse(1, PODCAST.read_bytes(), "https://feed.example/", None, NOW)
        biggest = await pool.parse(2, big_feed(), "https://feed.example/", None, NOW)
        bom = b"\xef\xbb\xbf" + big_feed()  # a byte-order mark: feedparser's path, not the fast one
        slow = await pool.parse(3, bom, "https://feed.example/", None, NOW)
    finally:
        pool.close()
    assert podcast.error is None and len(podcast.items) == 500
    assert biggest.error is None and len(biggest.items) == 500
    assert slow.error is None and len(slow.items) == 500  # feedparser's own path
