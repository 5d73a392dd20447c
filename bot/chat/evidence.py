"""How a copy joined its story, in words (SPEC "Stories": every merge records its evidence).

The story engine stores the evidence as JSON on each item (schema 7, `items.evidence`):
`{"rule": "first", "kept_apart": [...]}`, `{"rule": "url", "canonical": ...}` or
`{"rule": "event", "score": 0.62, "shared": [...], "with": <item id>}`. Titles and terms in
it came from feeds, so they are Quoted for the adapters to escape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.deliver.quoting import Quoted, ReplyText, compose
from bot.store.storyview import StoryCopy

NO_EVIDENCE = "stored before the story engine, no evidence"
MAX_SHARED = 12  # shared terms shown; the rest are counted
MAX_KEPT_APART = 5


def related_items(copies: list[StoryCopy]) -> list[int]:
    """The item ids the copies' evidence names (`with`), to fetch their titles at once."""
    found = []
    for copy in copies:
        other = (copy.evidence or {}).get("with")
        if isinstance(other, int) and not isinstance(other, bool):
            found.append(other)
    return found


def evidence_words(copy: StoryCopy, titles: Mapping[int, str]) -> ReplyText:
    """`joined story 12: same event as 'OpenAI courts…' (score 0.62; shared: sora, openai)`."""
    evidence = copy.evidence
    if evidence is None:
        return compose(NO_EVIDENCE)
    rule = evidence.get("rule")
    story = f"story {copy.story_id}"
    if rule == "first":
        return compose(f"the first copy of {story}", _kept_apart(evidence.get("kept_apart")))
    if rule == "url":
        canonical = evidence.get("canonical")
        where = compose(" (", Quoted(str(canonical)), ")") if canonical else ""
        return compose(f"joined {story}: the same link as a copy of it", where)
    if rule == "event":
        other = evidence.get("with")
        title = titles.get(other) if isinstance(other, int) else None
        like = compose("'", Quoted(title), "'") if title is not None else _item(other)
        return compose(f"joined {story}: the same event as ", like, _score(evidence))
    return compose(f"joined {story} by the rule ", Quoted(repr(rule)), _score(evidence))


def _item(other: object) -> str:
    return f"item {other}" if isinstance(other, int) else "another copy"


def _score(evidence: Mapping[str, Any]) -> ReplyText:
    parts: list[str] = []
    score = evidence.get("score")
    if isinstance(score, int | float) and not isinstance(score, bool):
        parts.append(f"score {score:.2f}")
    shared = evidence.get("shared")
    if isinstance(shared, list) and shared:
        words = ", ".join(str(term) for term in shared[:MAX_SHARED])
        more = f" and {len(shared) - MAX_SHARED} more" if len(shared) > MAX_SHARED else ""
        parts.append(Quoted(f"shared: {words}{more}"))
    if not parts:
        return compose()
    return compose(" (", *_joined(parts, "; "), ")")


def _kept_apart(near: object) -> ReplyText:
    """`; kept apart from story 12 (score 0.81: 'vox' vs 'vice')`, for each near story."""
    if not isinstance(near, list) or not near:
        return compose()
    shown = []
    for entry in near[:MAX_KEPT_APART]:
        if not isinstance(entry, dict):
            continue
        score = entry.get("score")
        why = entry.get("reason")
        detail = [f"score {score:.2f}"] if isinstance(score, int | float) else []
        detail += [Quoted(str(why))] if why else []
        inner = compose(" (", *_joined(detail, ": "), ")") if detail else ""
        shown.append(compose(f"story {entry.get('story')}", inner))
    if not shown:
        return compose()
    return compose("; kept apart from ", *_joined(shown, ", "))


def _joined(parts: Sequence[str], separator: str) -> list[str]:
    """The parts with a separator between each two (Quoted pieces stay Quoted)."""
    out: list[str] = []
    for index, part in enumerate(parts):
        if index:
            out.append(separator)
        out.append(part)
    return out
