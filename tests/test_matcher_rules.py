"""SPEC "Query language", through the compiled matcher and its anchor index: prefixes,
phrases within one field, spaceless terms matching anywhere inside a run, AND, OR and NOT.
Each case is one watch against one item, so a watch the index fails to find is a miss too.
"""

from __future__ import annotations

import pytest

from bot.match.matcher import ItemText, Matcher
from bot.match.query import parse_query


def matches(query: str, fields: list[str]) -> bool:
    matcher = Matcher()
    matcher.add(1, parse_query(query))
    return matcher.match(ItemText.from_fields(fields)) == {1}


@pytest.mark.parametrize(
    ("query", "fields", "expected"),
    [
        # word*: a token starts with it, the whole word included
        ("sora*", ["Soraya wins"], True),
        ("sora*", ["Sora opens"], True),
        ("sora*", ["Sor opens"], False),
        ("strik* actors", ["striking actors"], True),
        ("strik* actors", ["actors"], False),
        # phrases: tokens in a row, within one field
        ('"sora ai"', ["sora xsora aix ai"], False),
        ('"sora ai"', ["new sora ai"], True),
        ('"OpenAI Hollywood"', ["Deal with OpenAI", "Hollywood studios"], False),
        ("SAG-AFT*", ["strike by sag aftra"], True),  # at the end of the field
        ("SAG-AFT*", ["sag aftra deal"], True),
        ("SAG-AFT*", ["sag deal aftra"], False),
        # spaceless terms match anywhere inside a run
        ("動画", ["OpenAIの動画"], True),  # at the end of the run
        ("動画", ["動画"], True),
        ("動画", ["新しい動画生成"], True),
        ("動画", ["動く画"], False),
        ("OpenAI 動画", ["OpenAIの動画"], True),
        ('"OpenAI 動画"', ["OpenAI 動画生成"], True),  # the run it ends in starts with it
        ('"動画 OpenAI"', ["新しい動画OpenAI"], True),  # the run it starts in ends with it
        ('"OpenAI の"', ["OpenAIの動画"], True),
        ('"Sora 東京 WGA"', ["Sora 東京 WGA"], True),  # a whole run in between
        ('"Sora 東京 WGA"', ["Sora 大東京 WGA"], False),
        # AND, OR, NOT
        ("Sora WGA", ["Sora"], False),
        ("Sora WGA", ["WGA and Sora"], True),
        ("Sora OR WGA", ["WGA"], True),
        ("Sora -golf", ["Sora golf"], False),
        ("Sora -golf", ["Sora tennis"], True),
    ],
)
def test_a_watch_matches_an_item_as_the_spec_says(
    query: str, fields: list[str], expected: bool
) -> None:
    assert matches(query, fields) is expected


def test_a_watch_added_after_a_match_is_found_by_the_next_one() -> None:
    matcher = Matcher()
    matcher.add(1, parse_query("Sora"))
    item = ItemText.from_fields(["Sora and WGA"])
    assert matcher.match(item) == {1}
    matcher.add(2, parse_query("WGA"))
    assert matcher.match(item) == {1, 2}
