"""Command replies that keep the text they quote apart from their own markup.

A reply is written in the light markdown both chat platforms share (inline code, a code
fence, bullets), and it quotes text nobody vetted: feed titles and outlets, a user's query,
a parse error that repeats part of it. Each adapter escapes quoted text by its platform's
rules (Discord markdown, Slack mrkdwn) and keeps the reply's own markup live, so it must
know which is which. ReplyText is still a str (the CLI prints it as it is) that remembers
its pieces; concatenation keeps them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from bot.text import mask_unsafe

Kind = Literal["markup", "quoted", "code"]
Piece = tuple[Kind, str]
BACKTICK_LOOKALIKE = "\u02cb"  # MODIFIER LETTER GRAVE ACCENT: reads as `, closes no code


class Quoted(str):
    """Untrusted text shown in running text: it must read literally, never as markup."""


class Code(str):
    """Untrusted text shown inside a code block the reply opened (a query under its caret)."""


class ReplyText(str):
    """A reply as one string, with the pieces it was built from and what each one is."""

    pieces: tuple[Piece, ...]

    def __new__(cls, *parts: str) -> ReplyText:
        pieces = tuple(piece for part in parts for piece in split(part) if piece[1])
        text = super().__new__(cls, "".join(piece[1] for piece in pieces))
        text.pieces = pieces
        return text

    def __add__(self, other: str) -> ReplyText:
        return ReplyText(self, other)

    def __radd__(self, other: str) -> ReplyText:
        return ReplyText(other, self)


def compose(*parts: str) -> ReplyText:
    """A reply from plain strings (the reply's own markup), Quoted and Code pieces."""
    return ReplyText(*parts)


def split(text: str) -> tuple[Piece, ...]:
    """The pieces of any reply text; a plain str is all markup (the core wrote all of it)."""
    if isinstance(text, ReplyText):
        return text.pieces
    if isinstance(text, Quoted):
        return (("quoted", str(text)),)
    if isinstance(text, Code):
        return (("code", str(text)),)
    return (("markup", str(text)),)


def render(
    text: str,
    quoted: Callable[[str], str],
    code: Callable[[str], str],
    markup: Callable[[str], str] = str,
) -> str:
    """The reply for one platform: each piece through the function for its kind."""
    shown = {"markup": markup, "quoted": quoted, "code": code}
    return "".join(shown[kind](piece) for kind, piece in split(text))


def inert_code(text: str) -> str:
    """Quoted text for inside a code block, one character for one (a caret under it still
    points at the right place): a backtick becomes a look-alike that cannot close the block,
    and what clean_text would drop becomes U+FFFD (bot.text.mask_unsafe)."""
    return mask_unsafe(text).replace("`", BACKTICK_LOOKALIKE)
