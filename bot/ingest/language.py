"""Which way round a feed writes numeric dates, from the language it declares (issue 14).

`05/03/2019` is 5 March to most of the world and May 3 in the United States: the feed's
`<language>` (RSS), `dc:language`, its root `xml:lang` (Atom) or JSON Feed's `language`
settles it. Read from the body itself, so both parse paths see the same answer.
"""

from __future__ import annotations

import re

_HEAD = 16384  # the declaration comes before the first entries
_DECLARED = re.compile(
    rb"<(?:dc:)?language>\s*([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*)\s*</"
    rb"|<(?:feed|rss|rdf:RDF)\b[^>]*?\bxml:lang\s*=\s*[\"']([A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*)"
    rb"|\"language\"\s*:\s*\"([A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*)\"",
    re.I,
)
_MONTH_FIRST = frozenset({"en-us", "en-ph", "fil", "fil-ph"})
# Languages whose numeric dates run year first or vary by country: no guess.
_UNSURE = frozenset({"en", "en-ca", "zh", "ja", "ko", "hu", "lt", "mn"})


def day_first(body: bytes) -> bool | None:
    """True when the feed's language writes day/month/year, False for month/day/year,
    None when it declares no language or one that does not settle it."""
    match = _DECLARED.search(body[:_HEAD])
    if match is None:
        return None
    tag = next(group for group in match.groups() if group).decode("ascii").lower()
    tag = tag.replace("_", "-")
    if tag in _MONTH_FIRST:
        return False
    if tag in _UNSURE or tag.split("-")[0] in _UNSURE - {"en"}:
        return None
    return True
