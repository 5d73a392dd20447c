"""Near-identical titles (SPEC "Stories"): copies of one story under slightly different titles.

A title's key is its tokens (bot.match.tokens) without a trailing ` - Publisher` suffix of at most
five words, the form Google News and syndicated copies add (HARDENING E1). Two keys match
when they differ by at most two token edits and at most a quarter of the longer one; keys
under four tokens must be equal and an empty key never matches. Every new item is checked
against stored candidates, so the edit distance is banded and stops early, and candidates
are looked up through at most three anchor tokens (`candidate_tokens`).
"""

from __future__ import annotations

import re
from itertools import pairwise

from bot.match.tokens import tokenize

MAX_SUFFIX_WORDS = 5
MAX_EDITS = 2
MIN_FUZZY_TOKENS = 4  # shorter keys must be equal
ANCHORS = 3

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


def edit_limit(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    """The token edits two keys of four or more tokens may differ by: 2, and a quarter."""
    return min(MAX_EDITS, max(len(a), len(b)) // 4)


def near_identical(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """SPEC rule: empty never matches, under four tokens must be equal, else few edits."""
    if not a or not b:
        return False
    if len(a) < MIN_FUZZY_TOKENS or len(b) < MIN_FUZZY_TOKENS or a == b:
        return a == b
    limit = edit_limit(a, b)
    # Each token of `a` found nowhere in `b` costs an edit of its own: a cheap early no.
    if len(set(a).difference(b)) > limit:
        return False
    return within_edits(a, b, limit)


def within_edits(a: tuple[str, ...], b: tuple[str, ...], limit: int) -> bool:
    """Token Levenshtein distance <= limit, computed only in the diagonal band |i - j| <= limit.

    Cells are capped at limit + 1; a cell outside the band is at least that far, so the cap
    loses nothing. The scan stops as soon as a whole band row exceeds the limit.
    """
    if abs(len(a) - len(b)) > limit:
        return False
    if len(a) > len(b):
        a, b = b, a
    over = limit + 1
    previous = [min(j, over) for j in range(len(b) + 1)]
    for i in range(1, len(a) + 1):
        previous = _band_row(a[i - 1], b, i, previous, limit)
        if min(previous) > limit:
            return False
    return previous[len(b)] <= limit


def _band_row(token: str, b: tuple[str, ...], i: int, previous: list[int], limit: int) -> list[int]:
    """Row i of the capped distance table, filled only inside the band."""
    over = limit + 1
    row = [over] * (len(b) + 1)
    row[0] = min(i, over)
    for j in range(max(1, i - limit), min(len(b), i + limit) + 1):
        substitute = previous[j - 1] + (token != b[j - 1])
        row[j] = min(previous[j] + 1, row[j - 1] + 1, substitute, over)
    return row


def candidate_tokens(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """At most three distinct tokens, longest first then alphabetical, that any
    near-identical key must share at least one of.

    Why three suffice: a match within two edits touches (substitutes or deletes) at most two
    positions of this key, so at most two of its distinct tokens can be missing from the
    other key, and of any three distinct tokens one survives. With fewer than three distinct
    tokens all are returned; a key of four or more tokens keeps at least two positions, so
    one of them survives too. Keys under four tokens must be equal, so any token is shared.
    """
    distinct = sorted(set(tokens), key=lambda token: (-len(token), token))
    return tuple(distinct[:ANCHORS])


def index_keys(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """What a stored key is filed under in the title index: each distinct pair of neighbouring
    tokens (`"sora opens"`), or the token of a one-token key. Pairs are far rarer than tokens,
    so a lookup meets few candidates even when every title holds common words."""
    if len(tokens) == 1:
        return tokens
    return tuple(dict.fromkeys(f"{a} {b}" for a, b in pairwise(tokens)))


def lookup_keys(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Index keys of which every near-identical stored key holds at least one.

    Why these suffice: with at most k edits, an alignment breaks at most 2k of the key's
    neighbouring pairs (a substitution or deletion breaks the two pairs around its token, an
    insertion the one it splits), and a pair whose tokens both stay aligned side by side is
    a pair of the other key too. A key of n >= 4 tokens may differ by k = min(2, (n + 2) // 4)
    edits at most (the other key is at most k longer), and has n - 1 >= 2k + 1 pair places,
    so of any 2k + 1 distinct pairs (or all of them, when fewer) one survives. Keys under
    four tokens must be equal, so any one of their pairs is shared. Longest pairs first.
    """
    if not tokens:
        return ()
    keys = sorted(index_keys(tokens), key=lambda key: (-len(key), key))
    if len(tokens) < MIN_FUZZY_TOKENS:
        return tuple(keys[:1])
    edits = min(MAX_EDITS, (len(tokens) + MAX_EDITS) // 4)
    return tuple(keys[: 2 * edits + 1])


__all__ = [
    "candidate_tokens",
    "edit_limit",
    "index_keys",
    "lookup_keys",
    "near_identical",
    "title_key_tokens",
    "within_edits",
]
