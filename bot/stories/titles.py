"""A title's key: its tokens (bot.match.tokens) without a trailing ` - Publisher` suffix of at
most five words, the form Google News and syndicated copies add (HARDENING E1). Stored with
each item; the story engine compares copies by it (bot.stories.terms, bot.stories.apart).
"""

from __future__ import annotations

import re

from bot.match.tokens import tokenize

MAX_SUFFIX_WORDS = 5

# Greedy `.*` makes the match end at the LAST separator: a space, a dash or bar, a space.
_LAST_SEPARATOR = re.compile(r".*(\s[-–—|]\s)", re.DOTALL)


def title_key_tokens(title: str) -> tuple[str, ...]:
    """The title's tokens, without a ` - Publisher` suffix of 1..5 words after the last
    separator, so long as some title is left: `Sora opens - Variety` -> ('sora', 'opens')."""
    match = _LAST_SEPARATOR.match(title)
    if match:
        head, suffix = title[: match.start(1)], title[match.end(1) :]
        head_tokens = tokenize(head)
        if head_tokens and 1 <= len(suffix.split()) <= MAX_SUFFIX_WORDS:
            return tuple(head_tokens)
    return tuple(tokenize(title))


__all__ = ["title_key_tokens"]
