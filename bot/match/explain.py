"""Why an item matches a watch, or what kept it out, field by field (SPEC `/watch why`).

The verdict is the matcher's own: each term is tested per field by bot.match.matcher's
term test (a term is in the item when it is in one of its fields, a phrase within one),
and the query tree is evaluated as the matcher does. Only the places come from here
(bot.match.spans), so highlighting can never disagree with what alerted.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bot.match.matcher import ItemText, _term_matches, _token_fits
from bot.match.querytree import All, Any, Node, Not, Query, Term
from bot.match.spans import Span, SpanToken, token_spans
from bot.match.tokens import is_spaceless

Fields = Sequence[tuple[str, str]]  # (field name, its text), e.g. ("title", "...")


@dataclass(frozen=True)
class Found:
    """A term found in one field, and where (no spans when the places cannot be told)."""

    term: str  # as the query reads: `sora`, `"sag aftra"`, `strik*`, `-golf`
    field: str
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Explanation:
    """The verdict, the positive terms found where, and what kept the item out."""

    matches: bool
    found: tuple[Found, ...]
    excluded: tuple[Found, ...]  # exclusions present that failed the query
    missing: tuple[str, ...]  # positive parts found nowhere (`actors OR writers`)

    def words(self) -> str:
        """The explanation in one line: `sora in the title; -golf found in the summary`."""
        if self.matches:
            return "matches: " + "; ".join(_places(self.found))
        reasons = [f"{found.term} found in the {found.field}" for found in self.excluded]
        reasons += [f"{part} found nowhere" for part in self.missing]
        return "does not match: " + "; ".join(reasons)


class _Item:
    """An item's fields, each tokenized for the matcher's test and with places for spans."""

    def __init__(self, fields: Fields) -> None:
        self.fields = [(name, text) for name, text in fields if text]
        self.texts = [ItemText.from_fields([text]) for _, text in self.fields]
        self.spanned: dict[int, list[SpanToken] | None] = {}  # made when a term is found there
        self.memo: dict[Term, tuple[int, ...]] = {}

    def where(self, term: Term) -> tuple[int, ...]:
        """The indexes of the fields that hold the term, by the matcher's own test."""
        known = self.memo.get(term)
        if known is None:
            known = self.memo[term] = tuple(
                index for index, text in enumerate(self.texts) if _term_matches(term, text)
            )
        return known

    def found(self, term: Term, name: str) -> list[Found]:
        return [
            Found(name, self.fields[index][0], tuple(term_spans(term, self.tokens(index) or [])))
            for index in self.where(term)
        ]

    def tokens(self, index: int) -> list[SpanToken] | None:
        if index not in self.spanned:
            self.spanned[index] = token_spans(self.fields[index][1])
        return self.spanned[index]


def explain(query: Query, fields: Fields) -> Explanation:
    """Whether the item matches the query, which terms were found where, and what kept it out."""
    return explain_each([query], fields)[0]


def explain_each(queries: Sequence[Query], fields: Fields) -> list[Explanation]:
    """explain() of each query on one item, which is tokenized once for them all."""
    item = _Item(fields)
    return [_explain(query, item) for query in queries]


def _explain(query: Query, item: _Item) -> Explanation:
    matches = _holds(query.root, item)
    found = [hit for term in _positive_terms(query.root) for hit in item.found(term, _name(term))]
    excluded: list[Found] = []
    missing: list[str] = []
    if not matches:
        _kept_out(query.root, item, excluded, missing)
    return Explanation(matches, tuple(found), tuple(excluded), tuple(dict.fromkeys(missing)))


def _holds(node: Node, item: _Item) -> bool:
    if isinstance(node, Term):
        return bool(item.where(node))
    if isinstance(node, Not):
        return not _holds(node.child, item)
    if isinstance(node, All):
        return all(_holds(child, item) for child in node.children)
    return any(_holds(child, item) for child in node.children)


def _kept_out(node: Node, item: _Item, excluded: list[Found], missing: list[str]) -> None:
    """What makes a failing node fail: exclusions present, positive parts found nowhere."""
    if _holds(node, item):
        return
    if isinstance(node, Term):
        missing.append(_name(node))
    elif isinstance(node, Not):
        for term in _terms(node.child):
            excluded += item.found(term, "-" + _name(term))
    elif isinstance(node, All):
        for child in node.children:
            _kept_out(child, item, excluded, missing)
    elif not any(item.where(term) for term in _positive_terms(node)):
        missing.append(node.describe())
    else:
        for child in node.children:
            _kept_out(child, item, excluded, missing)


def _terms(node: Node) -> Iterator[Term]:
    """Every term under the node, exclusions included."""
    if isinstance(node, Term):
        yield node
    elif isinstance(node, Not):
        yield from _terms(node.child)
    else:
        for child in node.children:
            yield from _terms(child)


def _positive_terms(node: Node) -> Iterator[Term]:
    """The terms that must be present for the node to match (none under an exclusion)."""
    if isinstance(node, Term):
        yield node
    elif isinstance(node, All | Any):
        for child in node.children:
            yield from _positive_terms(child)


def _name(term: Term) -> str:
    return term.describe()


def _places(found: Sequence[Found]) -> list[str]:
    by_term: dict[str, list[str]] = {}
    for hit in found:
        by_term.setdefault(hit.term, []).append(hit.field)
    return [f"{term} in the {' and the '.join(names)}" for term, names in by_term.items()]


def term_spans(term: Term, tokens: Sequence[SpanToken]) -> Iterator[Span]:
    """Where in a field's text the term lies: whole tokens, the words of a phrase in a row
    (a spaceless end only as far as it reaches), a spaceless term inside its run."""
    want = term.tokens
    if len(want) == 1 and is_spaceless(want[0]):
        for token in tokens:
            at = token.text.find(want[0])
            while at >= 0 and is_spaceless(token.text):
                yield token.part(at, at + len(want[0]))
                at = token.text.find(want[0], at + len(want[0]))
        return
    size = len(want)
    whole_first = not is_spaceless(want[0]) and not (term.prefix and size == 1)
    for start in range(len(tokens) - size + 1):
        if whole_first and tokens[start].text != want[0]:  # the common case, cheaply
            continue
        window = tokens[start : start + size]
        if all(_token_fits(term, index, token.text) for index, token in enumerate(window)):
            yield (_phrase_start(want[0], window[0], size), _phrase_end(want[-1], window[-1], size))


def _phrase_start(first: str, token: SpanToken, size: int) -> int:
    if size > 1 and is_spaceless(first):  # the run ends with the phrase's first word
        return token.part(len(token.text) - len(first), len(token.text))[0]
    return token.span[0]


def _phrase_end(last: str, token: SpanToken, size: int) -> int:
    if size > 1 and is_spaceless(last):  # the run starts with the phrase's last word
        return token.part(0, len(last))[1]
    return token.span[1]
