"""A small model of how Discord reads message markdown, for tests of what a reader sees.

It follows the rules of Discord's markdown (simple-markdown): a backslash before any
punctuation shows that character literally; inline code and code fences show their
contents as they are; `[label](url)` is a masked link; text matching the url rule
(`https://...`, `steam://...`) and `<scheme:/...>` become links. Discord does not link
`www.` text without a scheme. The model tries a link at every position (Discord only at
word starts), so it finds at least every link Discord would make.
"""

from __future__ import annotations

import re

from adapters.discord_render import ZWSP

URL = re.compile(r"(?:https?|steam)://[^\s<]+[^<.,:;\"')\]\s]", re.IGNORECASE)
AUTOLINK = re.compile(r"<[^: >]+:/[^ >]+>")
MASKED = re.compile(r"\[((?:\\.|[^\]\\])*)\]\(\s*<?((?:https?|steam)://[^)\s>]+)>?\s*\)", re.I)
MARKS = frozenset("*_~|")


NOT_ESCAPABLE = re.compile(r"[0-9A-Za-z\s]")


def _escaped(md: str, i: int) -> bool:
    return md[i] == "\\" and i + 1 < len(md) and not NOT_ESCAPABLE.match(md[i + 1])


def read(md: str) -> tuple[list[str], list[str], str]:
    """(links, live formatting marks outside code, the text a reader sees, ZWSP dropped)."""
    links: list[str] = []
    marks: list[str] = []
    shown: list[str] = []
    i = 0
    while i < len(md):
        if _escaped(md, i):
            shown.append(md[i + 1])
            i += 2
            continue
        if md.startswith("```", i) and (end := md.find("```", i + 3)) != -1:
            shown.append(md[i + 3 : end])
            i = end + 3
            continue
        if md[i] == "`" and (end := md.find("`", i + 1)) != -1:
            shown.append(md[i + 1 : end])
            i = end + 1
            continue
        found = MASKED.match(md, i) or AUTOLINK.match(md, i) or URL.match(md, i)
        if found:
            links.append(found.group(2) if found.re is MASKED else found.group())
            shown.append(found.group())
            i = found.end()
            continue
        if md[i] in MARKS or md[i] == "`":
            marks.append(md[i])
        shown.append(md[i])
        i += 1
    return links, marks, "".join(shown).replace(ZWSP, "")


def links(md: str) -> list[str]:
    return read(md)[0]


def live_marks(md: str) -> list[str]:
    return read(md)[1]


def shown(md: str) -> str:
    return read(md)[2]
