"""Feed markup to plain, safe text: what items are matched on and what alerts show.

Feed text is written by strangers (HARDENING A6-A8, E1). `html_to_text` removes markup with
selectolax and decodes entities exactly once; `clean_text` drops controls, bidi overrides,
invisible characters and Zalgo stacks; `summary` cuts the result for an alert at a word,
never inside a grapheme cluster. The output is plain text: the chat adapters escape it for
their own platform (so a literal `<!channel>` in a feed is kept here as text and neutralised
there), and nothing here tries to be a second escaping layer.

Markup is flattened before lexbor sees it: every tag except the few whose content is dropped
becomes the void `<wbr>` (with a newline before block tags), so the parse tree is always
flat. Lexbor's tree builder walks the stack of open elements for each block tag, and 40,000
nested `<div>`s (200 kB) took seconds; a flat tree parses in linear time. Only text is kept,
so the structure lost is structure we did not need.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from bisect import bisect_right
from itertools import accumulate

import regex
from selectolax.lexbor import LexborHTMLParser

MAX_MARKUP = 500_000  # characters of markup read; the rest is cut before parsing (A7)
MAX_MARKS = 4  # combining marks kept on one base character (Zalgo text, A6)
ELLIPSIS = "…"

# Elements whose content is never text a reader sees: removed with all they hold. Their
# names survive flattening so that the parser still reads their content as one element.
# FLAT_DROPPED ones never nest (raw text, or `head`, which the parser ignores in a body);
# the others can, so only MAX_CONTAINERS of their start tags stay elements (40,000 open
# <video>s and as many stray end tags took 11 s). An excess one nested in a kept one is
# dropped with it all the same; a sibling past the limit shows its fallback text.
FLAT_DROPPED = frozenset({"head", "iframe", "noembed", "noframes", "script", "style", "title"})
NESTED_DROPPED = frozenset({"audio", "canvas", "noscript", "object", "template", "video"})
DROPPED_TAGS = FLAT_DROPPED | NESTED_DROPPED
MAX_CONTAINERS = 100
# Elements that separate words: each start and end tag becomes a line break.
_BLOCK_NAMES = (
    "address article aside blockquote body br caption center dd details dialog dir div dl dt"
    " fieldset figcaption figure footer form frame h1 h2 h3 h4 h5 h6 header hgroup hr html"
    " legend li listing main menu nav ol optgroup option p plaintext pre search section summary"
    " table tbody td textarea tfoot th thead tr ul xmp"
)
BLOCK_TAGS = frozenset(_BLOCK_NAMES.split())

# `<` that starts markup: a tag, an end tag, a comment, a doctype. Any other `<` (`a < b`,
# `<!channel>`, `<@U123>`, `</ 3`) is text and is escaped before parsing.
_MARKUP = r"[A-Za-z]|/[A-Za-z]|!--|!\[CDATA\[|![Dd][Oo][Cc][Tt][Yy][Pp][Ee]"
_MARKUP_START = re.compile(f"<(?:{_MARKUP})")
_LONE_LT = re.compile(f"<(?!{_MARKUP})")
_TAG_NAME = re.compile(r"<(/?)([A-Za-z][^\s/>]*)")
# A CDATA section inside HTML is a bogus comment to lexbor; keep what it wraps as markup.
_CDATA_MARKERS = re.compile(r"<!\[CDATA\[|\]\]>")
_SURROGATES = re.compile("[\ud800-\udfff]")
_HTML_SPACES = re.compile("[ \t\n\r\f]+")

# Removed outright: C0 and C1 controls that are not whitespace (whitespace controls become
# spaces below), DEL, soft hyphen, Arabic letter mark, Mongolian vowel separator, zero-width
# space, LRM/RLM, bidi embeddings, overrides and isolates, word joiner and invisible
# operators, deprecated format controls, BOM, interlinear annotations, lone surrogates.
_UNSAFE = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\xad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]"
)
# Tag characters spell hidden ASCII ("ASCII smuggling"); they are kept only inside an emoji
# subdivision flag (black flag, tag letters, cancel tag).
_TAG_CHARS = re.compile(
    "(\U0001f3f4[\U000e0020-\U000e007e]{1,32}\U000e007f)|[\U000e0000-\U000e007f]"
)
_SPACES = re.compile(r"\s+")
# Whitespace controls and line separators: a line shown on a terminal keeps none of them.
_BREAKS = re.compile("[\t\n\x0b-\x0d\x1c-\x1f\x85\u2028\u2029]")
# A line break in any of its spellings, and the other whitespace controls.
_LINE_BREAK = re.compile("\r\n|[\n\x0b-\x0d\x1c-\x1e\x85\u2028\u2029]")
_OTHER_SPACE = re.compile("[\t\x1f]")
_CODE_SPACE = re.compile("[\t\x0b-\x0d\x1c-\x1f\x85\u2028\u2029]")  # all but \n
_ZW_JOINERS = "\u200c\u200d"  # ZWNJ and ZWJ: kept, and they do not end a run of marks


def _mark_class() -> str:
    """A regex class of every combining mark: categories Mn and Me, and any character with a
    non-zero combining class (canonical reordering in NFC is quadratic in such a run)."""
    codes = [
        code
        for block in (range(0x300, 0x20000), range(0xE0100, 0xE01F0))
        for code in block
        if unicodedata.category(chr(code)) in ("Mn", "Me") or unicodedata.combining(chr(code))
    ]
    spans: list[list[int]] = []
    for code in codes:
        if spans and spans[-1][1] == code - 1:
            spans[-1][1] = code
        else:
            spans.append([code, code])
    return "[" + "".join(f"{chr(a)}-{chr(b)}" if a < b else chr(a) for a, b in spans) + "]"


@functools.cache
def _mark_run() -> re.Pattern[str]:
    """A mark and MAX_MARKS - 1 more (ZWJ/ZWNJ between them allowed) kept as group 1, then
    the excess marks. Built on first use: the class takes a quarter of a second to build,
    which every start and each parse worker would pay, and almost no text needs it."""
    mark = _mark_class()
    return re.compile(
        f"({mark}(?:[{_ZW_JOINERS}]*+{mark}){{{MAX_MARKS - 1}}})(?:[{_ZW_JOINERS}]*+{mark})+"
    )


# Every mark and joiner is at or above U+0300, so a run to cap needs that many characters
# in a row up there: a cheap test that spares most text the large class above.
_MAYBE_MARK_RUN = re.compile(f"[^\x00-\u02ff]{{{MAX_MARKS + 1}}}")
_TRAILING = frozenset(" ,;:-–—\u200c\u200d")  # atoms stripped from a cut before the ellipsis
GRAPHEME = regex.compile(r"\X")  # an extended grapheme cluster (UAX #29)
REPLACEMENT = "\ufffd"


def html_to_text(markup: str) -> str:
    """Plain text of feed markup: tags gone, blocks apart, entities decoded once.

    Runs of HTML whitespace become one space, as a browser shows them; `&nbsp;` becomes a
    plain space and is not merged (clean_text folds what is left).
    """
    if not markup:
        return ""
    markup = markup[:MAX_MARKUP]
    if "<" not in markup or not _MARKUP_START.search(markup):
        return _tidy(html.unescape(markup))  # plain text with entities: no parser needed
    flat, dropped = _flatten(_prepare(markup))
    tree = LexborHTMLParser("<body>" + flat)
    if dropped:
        tree.strip_tags(sorted(dropped))  # one walk of the tree per name: only names present
    root = tree.root
    return _tidy(str(root.text(deep=True, separator=""))) if root is not None else ""


def _prepare(markup: str) -> str:
    """Markup lexbor reads as the feed meant it: CDATA unwrapped, text `<` escaped."""
    markup = _SURROGATES.sub("", markup)  # not encodable as UTF-8; clean_text drops them anyway
    if "<![CDATA[" in markup:
        markup = _CDATA_MARKERS.sub("", markup)
    return _LONE_LT.sub("&lt;", markup)


def _flatten(markup: str) -> tuple[str, frozenset[str]]:
    """Every tag but the dropped ones becomes a void `<wbr>`, a block tag after a newline;
    also the names of the dropped elements kept. Attributes stay where they are, so each
    tag still ends where the HTML tokenizer says it does."""
    seen: set[str] = set()
    containers = 0

    def flat_tag(match: re.Match[str]) -> str:
        nonlocal containers
        name = match[2].lower()
        if name in NESTED_DROPPED and not match[1]:
            containers += 1
            if containers > MAX_CONTAINERS:
                return "<wbr"
        if name in DROPPED_TAGS:
            seen.add(name)
            return match[0]
        return "\n<wbr" if name in BLOCK_TAGS else "<wbr"  # an end tag too: a void start tag

    return _TAG_NAME.sub(flat_tag, markup), frozenset(seen)


def _tidy(text: str) -> str:
    return _HTML_SPACES.sub(" ", text).replace("\xa0", " ").strip()


def clean_text(text: str, *, lines: bool = False, spacing: bool = False) -> str:
    """Safe, tidy text: NFC, no controls, bidi or invisible characters, marks capped at
    MAX_MARKS per base, whitespace runs folded to one space. Never raises; UTF-8 safe.

    With `lines`, line breaks stay (as `\n`) and each line is folded on its own (a notice);
    with `spacing`, every space and line break stays where it is and nothing is stripped
    (a reply's own markup, joined to the pieces it quotes)."""
    if not text:
        return ""
    text = _UNSAFE.sub("", text)
    if not text.isascii():
        text = _TAG_CHARS.sub(r"\1", text)
        text = _normalize(text)
    if not (lines or spacing):
        return _SPACES.sub(" ", text).strip()
    text = _OTHER_SPACE.sub(" ", _LINE_BREAK.sub("\n", text))
    if spacing:
        return text
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n")).strip()


def clean_head(text: str, limit: int, *, lines: bool = False) -> str:
    """clean_text of as much of `text` as `limit` characters can show: a 5 MB summary is not
    cleaned whole for 300 characters of it, yet text after a flood of removed characters
    still shows. Escaping only lengthens text, so a platform needs no more than this."""
    size = 2 * limit + 64
    while True:
        cleaned = clean_text(text[:size], lines=lines)
        if size >= len(text) or len(cleaned) > limit + 64:  # the cut never nears the edge
            return cleaned
        size *= 4


def mask_unsafe(text: str) -> str:
    """One character for one, for text under a caret: each character clean_text drops
    becomes U+FFFD and each whitespace control but a line break a space, so the caret
    still points at the right place and nothing hidden is shown."""
    text = _TAG_CHARS.sub(lambda m: m[1] or REPLACEMENT, _UNSAFE.sub(REPLACEMENT, text))
    return _CODE_SPACE.sub(" ", text)


def terminal_safe(text: str) -> str:
    """One line a terminal shows as text: no escape sequence can start (ESC, BEL, C1 CSI and
    OSC gone), no bidi control reorders it, no line break forges another line.
    Unlike clean_text it keeps spacing, so the CLI's own columns and indents survive."""
    if not text:
        return ""
    text = _BREAKS.sub(" ", _UNSAFE.sub("", text))
    return text if text.isascii() else _TAG_CHARS.sub(r"\1", text)


def _normalize(text: str) -> str:
    """NFC with combining runs capped; capped first, as NFC's mark sorting is quadratic."""
    text = unicodedata.normalize("NFC", _cap_marks(text))
    capped = _cap_marks(text)  # NFC may decompose a base into more marks than it recomposes
    return text if capped == text else unicodedata.normalize("NFC", capped)


def _cap_marks(text: str) -> str:
    if not _MAYBE_MARK_RUN.search(text):  # the fast path for Latin text with a stray `…`
        return text
    return _mark_run().sub(r"\1", text)


def summary(markup: str, limit: int = 300) -> str:
    """The alert summary: plain text of at most `limit` characters, cut at a word with `…`.

    Text that fits is returned unchanged. With no space in the first `limit` characters the
    cut falls at `limit - 1`, moved back to the start of a grapheme cluster."""
    return shorten_summary(clean_text(html_to_text(markup)), limit)


def shorten_summary(text: str, limit: int = 300) -> str:
    """`summary` of text that is already plain and clean (clean_text of html_to_text)."""
    return cut(text, limit)


CUT_WINDOW = 64  # characters read past the cut, to find the atom that no longer fits


def cut(text: str, limit: int, *, atom: regex.Pattern[str] = GRAPHEME) -> str:
    """`text` if it has at most `limit` characters, else its head and `…` within `limit`.

    The head ends at a word where one fits (no dangling `,;:-` before the ellipsis), else
    between two atoms: grapheme clusters by default, or a platform's escapes and clusters,
    so that cutting escaped text never splits an escape (`&amp;`, `\\*`) or a grapheme.
    """
    if len(text) <= limit:
        return text
    room = limit - len(ELLIPSIS)
    if room < 0:
        return ""
    # Only the head is split into atoms, at C speed. Boundaries before the window's end do
    # not depend on what follows it, and the atom across the cut, if read only in part,
    # still does not fit.
    end = room + CUT_WINDOW
    pieces = (
        atom.findall(text, 0, end)
        if not atom.groups
        else [m[0] for m in atom.finditer(text, 0, end)]
    )
    fitting = bisect_right(list(accumulate(map(len, pieces))), room)
    following = pieces[fitting] if fitting < len(pieces) else ""  # the atom that does not fit
    pieces = pieces[:fitting]
    if not following.startswith(" "):  # not at a word end: back to the last space, if any
        last = next((i for i in range(len(pieces) - 1, 0, -1) if pieces[i].startswith(" ")), 0)
        if last and _trim(pieces[:last]):
            pieces = pieces[:last]
    return "".join(_trim(pieces)) + ELLIPSIS


def _trim(pieces: list[str]) -> list[str]:
    """The pieces without the spaces and punctuation that should not precede an ellipsis."""
    end = len(pieces)
    while end and pieces[end - 1] in _TRAILING:
        end -= 1
    return pieces[:end]
