"""An item's words as the story engine reads them, tokenized once a poll: its title key and
the head of its summary. A feed's repeated words (bot.stories.feedwords), the copy's terms
(bot.stories.terms) and the stored title key all read these same tokens."""

from __future__ import annotations

from typing import NamedTuple

from bot.match.tokens import tokenize
from bot.stories.titles import title_key_tokens

SUMMARY_TOKENS = 80  # read at most this much of a summary


class CopyWords(NamedTuple):
    title_key: tuple[str, ...]  # the title's tokens without a ` - Publisher` suffix
    summary: tuple[str, ...]  # the summary's first SUMMARY_TOKENS tokens


def copy_words(title: str, summary: str) -> CopyWords:
    """A copy's title key and the summary tokens the engine reads."""
    return CopyWords(title_key_tokens(title), tuple(tokenize(summary)[:SUMMARY_TOKENS]))


__all__ = ["SUMMARY_TOKENS", "CopyWords", "copy_words"]
