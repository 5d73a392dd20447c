"""Item links: the canonical key copies of one story share, and the link that is safe to show.

SPEC "Stories" merges copies whose canonical URLs are equal: http and https alike, host
case-folded, `www.` dropped, fragment and tracking parameters dropped, trailing slash
dropped (HARDENING E4, F1). HARDENING A4: a link is shown only when it is http(s) with a
host; relative links are resolved against the feed URL; nothing here ever fetches one.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import SplitResult, quote, unquote_plus, urljoin, urlsplit

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "ref_src",
        "cmpid",
        "ocid",
    }
)
TRACKING_PREFIX = "utm_"
DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_LINK_LENGTH = 2048
SHOWN_SCHEMES = frozenset({"http", "https"})

# RFC 3986 characters a path or query may hold unescaped ("%" is kept for existing escapes).
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_QUERY_SAFE = _PATH_SAFE + "?"
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# Whitespace, controls, format characters (bidi overrides, zero-width) and line separators.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def canonical_url(url: str) -> str:
    """The story key of a URL, without its scheme: `host[:port]/path?query`.

    Never raises: a string that is not an http(s) URL with a host is its own key (stripped).
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        if parts.scheme not in ("", *SHOWN_SCHEMES):
            return text
        host = _canonical_host(parts)
    except ValueError:
        return text
    if not host:
        return text
    path = _normalise_escapes(parts.path, _PATH_SAFE).rstrip("/")
    query = _canonical_query(parts.query)
    return f"{host}{path}?{query}" if query else f"{host}{path}"


def _canonical_host(parts: SplitResult) -> str:
    """Host case-folded, `www.` and a trailing dot dropped, with its port unless default."""
    host = (parts.hostname or "").casefold().rstrip(".")
    if not host.isascii():
        host = _idna(host)
    host = host.removeprefix("www.")
    if ":" in host:
        host = f"[{host}]"
    port = parts.port  # raises ValueError for a port that is not a number in range
    if port is None or port in _default_ports(parts.scheme):
        return host
    return f"{host}:{port}"


def _default_ports(scheme: str) -> tuple[int, ...]:
    """The ports a scheme implies; a scheme-relative URL (`//host`) may imply either."""
    if scheme in DEFAULT_PORTS:
        return (DEFAULT_PORTS[scheme],)
    return tuple(DEFAULT_PORTS.values())


def _idna(host: str) -> str:
    """Punycode for an internationalised host, so `bücher.de` == `xn--bcher-kva.de`."""
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _canonical_query(query: str) -> str:
    """The query without tracking parameters, the others in their original order."""
    kept = [
        _normalise_escapes(pair, _QUERY_SAFE)
        for pair in query.split("&")
        if pair and not _is_tracking(pair.split("=", 1)[0])
    ]
    return "&".join(kept)


def _is_tracking(name: str) -> bool:
    folded = unquote_plus(name).strip().casefold()
    return folded.startswith(TRACKING_PREFIX) or folded in TRACKING_PARAMS


def _normalise_escapes(part: str, safe: str) -> str:
    """Escape what must be escaped, decode escaped unreserved characters, uppercase hex."""
    return _ESCAPE.sub(_normalise_escape, quote(part, safe=safe))


def _normalise_escape(match: re.Match[str]) -> str:
    char = chr(int(match.group(1), 16))
    return char if char in _UNRESERVED else f"%{match.group(1).upper()}"


def safe_link(link: str | None, base: str) -> str | None:
    """The link as given (relative ones resolved against the feed URL `base`), or None.

    None for a scheme other than http(s), no host, hidden characters, a backslash
    (browsers read it as `/`, so the shown host could lie) or more than 2048 characters.
    Private addresses are allowed: the link is only shown, never fetched.
    """
    text = (link or "").strip()
    if not text or not _plain(text):
        return None
    try:
        if not urlsplit(text).scheme:
            text = urljoin(base, text)
        valid = _shown(urlsplit(text))
    except ValueError:  # a malformed host or port
        return None
    return text if valid and _plain(text) else None


def _shown(parts: SplitResult) -> bool:
    """An http(s) URL with a host, and a port (if any) that is a number in range."""
    has_host = parts.scheme in SHOWN_SCHEMES and bool(parts.hostname)
    return has_host and (parts.port is None or parts.port > 0)


def _plain(text: str) -> bool:
    """Short enough, and free of spaces, controls, invisible characters and backslashes."""
    if len(text) > MAX_LINK_LENGTH or "\\" in text:
        return False
    if text.isascii():  # the common case: printable ASCII without a space is plain
        return text.isprintable() and " " not in text
    return not any(unicodedata.category(char) in _HIDDEN_CATEGORIES for char in text)


__all__ = ["canonical_url", "safe_link"]
