"""Google News items (issue 14): identified by headline and publisher, linked to the publisher.

Google News GUIDs change between fetches and its links are redirects. An item is identified by
its normalized headline plus the domain of its `<source url=...>`. A legacy article id
(`CBMi...`) is base64url protobuf carrying the publisher URL, decoded here offline; a new-style
id is opaque and keeps the redirect link. Google is never called to resolve one.
"""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import parse_qs, urlsplit

GOOGLE_NEWS_HOST = "news.google.com"
_ARTICLE = re.compile(r"^/(?:rss/)?articles/([A-Za-z0-9_-]+)")
_SPACES = re.compile(r"\s+")
_LEGACY_HEAD = b"\x08\x13\x22"  # field 1 = 19, then field 4: the length-prefixed URL


def is_google_news(link: str | None) -> bool:
    return bool(link) and (urlsplit(link or "").hostname or "").lower() == GOOGLE_NEWS_HOST


def identity_key(title: str, source_url: str | None) -> str:
    """`gnews:` + the headline (without its publisher suffix), folded, + the publisher domain
    (empty when the item names none); empty without a headline (the general rules then)."""
    host = (urlsplit(source_url or "").hostname or "").lower().removeprefix("www.")
    headline = _SPACES.sub(" ", title).strip().casefold()
    return f"gnews:{headline}|{host}" if headline else ""


def publisher_url(link: str) -> str | None:
    """The publisher URL inside a legacy Google News article link, or None (new-style ids)."""
    parts = urlsplit(link)
    if parts.path in ("/news/url", "/url"):  # the oldest links: ...&url=https://publisher/...
        target = parse_qs(parts.query).get("url", [""])[0]
        return target if target.startswith(("https://", "http://")) else None
    match = _ARTICLE.match(parts.path)
    if match is None:
        return None
    token = match.group(1)
    try:
        data = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    if not data.startswith(_LEGACY_HEAD):
        return None
    length, start = _varint(data, len(_LEGACY_HEAD))
    raw = data[start : start + length]
    if length <= 0 or len(raw) != length:
        return None
    try:
        url = raw.decode("ascii")
    except UnicodeDecodeError:
        return None
    return url if url.startswith(("https://", "http://")) else None


def _varint(data: bytes, position: int) -> tuple[int, int]:
    """A protobuf varint at `position`: its value and the position after it."""
    value = shift = 0
    while position < len(data) and shift < 35:
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, position
        shift += 7
    return -1, position
