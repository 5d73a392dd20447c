"""Every query refusal SPEC "Query language" names, with the message and the column the caret
points at: unbalanced quotes or brackets, a dangling OR, `-` alone, a branch of only
exclusions, `*` not ending a word, no letters, more than 256 characters, control characters.
"""

from __future__ import annotations

import pytest

from bot.match.query import MAX_QUERY_LENGTH, QueryError, parse_query


@pytest.mark.parametrize(
    ("query", "message", "column"),
    [
        ('Sora "WGA', "the quote at column 6 is never closed", 5),
        ('"Sora', "the quote at column 1 is never closed", 0),
        ("(Sora", "the '(' at column 1 is never closed", 0),
        ("Sora)", "the ')' at column 5 closes no '('", 4),
        ("()", "empty brackets", 0),
        ("Sora ()", "empty brackets", 5),
        ("OR Sora", "the OR at column 1 needs a term on its left", 0),
        ("Sora OR", "the OR at column 6 needs a term on its right", 5),
        ("Sora OR OR WGA", "the OR at column 6 needs a term on its right", 5),
        ("Sora | | WGA", "the | at column 6 needs a term on its right", 5),
        ("Sora OR -golf", "the side of OR at column 9 only excludes", 8),
        ("Sora -", "the '-' at column 6 excludes nothing", 5),
        ("-", "the '-' at column 1 excludes nothing", 0),
        ("--golf", "the '-' at column 1 excludes nothing", 0),
        ("Sora --golf", "the '-' at column 6 excludes nothing", 5),
        ("Sora -(-golf)", "the '-' at column 6 excludes an exclusion", 5),
        ("-golf", "the query only excludes", 0),
        ("-golf -tennis", "the query only excludes", 0),
        ("*Sora", "'*' at column 1 may only end a word", 0),
        ("So*ra", "'*' at column 3 may only end a word", 2),
        ("SAG-*", "'*' at column 5 must follow a letter or digit", 4),
        ('"--"', "the phrase at column 1 has no letters or digits to match", 0),
        ("Sora ++", "'++' at column 6 has no letters or digits to match", 5),
        ("Sora\x7f", "the control character U+007F at column 5", 4),
        ("Sora\x01", "the control character U+0001 at column 5", 4),
        ("Sora\ud800", "the control character U+D800 at column 5", 4),
        ("x" * (MAX_QUERY_LENGTH + 1), "the query is 257 characters; a query is at most 256", 256),
        ("", "the query is empty", 0),
    ],
)
def test_each_refusal_says_what_is_wrong_and_points_at_it(
    query: str, message: str, column: int
) -> None:
    with pytest.raises(QueryError) as raised:
        parse_query(query)
    assert message in str(raised.value)
    assert raised.value.start == column


@pytest.mark.parametrize(
    ("query", "understood"),
    [
        ("x" * MAX_QUERY_LENGTH, "x" * MAX_QUERY_LENGTH),  # 256 characters is allowed
        ("Sora\rWGA", "sora AND wga"),  # tabs and line breaks are spaces
        ("Sora\tWGA", "sora AND wga"),
        ("Sora or WGA", "sora AND or AND wga"),  # only upper-case OR is an operator
        ("Sora OR WGA", "sora OR wga"),
        ("strik*", "strik*"),
        ("strik* actors OR writers", "strik* AND (actors OR writers)"),
        ("Sora -golf", "sora AND NOT golf"),
        ("Sora -(golf OR tennis)", "sora AND NOT (golf OR tennis)"),
    ],
)
def test_what_the_spec_allows_is_understood(query: str, understood: str) -> None:
    assert parse_query(query).describe() == understood
