"""A parsed watch query: a small immutable tree the matcher walks (bot.match.matcher).

bot.match.query builds it; each node says in words how it was understood (`describe`).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.match.tokens import is_spaceless


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


def is_positive(node: Node) -> bool:
    """Whether the node needs something to be present (a branch of only exclusions does not)."""
    if isinstance(node, Term):
        return True
    if isinstance(node, Not):
        return False
    if isinstance(node, All):
        return any(is_positive(child) for child in node.children)
    return all(is_positive(child) for child in node.children)
