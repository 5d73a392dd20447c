"""Bytes and text repairs before and after parsing (issue 14).

A feed that declares UTF-8 (or nothing, which in XML means UTF-8) but carries a few bad bytes,
a truncated character, is read as UTF-8 with U+FFFD for the bad bytes: feedparser would read
the whole feed as windows-1252 and garble every accent. A character reference to a lone
surrogate or past U+10FFFF (`&#xD800;`) becomes U+FFFD, so one poison item does not lose the
feed. Text the publisher garbled already (UTF-8 read as cp1252: `isnâ€™t`) is repaired with
ftfy, only where its heuristics are sure.
"""

from __future__ import annotations

import re

import ftfy
from ftfy.badness import is_bad

_UTF8_NAMES = frozenset({"utf-8", "utf8"})
_BOMS_OF_OTHER_ENCODINGS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
_XML_ENCODING = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?\bencoding\s*=\s*[\"']([^\"']*)")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([^\s;\"']+)", re.I)
# Decoded as UTF-8, at least this many good non-ASCII characters for each bad byte: the
# declaration is then right but for a few bytes. A Latin-1 feed labelled UTF-8 has almost none.
GOOD_PER_BAD = 3
_LOST_CLOSING_QUOTE = re.compile("â€(?=[\\s,.;:!?)]|$)")
# Candidates only (a long hex or decimal reference); _charref checks the value.
_BIG_CHARREF = re.compile(rb"&#(?:[xX]0*([0-9A-Fa-f]{4,})|0*([0-9]{5,}));")
# A UTF-8 lead byte read as cp1252 or Latin-1, then a continuation byte read the same way:
# the only text ftfy is asked to look at.
_MOJIBAKE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6"
    "\u02dc\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a"
    "\u20ac\u2122]"
)


def repaired_body(body: bytes, content_type: str | None) -> bytes:
    """The body with the two byte-level repairs above applied where they are safe."""
    body = _as_declared_utf8(body, content_type)
    if b"&#" in body:
        body = _BIG_CHARREF.sub(_charref, body)
    return body


def repaired_text(text: str) -> str:
    """`text` with classic UTF-8-read-as-cp1252 mojibake undone; other text as it was.

    A repair that still looks garbled (a legacy CJK encoding read as Latin-1, which ftfy
    would only half decode), or that makes a dagger of a quote whose last byte was lost, is
    no repair: the text stays as it came.
    """
    if text.isascii() or not _MOJIBAKE.search(text):
        return text
    if "â€œ" in text:  # an opening quote: a bare "â€ " is its closing one, byte 0x9d lost
        text = _LOST_CLOSING_QUOTE.sub("â€\x9d", text)
    fixed = ftfy.fix_encoding(text)
    if fixed == text or is_bad(fixed) or fixed.count("†") > text.count("†"):
        return text
    return fixed


def declares_utf8(body: bytes, content_type: str | None) -> bool:
    """True when neither the HTTP charset, a byte-order mark nor the XML declaration names
    an encoding other than UTF-8."""
    charset = _CHARSET.search(content_type or "")
    if charset and charset.group(1).lower() not in _UTF8_NAMES:
        return False
    if body.startswith(_BOMS_OF_OTHER_ENCODINGS):
        return False
    declared = _XML_ENCODING.match(body[:512])
    return declared is None or declared.group(1).decode("ascii", "replace").lower() in _UTF8_NAMES


def _as_declared_utf8(body: bytes, content_type: str | None) -> bytes:
    if body.isascii() or not declares_utf8(body, content_type):
        return body
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return body
    text = body.decode("utf-8", "replace")
    bad = text.count("\ufffd") - body.count("\ufffd".encode())
    good = len(text) - len(text.encode("ascii", "ignore")) - text.count("\ufffd")
    if good < GOOD_PER_BAD * bad:
        return body  # mostly another encoding: feedparser's fallbacks know better
    return text.encode("utf-8")


def _charref(match: re.Match[bytes]) -> bytes:
    hex_digits, decimal = match.groups()
    if len(hex_digits or decimal) > 8:  # past U+10FFFF whatever the digits
        return b"&#xFFFD;"
    value = int(hex_digits, 16) if hex_digits else int(decimal)
    if 0xD800 <= value <= 0xDFFF or value > 0x10FFFF:
        return b"&#xFFFD;"
    return match.group(0)
