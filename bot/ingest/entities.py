"""HARDENING B1/B2: a feed's entities, bounded before any parser reads them.

A DOCTYPE may declare plain internal entities (some real feeds do), but not external ones
(file or network reads), entities built from entities (billion laughs), nor so many
references that they expand past MAX_ENTITY_EXPANSION: expat stops at its own limit, and
feedparser's loose parser, which takes over then, has none.
"""

from __future__ import annotations

import re

from feedparser.encodings import convert_to_utf8

# All references to a feed's internal entities together may expand to this much text. Real
# feeds use a few short ones (tens of KiB at most); expat lets 8 MiB through.
MAX_ENTITY_EXPANSION = 1 << 20


def as_feedparser_reads(body: bytes, headers: dict[str, str]) -> bytes:
    """The body as UTF-8, decoded the way feedparser decodes it before either of its parsers
    reads it (BOM, XML declaration, HTTP charset and its fallbacks), so the entity checks see
    the same text: in UTF-16, UTF-32, UTF-7 or EBCDIC "<!ENTITY" is not those ASCII bytes.
    The fast path reads only plain UTF-8, which this leaves as it was."""
    try:
        return bytes(convert_to_utf8(headers, body, {}))
    except MemoryError:
        raise
    except Exception:  # feedparser then fails the same way; the raw body is checked instead
        return body


# HARDENING B1/B2: a DOCTYPE may declare plain internal entities (some real feeds do), but
# not external ones (file or network reads) nor entities built from entities (billion
# laughs). feedparser's loose fallback would otherwise keep such a document half-parsed.
_EXTERNAL_ENTITY = re.compile(rb"<!ENTITY\s+(?:%\s*)?[^\s>]+\s+(?:SYSTEM|PUBLIC)\b", re.I)
_NESTED_ENTITY = re.compile(rb"<!ENTITY\s+(?:%\s*)?[^\s>]+\s+(?:\"[^\"]*&|'[^']*&)", re.I)


def refused_doctype(body: bytes) -> str | None:
    """Why the DOCTYPE of `body` (the text the parsers will read) is refused, if it is."""
    head = body[:65536]
    if b"<!ENTITY" in head.upper():
        if _EXTERNAL_ENTITY.search(head):
            return "external entities are refused"
        if _NESTED_ENTITY.search(head):
            return "nested entity definitions are refused (entity expansion attack)"
    if _entity_expansion(body, MAX_ENTITY_EXPANSION) > MAX_ENTITY_EXPANSION:
        return f"entity expansion over {MAX_ENTITY_EXPANSION} bytes"
    return None


# A declaration's start up to its opening quote; the value runs to the same quote again.
_DECLARATION = re.compile(rb"<!ENTITY\s+([^\s%>\"']+)\s+([\"'])")
# A reference as both parsers read it: group 1 is the name feedparser's loose (sgmllib)
# parser takes, which needs no semicolon; groups 1 and 2 are the name expat takes before ";".
_REFERENCE = re.compile(rb"&([A-Za-z][-.A-Za-z0-9]*)?([^\s&;<>\"'=#]*)")


def _entity_expansion(body: bytes, limit: int) -> int:
    """The bytes the references to internal entities expand to, counted from the raw body,
    whichever parser reads it (stops counting past `limit`).

    Declarations are taken from anywhere in the body and references from everywhere (values,
    attributes, CDATA too), and a name declared twice costs its larger value, so the count
    errs high, never low. A value referring to other entities costs their sizes, so nesting
    multiplies; a reference costs at least one byte.
    """
    if b"<!ENTITY" not in body:
        return 0
    values = _entity_values(body)
    if not values:
        return 0
    sizes: dict[bytes, int] = {}
    total = 0
    for match in _REFERENCE.finditer(body):
        short = match.group(1) or b""
        names = (short, short + match.group(2)) if match.group(2) else (short,)
        declared = [name for name in names if name in values]
        if declared:
            total += max(1, *(_expanded(name, values, sizes, limit) for name in declared))
            if total > limit:
                break
    return total


def _entity_values(body: bytes) -> dict[bytes, list[bytes]]:
    """Each internal general entity's literal values, in order. XML keeps a name's first
    declaration, feedparser's loose parser its last, so the count takes the larger. Each
    value is found with one `find`, so this is linear in the body."""
    values: dict[bytes, list[bytes]] = {}
    position = 0
    while (start := body.find(b"<!ENTITY", position)) >= 0:
        declaration = _DECLARATION.match(body, start)
        if declaration is None:
            position = start + 1
            continue
        opened = declaration.end()
        closed = body.find(declaration.group(2), opened)
        closed = len(body) if closed < 0 else closed
        values.setdefault(declaration.group(1), []).append(body[opened:closed])
        position = closed + 1
    return values


def _expanded(
    name: bytes,
    values: dict[bytes, list[bytes]],
    sizes: dict[bytes, int],
    limit: int,
    depth: int = 0,
) -> int:
    """The size of one entity's replacement text: its largest value with the entities it
    names expanded in turn. A cycle, or nesting past 16 levels, counts as over the limit."""
    if name in sizes:
        return sizes[name]
    if depth > 16:
        return limit + 1
    sizes[name] = limit + 1  # a reference back to this name while it is measured: a cycle
    largest = 0
    for value in values[name]:
        size = len(value)
        if b"&" in value:
            for match in _REFERENCE.finditer(value):
                inner = (match.group(1) or b"") + match.group(2)
                if inner in values:
                    size += _expanded(inner, values, sizes, limit, depth + 1)
                    if size > limit:
                        break
        largest = max(largest, size)
        if largest > limit:
            break
    sizes[name] = min(largest, limit + 1)
    return sizes[name]
