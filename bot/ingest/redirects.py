"""Which redirects a fetch follows: http(s) only, never https to http, no loops.

Redirects are followed hop by hop by bot.ingest.fetch (each hop resolved and checked for
SSRF there); this module decides whether a Location may be the next hop at all.
"""

from __future__ import annotations

import re

import httpx

from bot.ingest.reasons import FetchFailure

REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT = frozenset({301, 308})  # RFC 9110 section 15.4: the others are temporary
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]{0,31}):")  # RFC 3986 section 3.1


async def check_location(response: httpx.Response) -> None:
    """Refuse a redirect to a non-http(s) URL before httpx builds a request from it.

    httpx turns every Location into a next request even with follow_redirects off, and
    `data:,x` fails there as InvalidURL; this response hook runs first and names the scheme.
    """
    location = response.headers.get("Location") if response.is_redirect else None
    if not location:
        return
    scheme = _SCHEME.match(location.strip())
    if scheme is not None and scheme.group(1).lower() not in ("http", "https"):
        reason = f"redirect to a non-http(s) URL ({scheme.group(1).lower()}:)"
        raise FetchFailure(reason, response.status_code)
    try:
        httpx.URL(location)
    except httpx.InvalidURL:
        raise FetchFailure("redirect to a malformed URL", response.status_code) from None


def next_hop(url: httpx.URL, location: str, hops: list[str], status: int) -> str:
    """The URL a redirect from `url` leads to, or a FetchFailure saying why not."""
    target = url.join(location)
    if url.scheme == "https" and target.scheme == "http":
        raise FetchFailure("redirect from https to http refused", status)
    if str(target) in hops:
        raise FetchFailure("redirect loop", status)
    return str(target)
