"""Tokens with their places in the text they came from, to show where a term matched.

bot.match.tokens normalises the whole text before it splits it, so its tokens no longer
know where they were. Here each grapheme cluster is normalised on its own and every
character it yields remembers the cluster's place; the tokens are then split by the same
rule. NFKC composes only within a cluster, so the two agree on real text; where they do
not, token_spans says so (None) rather than guess, and only the places are lost.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from bot.match.tokens import OTHER, _kind, normalise, tokenize

_CLUSTER = regex.compile(r"\X")
Span = tuple[int, int]


@dataclass(frozen=True)
class SpanToken:
    """A token as bot.match.tokens gives it, and where each of its characters came from."""

    text: str
    starts: tuple[int, ...]  # per character of `text`: where its cluster starts in the source
    ends: tuple[int, ...]  # ... and where it ends

    @property
    def span(self) -> Span:
        return (self.starts[0], self.ends[-1])

    def part(self, first: int, last: int) -> Span:
        """The source span of characters first..last-1 of the token."""
        return (self.starts[first], self.ends[last - 1])


def token_spans(text: str) -> list[SpanToken] | None:
    """The tokens of `text`, each with its place in it; None if they differ from tokenize's."""
    chars: list[tuple[str, int, int]] = []
    for cluster in _CLUSTER.finditer(text):
        start, end = cluster.span()
        chars.extend((char, start, end) for char in normalise(cluster.group()))
    found: list[SpanToken] = []
    current: list[tuple[str, int, int]] = []
    current_kind = OTHER
    for char, start, end in chars:
        kind = _kind(char)
        if kind != current_kind:
            if current:
                found.append(_token(current))
                current = []
            current_kind = kind
        if kind != OTHER:
            current.append((char, start, end))
    if current:
        found.append(_token(current))
    if [token.text for token in found] != tokenize(text):
        return None
    return found


def _token(chars: list[tuple[str, int, int]]) -> SpanToken:
    return SpanToken(
        text="".join(char for char, _, _ in chars),
        starts=tuple(start for _, start, _ in chars),
        ends=tuple(end for _, _, end in chars),
    )
