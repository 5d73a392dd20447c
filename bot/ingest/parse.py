"""Feed bytes to clean items: the formats (bot.ingest.fastparse or feedparser), then our identity,
text and date rules.

Runs in a worker process (feedparser costs 100+ ms on a large feed). Never raises for a bad
feed: a body that is not a feed comes back as a ParsedFeed with an error and no items. Only
MemoryError passes through, for the worker (bot.ingest.parsepool) to report its memory limit.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import logging
import re
import time
from dataclasses import dataclass, field, replace
from typing import Any

import feedparser

from bot.ingest import googlenews
from bot.ingest.dates import readable_date
from bot.ingest.decoding import repaired_body, repaired_text
from bot.ingest.entities import MAX_ENTITY_EXPANSION, as_feedparser_reads, refused_doctype
from bot.ingest.fastparse import fast_entries
from bot.ingest.identity import Keys, identities
from bot.ingest.jsonfeed import json_feed, looks_like_json
from bot.ingest.language import day_first
from bot.ingest.links import entry_link
from bot.match.tokens import tokenize
from bot.stories.urls import safe_link
from bot.text import clean_text, html_to_text, shorten_summary

log = logging.getLogger("newswatch.parse")

MAX_ENTRIES = 500  # HARDENING A7: a feed of 10,000 entries is capped, newest first as served
MAX_FIELD_CHARS = 200_000  # matching text per field; a 5 MB summary is cut before tokenizing
FUTURE_SLACK = 86400.0  # a date more than a day ahead is a broken clock: use first-seen instead
EARLIEST = 631152000.0  # 1990-01-01: anything older is a placeholder date such as 0000-00-00
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class FeedItem:
    """One entry, reduced to what newswatch stores, matches and shows."""

    identity: str
    fingerprint: str
    link: str | None
    title: str
    summary: str
    fields: tuple[str, ...]  # title, summary, content, each category: the text a watch sees
    published: float | None
    outlet: str | None


@dataclass
class _Reading:
    """What the entries of one response share while they become items."""

    feed_url: str
    now: float
    day_first: bool | None  # how its numeric dates run (bot.ingest.language)
    unreadable: list[str] = field(default_factory=list)  # date texts no rule could read


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    items: tuple[FeedItem, ...]
    error: str | None = None
    # The first date text no rule could read (bot.ingest.parsepool logs it once per source).
    unreadable_date: str | None = None


def parse_feed(
    body: bytes,
    url: str,
    content_type: str | None = None,
    now: float | None = None,
    *,
    fast: bool = True,
) -> ParsedFeed:
    """Parse a fetched body; a result without entries is an error with a reason.

    A JSON Feed is read by bot.ingest.jsonfeed. A plain UTF-8 RSS or Atom feed takes the fast
    path (bot.ingest.fastparse), which yields the entries feedparser would; anything else, or
    `fast=False`, goes through feedparser.
    """
    body = repaired_body(body, content_type)
    reading = _Reading(url, time.time() if now is None else now, day_first(body))
    if looks_like_json(body, content_type):
        read = json_feed(body, MAX_ENTRIES)
        if isinstance(read, str):
            return ParsedFeed(title="", items=(), error=read)
        if not read[1]:
            return ParsedFeed(title="", items=())
        return _parsed(*read, reading)
    refused = refused_doctype(as_feedparser_reads(body, _headers(url, content_type)))
    if refused:
        return ParsedFeed(title="", items=(), error=f"not a feed: {refused}")
    quick = fast_entries(body, url, content_type, limit=MAX_ENTRIES) if fast else None
    if quick and quick[1]:
        return _parsed(*quick, reading)
    parsed = _feedparser(body, url, content_type)
    if isinstance(parsed, ParsedFeed):
        return parsed
    return _parsed(*parsed, reading)


def _parsed(raw_title: str, entries: list[Any], reading: _Reading) -> ParsedFeed:
    """The items of one response, each with its identity among them (SPEC "Stories")."""
    feed_title = _plain_text(raw_title)[:200]
    built: list[tuple[Keys, FeedItem]] = []
    for entry in entries[:MAX_ENTRIES]:
        try:
            built.append(_item(entry, reading))
        except MemoryError:
            raise
        except Exception:  # one poison entry is dropped; the rest of the feed is kept
            log.warning("dropped an entry that could not be read", extra={"url": reading.feed_url})
    items: dict[str, FeedItem] = {}
    for identity, (_, item) in zip(identities([keys for keys, _ in built]), built, strict=True):
        items.setdefault(identity, replace(item, identity=identity))  # true duplicates (B8)
    first_unreadable = reading.unreadable[0][:100] if reading.unreadable else None
    return ParsedFeed(feed_title, tuple(items.values()), unreadable_date=first_unreadable)


def _feedparser(
    body: bytes, url: str, content_type: str | None
) -> tuple[str, list[Any]] | ParsedFeed:
    """feedparser's feed title and entries, or the ParsedFeed that says why there are none."""
    try:
        # BytesIO: given bytes, feedparser may treat them as a file name or URL (DESIGN traps).
        parsed = feedparser.parse(
            io.BytesIO(body),
            response_headers=_headers(url, content_type),
            sanitize_html=False,  # we convert all markup to plain text ourselves
            resolve_relative_uris=False,
        )
    except MemoryError:  # the worker's limit, not the feed's form: bot.ingest.parsepool says so
        raise
    except Exception as exc:  # feedparser is broad; a bad feed must never take the poll down
        return ParsedFeed(title="", items=(), error=f"not a feed: {type(exc).__name__}")
    entries = parsed.get("entries") or []
    if not entries:
        # A well-formed feed with no entries (a search with no hits today) is a quiet poll;
        # anything else without entries is a failure. Neither ever removes stored state.
        if parsed.get("version") and not parsed.get("bozo"):
            return ParsedFeed(title="", items=())
        return ParsedFeed(title="", items=(), error=_no_entries_reason(parsed))
    feed = parsed.get("feed") or {}
    return str(feed.get("title") or ""), entries


def _headers(url: str, content_type: str | None) -> dict[str, str]:
    """The response headers feedparser is given: its choice of encoding depends on them."""
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    return headers


def _no_entries_reason(parsed: Any) -> str:
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        detail = str(exc).splitlines()[0][:120] if exc else "malformed"
        return f"not a feed: {detail}"
    return "not a feed: no RSS or Atom document found"


def _item(entry: Any, reading: _Reading) -> tuple[Keys, FeedItem]:
    """One entry as an item, with its candidate identity keys (bot.ingest.identity)."""
    feed_url = reading.feed_url
    outlet = _outlet(entry)
    title = _without_outlet(_plain_text(entry.get("title"))[:2000], outlet)
    link = entry_link(entry, feed_url)
    google = googlenews.is_google_news(link)
    if google and link:
        link = safe_link(googlenews.publisher_url(link), feed_url) or link
    raw_summary = _text(entry.get("summary"))
    contents = entry.get("content") or []
    content_html = " ".join(_text(part.get("value")) for part in contents if isinstance(part, dict))
    summary_text = _plain_text(raw_summary[:MAX_FIELD_CHARS])
    if outlet and _echoes_title(summary_text, title):
        raw_summary = summary_text = ""  # a Google News description: the title again, linked
    content_text = _plain_text(content_html[:MAX_FIELD_CHARS]) if content_html else ""
    categories = tuple(
        clean_text(_text(tag.get("term") or tag.get("label")))
        for tag in entry.get("tags") or []
        if isinstance(tag, dict)
    )
    fields = tuple(f for f in (title, summary_text, content_text, *categories) if f)
    body_hash = hashlib.sha256(
        "\x1f".join((title, link or "", summary_text, content_text)).encode()
    )
    fingerprint = body_hash.hexdigest()[:32]
    published = _published(entry, reading)
    primary = (
        googlenews.identity_key(title, _text((entry.get("source") or {}).get("href")))
        if google  # its GUIDs change between fetches: headline and publisher instead
        else clean_text(_text(entry.get("id")))[:1000]
    )
    text_hash = hashlib.sha256("\x1f".join((title, content_text or summary_text)).encode())
    body_hash.update(f"\x1f{published}".encode())  # a last resort only: fingerprint unchanged
    keys = (primary, link or "", "hash:" + text_hash.hexdigest(), "hash:" + body_hash.hexdigest())
    return keys, FeedItem(
        identity=keys[2],
        fingerprint=fingerprint,
        link=link,
        title=title,
        # summary(markup) of the same markup, without converting it a second time
        summary=shorten_summary(summary_text if raw_summary[:MAX_FIELD_CHARS] else content_text),
        fields=fields,
        published=published,
        outlet=outlet,
    )


def _plain_text(markup: Any) -> str:
    """A field's text: markup to text, mojibake the publisher made repaired (before the
    C1 controls it holds, such as the 0x9d of a garbled closing quote, are cleaned away)."""
    return clean_text(repaired_text(html_to_text(_text(markup))))


def _published(entry: Any, reading: _Reading) -> float | None:
    """Published, else updated (Atom updated, RSS 1.0 dc:date); None when missing or absurd.

    A date feedparser leaves unparsed is read by bot.ingest.dates when a person would read it;
    the text of one still unread is noted on `reading` when the item stays undated.
    """
    raws: list[str] = []
    for key in ("published", "updated"):
        stamp = _stamp(entry.get(key + "_parsed"))
        raw = _text(entry.get(key))
        if stamp is None and raw:
            stamp = readable_date(raw, reading.day_first)
            raws += [] if stamp is not None else [raw]
        if stamp is not None and EARLIEST <= stamp <= reading.now + FUTURE_SLACK:
            return min(stamp, reading.now)
    reading.unreadable.extend(raws[:1])
    return None


def _stamp(value: Any) -> float | None:
    if value is None:
        return None
    try:
        return float(calendar.timegm(value))
    except (TypeError, ValueError, OverflowError):
        return None


def _outlet(entry: Any) -> str | None:
    """The publisher a search feed names for the item (Google News <source>)."""
    source = entry.get("source")
    if isinstance(source, dict):
        name = clean_text(_text(source.get("title")))
        return name[:200] or None
    return None


def _without_outlet(title: str, outlet: str | None) -> str:
    """Google News titles end in " - Publisher" when the feed also names it: show it once."""
    if outlet:
        for dash in (" - ", " – ", " — ", " | "):
            if title.endswith(dash + outlet) and len(title) > len(dash + outlet):
                return title[: -len(dash + outlet)].rstrip()
    return title


def _echoes_title(text: str, title: str) -> bool:
    """True when a search feed's summary only repeats headlines (Google News: the title,
    linked, then the publisher, or a list of related headlines and their publishers)."""
    tokens = tokenize(text)
    head = tokenize(title)
    return bool(head) and tokens[: len(head)] == head


def _text(value: Any) -> str:
    """A string field, with any lone surrogate a parser handed on made U+FFFD (it could not
    be stored or sent as UTF-8)."""
    if not isinstance(value, str):
        return ""
    if value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", value)
    return value


__all__ = ["MAX_ENTITY_EXPANSION", "FeedItem", "ParsedFeed", "parse_feed"]
