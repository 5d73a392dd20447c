"""Command replies for Discord: the core's reply markdown as messages of at most 2000
characters, what it quotes escaped as feed text is in alerts (adapters.discord_render)."""

from __future__ import annotations

import re

from adapters.discord_render import (
    CONTENT,
    ZWSP,
    DiscordText,
    escape,
    neutralise_mentions,
    truncate,
)
from bot.deliver.quoting import inert_code, render
from bot.text import clean_text

MAX_REPLY_MESSAGES = 5
_MASK_JOIN = re.compile(r"(\\*)\]\(")  # `](`: live unless its `]` is escaped
_FENCE = "```"


def reply_markdown(text: str) -> str:
    """A reply for Discord: the core's markup kept live, what it quotes (bot.deliver.quoting)
    escaped as feed text is in alerts, and a query quoted in a code block unable to close it."""
    return render(
        text,
        quoted=lambda piece: escape(piece, DiscordText.quoted_maxlen, single_line=True),
        code=inert_code,
        markup=lambda piece: clean_text(piece, spacing=True),
    )


def _split_live_mask(match: re.Match[str]) -> str:
    slashes = match.group(1)
    return match.group() if len(slashes) % 2 else f"{slashes}]{ZWSP}("


def reply_chunks(text: str) -> list[str]:
    """A command reply as messages of at most 2000 characters, split at lines, fences kept whole.

    The core writes the reply's markdown and marks what it quotes (reply_markdown); as a
    last guard, nothing in the whole reply may ping or form a masked link (a zero-width
    space splits `](`).
    """
    text = neutralise_mentions(reply_markdown(text).strip())
    text = _MASK_JOIN.sub(_split_live_mask, text)
    limit = CONTENT - len(_FENCE) - 1  # room to close a fence that a split leaves open
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    in_fence = False
    for line in text.split("\n"):
        line = truncate(line, limit - len(_FENCE) - 1)
        if current and size + len(line) + 1 > limit:
            chunks.append("\n".join(current) + (f"\n{_FENCE}" if in_fence else ""))
            current, size = ([_FENCE] if in_fence else []), (len(_FENCE) + 1 if in_fence else 0)
        current.append(line)
        size += len(line) + 1
        if line.strip().startswith(_FENCE):
            in_fence = not in_fence
    if current and any(part.strip() for part in current):
        chunks.append("\n".join(current))
    if len(chunks) > MAX_REPLY_MESSAGES:
        chunks = chunks[:MAX_REPLY_MESSAGES]
        last = truncate(chunks[-1], CONTENT - 40)
        if last.count(_FENCE) % 2:  # the cut left a fence open: close it before the note
            last += f"\n{_FENCE}"
        chunks[-1] = last + "\n(reply cut short)"
    return chunks
