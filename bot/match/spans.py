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

from bot.match.tokens import _ASCII_TOKEN, OTHER, _kind, normalise, tokenize

_CLUSTER = regex.compile(r"\X")
Span = tuple[int, int]


@dataclass(frozen=True)
class SpanToken:
    """A token as bot.match.tokens gives it, and where each of its characters came from
    (`starts` and `ends` per character; None when they are one for one from `start`)."""

    text: str
    start: int
    end: int
    starts: tuple[int, ...] | None = None
    ends: tuple[int, ...] | None = None

    @property
    def span(self) -> Span:
        return (self.start, self.end)

    def part(self, first: int, last: int) -> Span:
        """The source span of characters first..last-1 of the token."""
        if self.starts is None or self.ends is None:
            return (self.start + first, self.start + last)
        return (self.starts[first], self.ends[last - 1])


def token_spans(text: str) -> list[SpanToken] | None:
    """The tokens of `text`, each with its place in it; None if they differ from tokenize's."""
    if text.isascii():  # lower() keeps every place: the tokens are the regex's matches
        return [
            SpanToken(match.group(), match.start(), match.end())
            for match in _ASCII_TOKEN.finditer(text.lower())
        ]
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
        start=chars[0][1],
        end=chars[-1][2],
        starts=tuple(start for _, start, _ in chars),
        ends=tuple(end for _, _, end in chars),
    )
