"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1) as a first-class format.

Items become the feedparser-shaped entries bot.ingest.parse reads from RSS and Atom: id, link,
title, summary, content, dates and tags. JSON that is not a JSON Feed is refused with a
reason, never half-read. The body is already capped (SPEC "Polling"); nesting deeper than the
parser's recursion limit, and numbers with thousands of digits, are refused too.
"""

from __future__ import annotations

import html
import json
from typing import Any

from feedparser.datetimes import _parse_date

from bot.ingest.fastentry import Entry

JSON_TYPES = frozenset({"application/feed+json", "application/json"})
# Publishers write the version URL with http:// too (pxlnv.com, in tests/fixtures/wild).
VERSIONS = frozenset({"jsonfeed.org/version/1", "jsonfeed.org/version/1.1"})
_LEADING = b"\xef\xbb\xbf \t\r\n"


def looks_like_json(body: bytes, content_type: str | None) -> bool:
    """A body starting with `{` whatever its media type (XML never starts so), or a JSON
    media type on a body that is no XML (a JSON array is then refused with a reason)."""
    first = body.lstrip(_LEADING)[:1]
    media = (content_type or "").partition(";")[0].strip().lower()
    return first == b"{" or (media in JSON_TYPES and first not in (b"<", b""))


def json_feed(body: bytes, limit: int) -> tuple[str, list[Entry]] | str:
    """The feed title and up to `limit` entries, or the reason this is not a JSON Feed."""
    try:
        # strict=False: raw tabs and newlines inside strings, which real feeds carry
        document = json.loads(body.decode("utf-8", "replace").lstrip("\ufeff"), strict=False)
    except RecursionError:
        return "not a feed: JSON nested too deeply"
    except ValueError as exc:  # JSONDecodeError, or a number of thousands of digits
        return f"not a feed: invalid JSON ({str(exc).splitlines()[0][:80]})"
    if not isinstance(document, dict):
        return "not a feed: JSON that is not a JSON Feed (no version)"
    version = document.get("version")
    if not isinstance(version, str) or _unversioned(version) not in VERSIONS:
        return "not a feed: JSON that is not a JSON Feed (no jsonfeed.org version)"
    items = document.get("items")
    if not isinstance(items, list):
        return "not a feed: JSON Feed without an items list"
    entries = [_entry(item) for item in items[:limit] if isinstance(item, dict)]
    return _plain(document.get("title")), entries


def _unversioned(version: str) -> str:
    return version.strip().removeprefix("https://").removeprefix("http://").rstrip("/")


def _entry(item: dict[str, Any]) -> Entry:
    """One JSON Feed item as the keys feedparser would give an RSS item."""
    entry: Entry = {}
    identity = item.get("id")
    if isinstance(identity, int | float) and not isinstance(identity, bool):
        identity = str(identity)  # JSON Feed 1.0 publishers often wrote numbers
    if isinstance(identity, str):
        entry["id"] = identity.strip()
    link = item.get("url") if isinstance(item.get("url"), str) else item.get("external_url")
    if isinstance(link, str):
        entry["link"] = link.strip()
    entry["title"] = _plain(item.get("title"))
    content = _html(item.get("content_html")) or _plain(item.get("content_text"))
    if content:
        entry["content"] = [{"value": content}]
    entry["summary"] = _plain(item.get("summary")) or content
    for key, raw in (("published", "date_published"), ("updated", "date_modified")):
        value = item.get(raw)
        if isinstance(value, str):
            entry[key] = value.strip()
            entry[key + "_parsed"] = _parse_date(value.strip())
    tags = item.get("tags")
    if isinstance(tags, list):
        entry["tags"] = [{"term": tag.strip()} for tag in tags if isinstance(tag, str)]
    return entry


def _plain(value: Any) -> str:
    """Plain text, escaped so the HTML-to-text step downstream keeps it as written."""
    return html.escape(value.strip(), quote=False) if isinstance(value, str) else ""


def _html(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
