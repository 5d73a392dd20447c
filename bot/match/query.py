"""The watch query language (SPEC "Query language"): parsed once into a small tree.

Grammar, loosest first, as in web search:
    query   := all
    all     := any+                      terms side by side must all appear
    any     := unary (("OR" | "|") unary)*
    unary   := "-" primary | primary
    primary := "(" all ")" | '"' words '"' | word | word"*"
Terms are literal tokens (bot.match.tokens), never regular expressions, so no query can make
matching slow. Every error says what is wrong and where, for a caret under the query.
The characters a query may hold are bot.match.querychars', the lexer and parser are in
bot.match.queryparser, the tree they build in bot.match.querytree.
"""

from __future__ import annotations

import functools
import unicodedata

from bot.match.querychars import refused_character
from bot.match.queryparser import Parser, QueryError, lex
from bot.match.querytree import All, Any, Node, Not, Query, Term, is_positive

__all__ = [
    "MAX_QUERY_LENGTH",
    "All",
    "Any",
    "Node",
    "Not",
    "Query",
    "QueryError",
    "Term",
    "is_positive",
    "normalise_query",
    "parse_query",
]

MAX_QUERY_LENGTH = 256
# Dropped, not refused: it only marks where a word may break, feed text loses it too
# (bot.text.clean_text), so `Holly\u00adwood` means Hollywood, as it looks.
SOFT_HYPHEN = "\u00ad"


def normalise_query(text: str) -> str:
    """How a query is stored: NFC, outer whitespace trimmed, inner runs of spaces folded, soft
    hyphens dropped (parse_query ignores them, so the stored text is what the watch means)."""
    return " ".join(unicodedata.normalize("NFC", text.replace(SOFT_HYPHEN, "")).split())


@functools.lru_cache(maxsize=20_000)
def parse_query(text: str) -> Query:
    """Parse a query, or raise QueryError saying what is wrong and where.

    Cached: a start reads each watch twice (its watchlist, then the index), and a Query is
    immutable. Errors are not cached. Soft hyphens are dropped first (see SOFT_HYPHEN).
    """
    text = text.replace(SOFT_HYPHEN, "")
    refused = refused_character(text)
    if refused is not None:
        index, why = refused
        raise QueryError(why, text, index)
    if not text.strip():
        raise QueryError("the query is empty; give at least one word to watch", text, 0)
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(
            f"the query is {len(text)} characters; a query is at most {MAX_QUERY_LENGTH}",
            text,
            MAX_QUERY_LENGTH,
            len(text) - MAX_QUERY_LENGTH,
        )
    root = Parser(text, lex(text)).parse()
    return Query(text=text, root=root)
