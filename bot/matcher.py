"""Matching items against many compiled watches, at a cost that grows with the item.

Each watch registers a few anchors: tokens, prefixes or spaceless substrings of which
at least one must be in an item for the watch to match (an AND needs one child's
anchors, an OR all of its children's). An item looks its own tokens up in the anchor
tables and only the watches found there are evaluated, so 10,000 watches cost about
what 10 do.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import repeat
from operator import floordiv

from bot.query import All, Any, Node, Not, Query, Term, is_positive
from bot.tokens import is_spaceless, tokenize

Anchor = tuple[str, str]  # ("tok" | "pre" | "sub", text)
MAX_SLOTS = 64  # slots per watch (a query of 256 characters has fewer AND children)


@dataclass(frozen=True)
class ItemText:
    """An item's text, tokenized once: tokens per field (a phrase stays within one)."""

    fields: tuple[tuple[str, ...], ...]
    tokens: frozenset[str]
    spaceless: tuple[str, ...]

    @classmethod
    def from_fields(cls, fields: Iterable[str]) -> ItemText:
        tokenized = tuple(tuple(tokenize(field)) for field in fields if field)
        every = frozenset(token for field in tokenized for token in field)
        return cls(
            fields=tokenized,
            tokens=every,
            spaceless=tuple(sorted(token for token in every if is_spaceless(token))),
        )


class AnchorTable:
    """Anchor text to the ints filed under it: exact tokens, prefixes, substrings."""

    def __init__(self) -> None:
        self.by_token: dict[str, list[int]] = defaultdict(list)
        self.by_prefix: dict[str, list[int]] = defaultdict(list)
        self.by_substring: dict[str, list[int]] = defaultdict(list)
        self.prefix_lengths: list[int] = []  # sorted
        self.substring_lengths: set[int] = set()

    def file(self, anchor: Anchor, value: int) -> None:
        kind, text = anchor
        if kind == "tok":
            self.by_token[text].append(value)
        elif kind == "pre":
            self.by_prefix[text].append(value)
            if len(text) not in self.prefix_lengths:
                self.prefix_lengths = sorted([*self.prefix_lengths, len(text)])
        else:
            self.by_substring[text].append(value)
            self.substring_lengths.add(len(text))

    def collect(self, item: ItemText, found: set[int]) -> None:
        """Add to `found` what is filed under every anchor the item holds."""
        by_token = self.by_token
        for token in item.tokens:
            hits = by_token.get(token)
            if hits:
                found.update(hits)
        if self.prefix_lengths:
            lengths, by_prefix = self.prefix_lengths, self.by_prefix
            for token in item.tokens:
                for length in lengths:
                    if length > len(token):
                        break
                    hits = by_prefix.get(token[:length])
                    if hits:
                        found.update(hits)
        if self.substring_lengths and item.spaceless:
            for token in item.spaceless:
                for length in self.substring_lengths:
                    for start in range(len(token) - length + 1):
                        hits = self.by_substring.get(token[start : start + length])
                        if hits:
                            found.update(hits)


class Matcher:
    """Compiled watches and the anchor tables that find the ones an item could match."""

    def __init__(self) -> None:
        self._roots: dict[int, Node] = {}
        self._slots: dict[int, int] = {}  # watch -> how many of its slots must be hit
        # One-slot watches (most: a word, a phrase, an OR group, `x -y`) are filed by id,
        # so a hit makes them candidates at once; AND watches by (watch, slot) key.
        self._direct = AnchorTable()
        self._keyed = AnchorTable()

    def __len__(self) -> int:
        return len(self._roots)

    def add(self, watch_id: int, query: Query) -> None:
        """Compile a watch in; its anchors come from the parsed tree.

        A watch whose root is an AND gets one slot per positive child (each child must
        match, so each must find one of its anchors in the item); any other root one slot.
        A watch is a candidate only when all its slots are hit, so `strik* actors` is not
        evaluated for every item that holds `actors`.
        """
        root = query.root
        children = (
            [child for child in root.children if is_positive(child)][:MAX_SLOTS]
            if isinstance(root, All)
            else [root]
        )
        self._roots[watch_id] = root
        self._slots[watch_id] = len(children)
        for slot, child in enumerate(children):
            for anchor in _anchors(child):
                if len(children) == 1:
                    self._direct.file(anchor, watch_id)
                else:
                    self._keyed.file(anchor, watch_id * MAX_SLOTS + slot)

    def match(self, item: ItemText) -> set[int]:
        """The ids of every watch the item matches."""
        memo: dict[Term, bool] = {}
        return {
            watch_id
            for watch_id in self._candidates(item)
            if _evaluate(self._roots[watch_id], item, memo)
        }

    def _candidates(self, item: ItemText) -> set[int]:
        """Watches whose every slot the item hits: the only ones worth evaluating."""
        found: set[int] = set()
        self._direct.collect(item, found)
        keys: set[int] = set()
        self._keyed.collect(item, keys)
        if keys:
            slots = self._slots
            hits = Counter(map(floordiv, keys, repeat(MAX_SLOTS)))  # counted in C
            found.update(watch_id for watch_id, count in hits.items() if count == slots[watch_id])
        return found


def _anchors(node: Node) -> list[Anchor]:
    """Anchors of which an item must hold at least one to match the node."""
    if isinstance(node, Term):
        return [_term_anchor(node)]
    if isinstance(node, Any):
        return [anchor for child in node.children for anchor in _anchors(child)]
    if isinstance(node, All):
        options = [_anchors(child) for child in node.children if is_positive(child)]
        return min(options, key=_anchor_cost)
    raise ValueError("an exclusion cannot anchor a watch")  # parse_query refuses such queries


def _anchor_cost(anchors: list[Anchor]) -> tuple[int, int, int]:
    """Fewer anchors first, exact tokens before prefixes and substrings, longer before shorter."""
    inexact = sum(kind != "tok" for kind, _ in anchors)
    shortest = min(len(text) for _, text in anchors)
    return (len(anchors), inexact, -shortest)


def _term_anchor(term: Term) -> Anchor:
    last = len(term.tokens) - 1
    exact = [
        token
        for index, token in enumerate(term.tokens)
        if not is_spaceless(token) and not (term.prefix and index == last)
    ]
    if exact:
        return ("tok", max(exact, key=len))
    spaceless = [token for token in term.tokens if is_spaceless(token)]
    if spaceless:
        return ("sub", max(spaceless, key=len))
    return ("pre", term.tokens[last])


def _evaluate(node: Node, item: ItemText, memo: dict[Term, bool]) -> bool:
    if isinstance(node, Term):
        known = memo.get(node)
        if known is None:
            known = memo[node] = _term_matches(node, item)
        return known
    if isinstance(node, Not):
        return not _evaluate(node.child, item, memo)
    if isinstance(node, All):
        return all(_evaluate(child, item, memo) for child in node.children)
    return any(_evaluate(child, item, memo) for child in node.children)


def _term_matches(term: Term, item: ItemText) -> bool:
    tokens = term.tokens
    if len(tokens) == 1:
        only = tokens[0]
        if is_spaceless(only):
            return any(only in token for token in item.spaceless)
        if term.prefix:
            return only in item.tokens or any(token.startswith(only) for token in item.tokens)
        return only in item.tokens
    if not all(_may_hold(item, term, index) for index in range(len(tokens))):
        return False
    return any(_phrase_in(term, field) for field in item.fields)


def _may_hold(item: ItemText, term: Term, index: int) -> bool:
    """A quick test that the item could hold this token of a phrase, before scanning fields."""
    token = term.tokens[index]
    if is_spaceless(token) or (term.prefix and index == len(term.tokens) - 1):
        return True
    return token in item.tokens


def _phrase_in(term: Term, field: tuple[str, ...]) -> bool:
    size = len(term.tokens)
    for start in range(len(field) - size + 1):
        if all(_token_fits(term, index, field[start + index]) for index in range(size)):
            return True
    return False


def _token_fits(term: Term, index: int, token: str) -> bool:
    """One query token against one item token, by its place in the phrase.

    A spaceless query token may be the end of the run it starts in, the start of the run
    it ends in, or a whole run in between: that is what "in a row" means inside a run.
    """
    want = term.tokens[index]
    last = len(term.tokens) - 1
    if is_spaceless(want):
        if not is_spaceless(token):
            return False
        if index == 0:
            return token.endswith(want)
        if index == last:
            return token.startswith(want)
        return token == want
    if term.prefix and index == last:
        return token.startswith(want)
    return token == want
