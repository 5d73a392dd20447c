"""Matching items against many compiled watches, at a cost that grows with the item.

Each watch has slots, and an item must hit every slot to match: one per positive child of
an AND, one per word of a phrase, else one. A slot is a few anchors (tokens, prefixes or
spaceless substrings), one of which the item must hold. A watch is filed under the
anchors of its least-shared slot; an item looks its own tokens up there, the watches
found have their other slots checked by set lookups, and only those left are evaluated,
so 10,000 watches cost about what 10 do.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from bot.match.query import All, Any, Node, Not, Query, Term, is_positive
from bot.match.tokens import is_spaceless, tokenize

Anchor = tuple[str, str]  # ("tok" | "pre" | "sub", text)
_SEP = "\x1f"  # never inside a token: tokenize() splits on everything but letters and digits
MAX_SLOTS = 64  # slots per watch (a query of 256 characters has fewer AND children)


@dataclass(frozen=True)
class ItemText:
    """An item's text, tokenized once: tokens per field (a phrase stays within one)."""

    fields: tuple[tuple[str, ...], ...]
    tokens: frozenset[str]
    spaceless: tuple[str, ...]
    joined: tuple[str, ...]  # each field's tokens between separators: a phrase is a substring

    @classmethod
    def from_fields(cls, fields: Iterable[str]) -> ItemText:
        tokenized = tuple(tuple(tokenize(field)) for field in fields if field)
        every = frozenset(token for field in tokenized for token in field)
        return cls(
            fields=tokenized,
            tokens=every,
            spaceless=tuple(sorted(token for token in every if is_spaceless(token))),
            joined=tuple(_SEP + _SEP.join(field) + _SEP for field in tokenized),
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
        for token in by_token.keys() & item.tokens:  # the intersection is taken in C
            found.update(by_token[token])
        if self.prefix_lengths:
            by_prefix = self.by_prefix
            heads = {
                token[:length]
                for length in self.prefix_lengths
                for token in item.tokens
                if len(token) >= length
            }
            for head in by_prefix.keys() & heads:
                found.update(by_prefix[head])
        if self.substring_lengths and item.spaceless:
            for token in item.spaceless:
                for length in self.substring_lengths:
                    for start in range(len(token) - length + 1):
                        hits = self.by_substring.get(token[start : start + length])
                        if hits:
                            found.update(hits)


class Matcher:
    """Compiled watches and the anchor table that finds the ones an item could match."""

    def __init__(self) -> None:
        self._roots: dict[int, Node] = {}
        self._slots: dict[int, list[list[Anchor]]] = {}
        # Built on the first match after a change: each watch is filed under the anchors of
        # one slot, the one the fewest other watches share, and its other slots are checked
        # with a few set lookups before the watch is evaluated.
        self._table: AnchorTable | None = None
        self._checks: dict[int, tuple[tuple[Anchor, ...], ...]] = {}

    def __len__(self) -> int:
        return len(self._roots)

    def add(self, watch_id: int, query: Query) -> None:
        """Compile a watch in; its slots come from the parsed tree (see _slots).

        Every slot must be hit before the watch is evaluated: one per positive child of an
        AND root and one per word of a phrase, so neither `strik* actors` nor "Sora climate"
        is evaluated for every item that holds `actors` or `climate`.
        """
        self._roots[watch_id] = query.root
        self._slots[watch_id] = _slots(query.root)[:MAX_SLOTS]
        self._table = None

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
        self._index().collect(item, found)
        checks = self._checks
        return {
            watch_id
            for watch_id in found
            if watch_id not in checks or all(_slot_hit(slot, item) for slot in checks[watch_id])
        }

    def _index(self) -> AnchorTable:
        if self._table is None:
            shared = Counter(
                anchor for slots in self._slots.values() for slot in slots for anchor in set(slot)
            )
            table, checks = AnchorTable(), {}
            for watch_id, slots in self._slots.items():
                primary = min(range(len(slots)), key=lambda n: _slot_cost(slots[n], shared))
                for anchor in slots[primary]:
                    table.file(anchor, watch_id)
                if len(slots) > 1:
                    checks[watch_id] = tuple(tuple(s) for n, s in enumerate(slots) if n != primary)
            self._table, self._checks = table, checks
        return self._table


def _slot_cost(slot: list[Anchor], shared: Counter[Anchor]) -> tuple[int, int, int]:
    """How many watches share the slot's anchors (a stand-in for how common they are in the
    news: `climate` is in many watches, a name in few), then _anchor_cost."""
    return (sum(shared[anchor] for anchor in slot), *_anchor_cost(slot)[1:])


def _slot_hit(slot: tuple[Anchor, ...], item: ItemText) -> bool:
    """Whether the item holds one of the slot's anchors (what AnchorTable.collect finds)."""
    for kind, text in slot:
        if kind == "tok":
            if text in item.tokens:
                return True
        elif kind == "pre":
            if any(token.startswith(text) for token in item.tokens):
                return True
        elif any(text in token for token in item.spaceless):
            return True
    return False


def _slots(node: Node) -> list[list[Anchor]]:
    """Groups of anchors an item must hit one of each to match the node: a phrase's words
    each (an item holds every word of a phrase it holds), an AND's children's slots, else
    the node's own anchors as one group."""
    if isinstance(node, Term):
        words = _exact_tokens(node)
        if len(words) > 1:
            return [[("tok", word)] for word in sorted(set(words))]
        return [[_term_anchor(node)]]
    if isinstance(node, All):
        return [slot for child in node.children if is_positive(child) for slot in _slots(child)]
    return [_anchors(node)]


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


def _exact_tokens(term: Term) -> list[str]:
    """The words of a term an item must hold as whole tokens."""
    last = len(term.tokens) - 1
    return [
        token
        for index, token in enumerate(term.tokens)
        if not is_spaceless(token) and not (term.prefix and index == last)
    ]


def _term_anchor(term: Term) -> Anchor:
    exact = _exact_tokens(term)
    if exact:
        return ("tok", max(exact, key=len))
    spaceless = [token for token in term.tokens if is_spaceless(token)]
    if spaceless:
        return ("sub", max(spaceless, key=len))
    return ("pre", term.tokens[-1])


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
    if not term.prefix and not any(map(is_spaceless, tokens)):  # whole words in a row
        needle = _SEP + _SEP.join(tokens) + _SEP
        return any(needle in joined for joined in item.joined)
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
