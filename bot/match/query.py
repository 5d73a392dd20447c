"""The watch query language (SPEC "Query language"): parsed once into a small tree.

Grammar, loosest first, as in web search:
    query   := all
    all     := any+                      terms side by side must all appear
    any     := unary (("OR" | "|") unary)*
    unary   := "-" primary | primary
    primary := "(" all ")" | '"' words '"' | word | word"*"
Terms are literal tokens (bot.match.tokens), never regular expressions, so no query can make
matching slow. Every error says what is wrong and where, for a caret under the query.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

from idna import valid_contextj

from bot.match.tokens import is_spaceless, tokenize

MAX_QUERY_LENGTH = 256
SOFT_HYPHEN = "\u00ad"

# Invisible characters that make a query mean something other than what it shows
# (`Zwsp\u200bwatch` reads as one word and is the phrase "zwsp watch"; U+202E reverses what
# follows). Bidi controls (UAX #9), tag characters, and the Default_Ignorable_Code_Point
# characters of Unicode's DerivedCoreProperties (zero-width characters, fillers, variation
# selectors) are refused; so is any other format character (category Cf). The soft hyphen is
# dropped instead: it only marks where a word may break, feed text loses it too
# (bot.text.clean_text), so `Holly\u00adwood` means Hollywood, as it looks.
_BIDI = frozenset([0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])
_IGNORABLE: tuple[tuple[int, int], ...] = (
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x115F, 0x1160),  # Hangul fillers
    (0x17B4, 0x17B5),  # Khmer inherent vowels
    (0x180B, 0x180F),  # Mongolian free variation selectors and vowel separator
    (0x200B, 0x200D),  # zero width space, non-joiner, joiner
    (0x2060, 0x206F),  # word joiner, invisible operators, deprecated format characters
    (0x3164, 0x3164),  # Hangul filler
    (0xFE00, 0xFE0F),  # variation selectors
    (0xFEFF, 0xFEFF),  # zero width no-break space (BOM)
    (0xFFA0, 0xFFA0),  # halfwidth Hangul filler
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),  # shorthand format controls
    (0x1D173, 0x1D17A),  # musical symbol format controls
    (0xE0000, 0xE0FFF),  # tag characters, variation selectors supplement
)
_JOINERS = "\u200c\u200d"


class QueryError(ValueError):
    """A query that cannot be used, with the column span the message is about."""

    def __init__(self, message: str, query: str, start: int, length: int = 1) -> None:
        super().__init__(message)
        self.query = query
        self.start = max(0, min(start, len(query)))
        self.length = max(1, length)

    def pointer(self) -> str:
        """The query with carets under the problem, for a monospace reply."""
        shown = self.query if len(self.query) <= 120 else self.query[:120] + "…"
        caret_at = min(self.start, len(shown))
        return f"{shown}\n{' ' * caret_at}{'^' * min(self.length, max(1, len(shown) - caret_at))}"


@dataclass(frozen=True)
class Term:
    """Tokens that must appear in a row within one field; the last may be a prefix."""

    tokens: tuple[str, ...]
    prefix: bool = False

    @property
    def spaceless(self) -> bool:
        return len(self.tokens) == 1 and is_spaceless(self.tokens[0])

    def describe(self) -> str:
        text = " ".join(self.tokens) + ("*" if self.prefix else "")
        return f'"{text}"' if len(self.tokens) > 1 else text


@dataclass(frozen=True)
class Not:
    """The item must not contain what the child matches."""

    child: Node

    def describe(self) -> str:
        return f"NOT {_describe_child(self.child)}"


@dataclass(frozen=True)
class All:
    """Every child must match, anywhere in the item."""

    children: tuple[Node, ...]

    def describe(self) -> str:
        return " AND ".join(_describe_child(child) for child in self.children)


@dataclass(frozen=True)
class Any:
    """At least one child must match."""

    children: tuple[Node, ...]

    def describe(self) -> str:
        return " OR ".join(_describe_child(child) for child in self.children)


Node = Term | Not | All | Any


def _describe_child(node: Node) -> str:
    text = node.describe()
    return f"({text})" if isinstance(node, All | Any) else text


@dataclass(frozen=True)
class Query:
    """A parsed query: its source text and its tree."""

    text: str
    root: Node

    def describe(self) -> str:
        """How the query was understood, in words a user can check."""
        return self.root.describe()


@dataclass(frozen=True)
class _Lexeme:
    kind: str  # "word", "phrase", "or", "open", "close", "not"
    text: str
    start: int
    end: int


def normalise_query(text: str) -> str:
    """How a query is stored: NFC, outer whitespace trimmed, inner runs of spaces folded, soft
    hyphens dropped (parse_query ignores them, so the stored text is what the watch means)."""
    return " ".join(unicodedata.normalize("NFC", text.replace(SOFT_HYPHEN, "")).split())


@functools.lru_cache(maxsize=20_000)
def parse_query(text: str) -> Query:
    """Parse a query, or raise QueryError saying what is wrong and where.

    Cached: a start reads each watch twice (its watchlist, then the index), and a Query is
    immutable. Errors are not cached. Soft hyphens are dropped first (see _IGNORABLE).
    """
    text = text.replace(SOFT_HYPHEN, "")
    _check_characters(text)
    if not text.strip():
        raise QueryError("the query is empty; give at least one word to watch", text, 0)
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(
            f"the query is {len(text)} characters; a query is at most {MAX_QUERY_LENGTH}",
            text,
            MAX_QUERY_LENGTH,
            len(text) - MAX_QUERY_LENGTH,
        )
    parser = _Parser(text, _lex(text))
    root = parser.parse()
    return Query(text=text, root=root)


def _check_characters(text: str) -> None:
    for index, char in enumerate(text):
        if char in "\t\n\r":
            continue
        code = ord(char)
        if code < 0x20 or 0x7F <= code < 0xA0 or 0xD800 <= code < 0xE000:
            raise QueryError(
                f"the query holds the control character U+{code:04X} at column {index + 1}",
                text,
                index,
            )
        if code >= 0xA0:
            why = _invisible(text, index)
            if why:
                name = unicodedata.name(char, "")
                raise QueryError(
                    f"U+{code:04X}{' ' + name if name else ''} at column {index + 1} {why}; "
                    "type the query without it",
                    text,
                    index,
                )


def _invisible(text: str, index: int) -> str:
    """Why the character at `index` may not be in a query, or "" when it may."""
    code = ord(text[index])
    if code in _BIDI:
        return "is an invisible bidi control that reorders the text around it"
    if 0xE0000 <= code <= 0xE007F:
        return "is an invisible tag character"
    ignorable = any(low <= code <= high for low, high in _IGNORABLE)
    if not ignorable and unicodedata.category(text[index]) != "Cf":
        return ""
    if text[index] in _JOINERS and _joins_visibly(text, index):
        return ""
    return "is invisible" if ignorable else "is a format character"


def _joins_visibly(text: str, index: int) -> bool:
    """RFC 5892 CONTEXTJ: a joiner after a virama, or a ZWNJ between joining letters (Persian,
    Arabic), changes how the word is drawn, so it is part of the spelling people see."""
    start = max(0, index - 64)
    try:
        return valid_contextj(text[start : index + 64], index - start)
    except ValueError:  # a neighbour without a Unicode name (unassigned)
        return False


_SPECIAL = '()"|'


def _lex(text: str) -> list[_Lexeme]:
    out: list[_Lexeme] = []
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
        elif char == "(":
            out.append(_Lexeme("open", char, i, i + 1))
            i += 1
        elif char == ")":
            out.append(_Lexeme("close", char, i, i + 1))
            i += 1
        elif char == "|":
            out.append(_Lexeme("or", char, i, i + 1))
            i += 1
        elif char == '"':
            close = text.find('"', i + 1)
            if close < 0:
                raise QueryError(f"the quote at column {i + 1} is never closed", text, i, n - i)
            out.append(_Lexeme("phrase", text[i + 1 : close], i, close + 1))
            i = close + 1
        elif char == "-" and (i + 1 >= n or text[i + 1].isspace() or text[i + 1] in ")|"):
            raise QueryError(
                f"the '-' at column {i + 1} excludes nothing; write it against a term, as in -golf",
                text,
                i,
            )
        elif char == "-":
            out.append(_Lexeme("not", char, i, i + 1))
            i += 1
        else:
            start = i
            while i < n and not text[i].isspace() and text[i] not in _SPECIAL:
                i += 1
            word = text[start:i]
            out.append(_Lexeme("or" if word == "OR" else "word", word, start, i))
    return out


class _Parser:
    """Recursive descent over the lexemes; every failure names a column."""

    def __init__(self, text: str, lexemes: list[_Lexeme]) -> None:
        self.text = text
        self.lexemes = lexemes
        self.pos = 0

    def parse(self) -> Node:
        if not self.lexemes:
            raise QueryError("the query is empty; give at least one word to watch", self.text, 0)
        node = self._all(top=True)
        if self.pos < len(self.lexemes):
            lexeme = self.lexemes[self.pos]
            raise QueryError(
                f"the ')' at column {lexeme.start + 1} closes no '('", self.text, lexeme.start
            )
        if not is_positive(node):
            raise QueryError(
                "the query only excludes; add a term it must contain, as in Sora -golf",
                self.text,
                0,
                len(self.text),
            )
        return node

    def _peek(self) -> _Lexeme | None:
        return self.lexemes[self.pos] if self.pos < len(self.lexemes) else None

    def _all(self, top: bool) -> Node:
        children: list[Node] = []
        while True:
            lexeme = self._peek()
            if lexeme is None or (lexeme.kind == "close" and not top):
                break
            if lexeme.kind == "close":
                raise QueryError(
                    f"the ')' at column {lexeme.start + 1} closes no '('", self.text, lexeme.start
                )
            children.append(self._any())
        if not children:
            where = self._peek()
            start = where.start if where else len(self.text)
            raise QueryError("empty brackets: put a term inside ( )", self.text, start - 1, 2)
        return children[0] if len(children) == 1 else All(tuple(children))

    def _any(self) -> Node:
        first = self._peek()
        assert first is not None
        if first.kind == "or":
            raise QueryError(
                f"the {first.text} at column {first.start + 1} needs a term on its left",
                self.text,
                first.start,
                len(first.text),
            )
        operands = [(first.start, self._unary())]
        while (lexeme := self._peek()) is not None and lexeme.kind == "or":
            self.pos += 1
            following = self._peek()
            if following is None or following.kind in ("or", "close"):
                raise QueryError(
                    f"the {lexeme.text} at column {lexeme.start + 1} needs a term on its right",
                    self.text,
                    lexeme.start,
                    len(lexeme.text),
                )
            operands.append((following.start, self._unary()))
        if len(operands) == 1:
            return operands[0][1]
        for start, child in operands:
            if not is_positive(child):
                raise QueryError(
                    f"the side of OR at column {start + 1} only excludes; every side of an OR "
                    "needs a term the item must contain",
                    self.text,
                    start,
                )
        return Any(tuple(child for _, child in operands))

    def _unary(self) -> Node:
        lexeme = self._peek()
        assert lexeme is not None
        if lexeme.kind == "not":
            self.pos += 1
            following = self._peek()
            if following is None or following.kind in ("or", "close", "not"):
                raise QueryError(
                    f"the '-' at column {lexeme.start + 1} excludes nothing; write it against "
                    "a term, as in -golf",
                    self.text,
                    lexeme.start,
                )
            child = self._primary()
            if not is_positive(child):
                raise QueryError(
                    f"the '-' at column {lexeme.start + 1} excludes an exclusion; drop one",
                    self.text,
                    lexeme.start,
                )
            return Not(child)
        return self._primary()

    def _primary(self) -> Node:
        lexeme = self._peek()
        assert lexeme is not None
        if lexeme.kind == "open":
            self.pos += 1
            inner = self._all(top=False)
            closing = self._peek()
            if closing is None or closing.kind != "close":
                raise QueryError(
                    f"the '(' at column {lexeme.start + 1} is never closed",
                    self.text,
                    lexeme.start,
                )
            self.pos += 1
            return inner
        if lexeme.kind == "phrase":
            self.pos += 1
            tokens = tuple(tokenize(lexeme.text))
            if not tokens:
                raise QueryError(
                    f"the phrase at column {lexeme.start + 1} has no letters or digits to match",
                    self.text,
                    lexeme.start,
                    lexeme.end - lexeme.start,
                )
            return Term(tokens)
        if lexeme.kind == "word":
            self.pos += 1
            return self._word(lexeme)
        raise QueryError(  # "close" and "or" are handled by the callers
            f"unexpected {lexeme.text!r} at column {lexeme.start + 1}", self.text, lexeme.start
        )

    def _word(self, lexeme: _Lexeme) -> Term:
        word = lexeme.text
        prefix = word.endswith("*")
        body = word[:-1] if prefix else word
        star = body.find("*")
        if star >= 0:
            raise QueryError(
                f"'*' at column {lexeme.start + star + 1} may only end a word, as in strik*",
                self.text,
                lexeme.start + star,
            )
        tokens = tuple(tokenize(body))
        if not tokens:
            raise QueryError(
                f"{word!r} at column {lexeme.start + 1} has no letters or digits to match",
                self.text,
                lexeme.start,
                len(word),
            )
        if prefix and not body[-1:].isalnum():
            raise QueryError(
                f"'*' at column {lexeme.end} must follow a letter or digit, as in strik*",
                self.text,
                lexeme.end - 1,
            )
        return Term(tokens, prefix=prefix)


def is_positive(node: Node) -> bool:
    """Whether the node needs something to be present (a branch of only exclusions does not)."""
    if isinstance(node, Term):
        return True
    if isinstance(node, Not):
        return False
    if isinstance(node, All):
        return any(is_positive(child) for child in node.children)
    return all(is_positive(child) for child in node.children)
