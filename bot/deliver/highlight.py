"""The terms that made an alert match, in bold (issue 15 item 13), without touching escaping.

The spans come from bot.match.explain at send time, over the alert's own title and
summary. A renderer never builds bold from feed text: it marks the span edges in the raw
text with two private-use characters, renders that as it renders any feed text (cleaned,
escaped), checks that the rendering with the marks removed is exactly the plain
rendering, and only then puts its own bold markers where the marks landed, in text that
is already escaped. A span whose marks do not come through intact (a platform's escape
that looks at its neighbours) is simply not bold. Feed text that holds those private-use
characters itself gets no bold at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.deliver.model import Alert, Highlight
from bot.match.explain import explain_each
from bot.match.query import QueryError, parse_query
from bot.text import ELLIPSIS

OPEN, CLOSE = "\ue000", "\ue001"  # private use: clean_text keeps them, no escape touches them
MAX_SPANS = 16  # per field: bold beyond that is noise
Span = tuple[int, int]
Markers = Callable[[str, int, int], tuple[str, str]]  # (shown text, start, end) -> (open, close)


def alert_highlights(title: str, summary: str, watches: Sequence[str]) -> tuple[Highlight, ...]:
    """Where the alert's watches' positive terms lie in its title and summary."""
    fields = [("title", title), ("summary", summary)]
    spans: dict[str, list[Span]] = {"title": [], "summary": []}
    queries = []
    for text in watches:
        try:
            queries.append(parse_query(text))
        except QueryError:  # a stored watch a later version refuses: nothing to show for it
            continue
    for explained in explain_each(queries, fields):
        for found in explained.found:
            spans[found.field] += found.spans
    return tuple(
        Highlight(field, start, end)
        for field, found in spans.items()
        for start, end in merged(found)[:MAX_SPANS]
    )


def spans_of(alert: Alert, field: str) -> list[Span]:
    return [(h.start, h.end) for h in alert.highlights if h.field == field]


def merged(spans: Sequence[Span]) -> list[Span]:
    """Sorted, overlapping or touching spans joined, empty ones dropped."""
    out: list[Span] = []
    for start, end in sorted(span for span in spans if span[0] < span[1]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


def bold(
    text: str,
    spans: Sequence[Span],
    *,
    show: Callable[[str], str],
    cut: Callable[[str, int], str],
    limit: int,
    markers: Markers,
) -> str:
    """`cut(show(text), limit)` with the spans in bold: `show` renders raw text (clean and
    escape, no cut), `cut` is the platform's cut, `markers` gives a span's bold markers.
    The text shown is the same as without bold; a span the cut splits stays plain, and so
    do the last ones when their markers would not fit in the limit."""
    plain = show(text)
    shown = cut(plain, limit)
    where = _landed(text, merged(spans), show, plain)
    head, tail = (shown, "") if shown == plain else (shown[: -len(ELLIPSIS)], ELLIPSIS)
    if not where or not shown.endswith(tail) or not plain.startswith(head):
        return shown
    room = limit - len(shown)
    pieces: list[str] = []
    at = 0
    for start, end in where:
        open_, close = markers(plain, start, end)
        room -= len(open_) + len(close)
        if end > len(head) or room < 0:
            break
        pieces += [head[at:start], open_, head[start:end], close]
        at = end
    return "".join([*pieces, head[at:], tail])


def _landed(text: str, spans: list[Span], show: Callable[[str], str], plain: str) -> list[Span]:
    """Where each span that survives rendering lies in the rendering, in order."""
    if OPEN in text or CLOSE in text or not spans:
        return []
    kept: list[Span] = []
    for span in spans:
        if _marked_ok(show(_mark(text, [*kept, span])), plain, len(kept) + 1):
            kept.append(span)
    if not kept:
        return []
    marked = show(_mark(text, kept))
    found: list[Span] = []
    start = shift = 0
    for index, char in enumerate(marked):
        if char == OPEN:
            start = index - shift
            shift += 1
        elif char == CLOSE:
            found.append((start, index - shift))
            shift += 1
    return found


def _mark(text: str, spans: list[Span]) -> str:
    pieces: list[str] = []
    at = 0
    for start, end in sorted(spans):
        pieces += [text[at:start], OPEN, text[start:end], CLOSE]
        at = end
    return "".join([*pieces, text[at:]])


def _marked_ok(marked: str, plain: str, count: int) -> bool:
    """The marks came through whole: in pairs, in order, around something, and nothing else
    in the rendering moved."""
    if marked.replace(OPEN, "").replace(CLOSE, "") != plain:
        return False
    order = [char for char in marked if char in (OPEN, CLOSE)]
    if order != [OPEN, CLOSE] * count:
        return False
    return OPEN + CLOSE not in marked
