"""Feed markup to plain, safe text: what items are matched on and what alerts show.

Feed text is written by strangers (HARDENING A6-A8): markup is removed with selectolax,
entities are decoded exactly once, and controls, bidi overrides and Zalgo stacks are
dropped. The chat adapters escape for their own platform afterwards; this module only
makes text plain.
"""

from __future__ import annotations

import html
import re
import unicodedata

from selectolax.lexbor import LexborHTMLParser

DROPPED_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "head", "svg")
BLOCK_TAGS = [
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "caption",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
]
MAX_MARKUP = 1_000_000  # characters parsed; longer markup is cut first (A7)
MAX_MARKS = 4  # combining marks kept after one base character (Zalgo text)

# `<` that starts markup: a tag name, a closing tag, a comment, a doctype or CDATA. Any
# other `<` (`a < b`, `<!channel>`, `<@U123>`) is text and is escaped before parsing.
_MARKUP_START = re.compile(r"<(?=[A-Za-z/]|!--|!\[CDATA\[|![Dd][Oo][Cc][Tt][Yy][Pp][Ee])")
_LONE_LT = re.compile(r"<(?![A-Za-z/]|!--|!\[CDATA\[|![Dd][Oo][Cc][Tt][Yy][Pp][Ee])")
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069"
    "\ufeff\ud800-\udfff]"
)
_SPACES = re.compile(r"\s+")


def html_to_text(markup: str) -> str:
    """Plain text of feed markup: tags gone, blocks apart, entities decoded once."""
    if not markup:
        return ""
    markup = markup[:MAX_MARKUP]
    if "<" not in markup or not _MARKUP_START.search(markup):
        return html.unescape(markup)
    tree = LexborHTMLParser(_LONE_LT.sub("&lt;", markup))
    tree.strip_tags(list(DROPPED_TAGS))
    for tag in BLOCK_TAGS:
        for node in tree.css(tag):
            node.insert_before(" ")
            node.insert_after(" ")
    root = tree.body or tree.root
    if root is None:
        return ""
    return str(root.text(separator="", deep=True))


def clean_text(text: str) -> str:
    """Safe, tidy text: NFC, no controls or bidi overrides, marks capped, spaces folded."""
    if not text:
        return ""
    text = _INVISIBLE.sub("", text.replace("\t", " ").replace("\n", " ").replace("\r", " "))
    text = unicodedata.normalize("NFC", text)
    if not text.isascii():
        text = _cap_marks(text)
    return _SPACES.sub(" ", text).strip()


def _cap_marks(text: str) -> str:
    out: list[str] = []
    run = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) == "Me":
            run += 1
            if run > MAX_MARKS:
                continue
        else:
            run = 0
        out.append(char)
    return "".join(out)


def summary(markup: str, limit: int = 300) -> str:
    """The alert summary: plain text, at most `limit` characters, cut at a word with `…`."""
    text = clean_text(html_to_text(markup))
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    if space > limit // 2:
        head = head[:space]
    else:
        head = _grapheme_safe(head, text[len(head) : len(head) + 1])
    return head.rstrip(" ,;:-–—") + "…"


def _grapheme_safe(head: str, following: str) -> str:
    """Back off so the cut does not split a base from its marks or a ZWJ sequence."""
    while head and following and _joins(following):
        following = head[-1]
        head = head[:-1]
    while head and head[-1] == "\u200d":
        head = head[:-1]
    return head


def _joins(char: str) -> bool:
    """A character that belongs to the one before it in a grapheme cluster."""
    return (
        bool(unicodedata.combining(char))
        or unicodedata.category(char) in ("Mn", "Mc", "Me")
        or char in "\u200d\ufe0f\ufe0e"
        or "\U0001f3fb" <= char <= "\U0001f3ff"  # skin tones
    )
