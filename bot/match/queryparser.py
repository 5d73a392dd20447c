"""The query lexer and recursive-descent parser (grammar in bot.match.query).

Every error says what is wrong and where (a QueryError with a column span), for a caret under
the query.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.match.querytree import All, Any, Node, Not, Term, is_positive
from bot.match.tokens import tokenize


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
class _Lexeme:
    kind: str  # "word", "phrase", "or", "open", "close", "not"
    text: str
    start: int
    end: int


_SPECIAL = '()"|'


def lex(text: str) -> list[_Lexeme]:
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


class Parser:
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
