"""How a copy joined its story, in words (SPEC "Stories": every merge records its evidence,
which `newswatch stories` and `/watch why` show)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.chat.evidence import evidence_words, related_items
from bot.store.storyview import StoryCopy, _evidence

TITLES = {123: "OpenAI courts Hollywood", 7: "Vice Media ratifies"}


def copy(evidence: dict[str, Any] | None) -> StoryCopy:
    return StoryCopy(
        item_id=9,
        story_id=12,
        link="https://a.example/1",
        title="t",
        summary="",
        outlet="o",
        published=None,
        evidence=evidence,
    )


@pytest.mark.parametrize(
    ("evidence", "words"),
    [
        (None, "stored before the story engine, no evidence"),
        ({"rule": "first"}, "the first copy of story 12"),
        (
            {
                "rule": "first",
                "kept_apart": [{"story": 3, "score": 0.81, "reason": "'vox' vs 'vice'"}],
            },
            "the first copy of story 12; kept apart from story 3 (score 0.81: 'vox' vs 'vice')",
        ),
        (
            {"rule": "first", "kept_apart": [{"story": 3}, {"story": 4, "score": 0.7}, "junk"]},
            "the first copy of story 12; kept apart from story 3, story 4 (score 0.70)",
        ),
        (
            {"rule": "url", "canonical": "a.example/1"},
            "joined story 12: the same link as a copy of it (a.example/1)",
        ),
        (
            {
                "rule": "event",
                "score": 0.62,
                "shared": ["sora", "openai", "hollywood"],
                "with": 123,
            },
            "joined story 12: the same event as 'OpenAI courts Hollywood' "
            "(score 0.62; shared: sora, openai, hollywood)",
        ),
        (
            {"rule": "event", "score": 0.5, "with": 999},
            "joined story 12: the same event as item 999 (score 0.50)",
        ),
        (
            {"rule": "event", "shared": [f"t{n}" for n in range(14)]},
            "joined story 12: the same event as another copy (shared: t0, t1, t2, t3, t4, t5, "
            "t6, t7, t8, t9, t10, t11 and 2 more)",
        ),
        ({"rule": "magic", "score": True}, "joined story 12 by the rule 'magic'"),
    ],
)
def test_evidence_reads_as_words(evidence: dict[str, Any] | None, words: str) -> None:
    assert str(evidence_words(copy(evidence), TITLES)) == words


@pytest.mark.parametrize(
    ("stored", "parsed"),
    [
        (None, None),
        ("", None),
        ("not json", None),
        ("[1, 2]", None),
        ('{"rule": "first"}', {"rule": "first"}),
    ],
)
def test_stored_evidence_that_is_not_an_object_reads_as_none(
    stored: str | None, parsed: dict[str, Any] | None
) -> None:
    assert _evidence(stored) == parsed


def test_the_items_an_evidence_names_are_found_for_their_titles() -> None:
    copies = [
        copy({"rule": "event", "with": 123}),
        copy({"rule": "event", "with": True}),
        copy(None),
    ]
    assert related_items(copies) == [123]
