"""Near-identical titles as tables of cases (SPEC "Stories"; HARDENING E1)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.stories.titles import candidate_tokens, near_identical, title_key_tokens, within_edits

Tokens = tuple[str, ...]


def key(title: str) -> Tokens:
    return title_key_tokens(title)


def levenshtein(a: Tokens, b: Tokens) -> int:
    """The plain full-table token edit distance, as a reference for the banded one."""
    previous = list(range(len(b) + 1))
    for i, token in enumerate(a, 1):
        row = [i]
        for j, other in enumerate(b, 1):
            row.append(min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (token != other)))
        previous = row
    return previous[-1]


@pytest.mark.parametrize(
    ("title", "tokens"),
    [
        ("Sora opens to filmmakers - Variety", ("sora", "opens", "to", "filmmakers")),
        ("Sora opens to filmmakers – Deadline", ("sora", "opens", "to", "filmmakers")),
        (
            "Sora opens to filmmakers — The Hollywood Reporter",
            ("sora", "opens", "to", "filmmakers"),
        ),
        ("Sora opens to filmmakers | Deadline.com", ("sora", "opens", "to", "filmmakers")),
        ("Strike ends - Los Angeles Times Entertainment Desk", ("strike", "ends")),
    ],
)
def test_publisher_suffix_is_removed(title: str, tokens: Tokens) -> None:
    assert key(title) == tokens


@pytest.mark.parametrize(
    ("title", "tokens"),
    [
        ("Sora opens to filmmakers", ("sora", "opens", "to", "filmmakers")),
        ("SAG-AFTRA deal", ("sag", "aftra", "deal")),
        ("SAG-AFTRA deal ratified", ("sag", "aftra", "deal", "ratified")),
    ],
)
def test_title_without_suffix_keeps_every_token(title: str, tokens: Tokens) -> None:
    assert key(title) == tokens


def test_hyphen_without_spaces_is_not_a_separator() -> None:
    assert key("SAG-AFTRA deal - Deadline") == ("sag", "aftra", "deal")


@pytest.mark.parametrize(
    "title",
    [
        "Strike ends - what it means for writers and actors",
        "Strike ends - six words make up the suffix",
    ],
)
def test_suffix_of_more_than_five_words_is_kept(title: str) -> None:
    assert key(title) == tuple(title.replace("-", " ").lower().split())


def test_only_the_last_separator_counts() -> None:
    assert key("Writers strike - day 100 - Variety") == ("writers", "strike", "day", "100")


def test_long_text_after_the_last_separator_keeps_the_whole_title() -> None:
    title = "Variety - Strike ends - what it means for writers and actors"
    assert key(title) == tuple(title.replace("-", " ").lower().split())


@pytest.mark.parametrize(
    ("title", "tokens"), [(" - Variety", ("variety",)), ("!! - Variety", ("variety",))]
)
def test_suffix_is_kept_when_nothing_would_remain(title: str, tokens: Tokens) -> None:
    assert key(title) == tokens


@pytest.mark.parametrize("title", ["", "   ", " - "])
def test_empty_title_has_no_tokens(title: str) -> None:
    assert key(title) == ()


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Sora opens to filmmakers - Variety", "Sora opens to filmmakers - Deadline"),
        (
            "OpenAI opens Sora to filmmakers in Hollywood",
            "OpenAI opens Sora to filmmakers in Hollywood",
        ),
    ],
)
def test_same_title_under_two_publishers_matches(a: str, b: str) -> None:
    assert near_identical(key(a), key(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            "OpenAI opens Sora video tool to Hollywood filmmakers today",
            "OpenAI opens its Sora video tool to Hollywood filmmakers",
        ),
        (
            "Writers Guild and studios reach tentative deal to end strike",
            "Writers Guild and studios reach a deal to end the strike",
        ),
        (
            "Writers Guild and studios reach tentative deal to end strike",
            "Writers Guild, studios reach tentative agreement to end strike",
        ),
    ],
)
def test_two_edits_in_a_long_title_match(a: str, b: str) -> None:
    assert near_identical(key(a), key(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            "OpenAI opens Sora video tool to Hollywood filmmakers today",
            "OpenAI opens its new Sora video tool to Hollywood filmmakers",
        ),
        (
            "Writers Guild and studios reach tentative deal to end strike",
            "Writers Guild, studios reach a deal to end the strike",
        ),
    ],
)
def test_three_edits_do_not_match(a: str, b: str) -> None:
    assert not near_identical(key(a), key(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Sora opens to filmmakers", "Sora opens to directors"),
        ("Sora opens to filmmakers", "Sora now opens to filmmakers"),
        ("Sora opens to all filmmakers", "Sora opens to filmmakers"),
    ],
)
def test_one_edit_in_a_four_token_title_matches(a: str, b: str) -> None:
    assert near_identical(key(a), key(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Sora opens to filmmakers", "Sora opens for directors"),
        ("Sora opens to filmmakers", "Sora now opens up to filmmakers"),
        ("Sora opens to all filmmakers now", "Sora opens to filmmakers"),
        ("OpenAI Sora opens to new filmmakers", "OpenAI Sora opens for filmmakers"),
    ],
)
def test_two_edits_in_a_title_under_eight_tokens_do_not_match(a: str, b: str) -> None:
    assert not near_identical(key(a), key(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Strike ends", "Strike ends - Variety"),
        ("SAG-AFTRA deal", "SAG AFTRA deal"),
        ("Oscars", "oscars"),
    ],
)
def test_equal_short_titles_match(a: str, b: str) -> None:
    assert near_identical(key(a), key(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Strike ends", "Strike over"),
        ("SAG-AFTRA deal", "SAG-AFTRA deals"),
        ("Strike ends now", "Strike ends now officially"),
        ("Oscars", "Oscars 2025"),
    ],
)
def test_short_titles_must_be_equal(a: str, b: str) -> None:
    assert not near_identical(key(a), key(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [((), ()), ((), ("strike", "ends")), (("strike", "ends", "now", "today"), ())],
)
def test_empty_title_never_matches(a: Tokens, b: Tokens) -> None:
    assert not near_identical(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (tuple("abcdefgh"), tuple("abcdefghijk")),
        (tuple("abcdefghijkl"), tuple("abcdefghi")),
    ],
)
def test_length_difference_over_two_does_not_match(a: Tokens, b: Tokens) -> None:
    assert not near_identical(a, b)


@pytest.mark.parametrize(
    ("a", "b", "limit", "expected"),
    [
        (tuple("abcdefgh"), tuple("abcdefgh"), 0, True),
        (tuple("abcdefgh"), tuple("abcxefgh"), 0, False),
        (tuple("abcdefgh"), tuple("bcdefghi"), 2, True),
        (tuple("abcdefgh"), tuple("bcdefghi"), 1, False),
        (tuple("abcdefgh"), tuple("hgfedcba"), 2, False),
    ],
)
def test_banded_distance_respects_the_limit(
    a: Tokens, b: Tokens, limit: int, expected: bool
) -> None:
    assert within_edits(a, b, limit) is expected


@pytest.mark.parametrize(
    ("tokens", "anchors"),
    [
        (("sora", "opens", "to", "filmmakers"), ("filmmakers", "opens", "sora")),
        (("writers", "guild", "and", "studios", "reach", "deal"), ("studios", "writers", "guild")),
        (("a", "bb", "cc", "d"), ("bb", "cc", "a")),
    ],
)
def test_anchors_are_the_three_longest_tokens_ties_alphabetical(
    tokens: Tokens, anchors: Tokens
) -> None:
    assert candidate_tokens(tokens) == anchors


@pytest.mark.parametrize(
    ("tokens", "anchors"),
    [
        (("a", "a", "a", "a"), ("a",)),
        (("deal", "deal", "no", "deal"), ("deal", "no")),
        (("oscars",), ("oscars",)),
        (("strike", "ends"), ("strike", "ends")),
    ],
)
def test_titles_with_few_distinct_tokens_anchor_on_all_of_them(
    tokens: Tokens, anchors: Tokens
) -> None:
    assert candidate_tokens(tokens) == anchors


def test_empty_title_has_no_anchors() -> None:
    assert candidate_tokens(()) == ()


def test_a_copy_without_the_two_longest_tokens_still_shares_an_anchor() -> None:
    title = key("OpenAI opens Sora video tool to Hollywood filmmakers")
    copy = key("OpenAI opens Sora video tool to LA directors")
    assert near_identical(title, copy)
    assert set(candidate_tokens(title)) & set(copy)


def test_anchors_are_distinct() -> None:
    anchors = candidate_tokens(("strike", "strike", "strike", "ends", "ends", "now"))
    assert len(set(anchors)) == len(anchors) == 3


# Few enough words that tokens repeat, enough that two edits can remove a token altogether.
VOCABULARY = st.sampled_from(
    ["a", "b", "cc", "dd", "ee", "fff", "ggg", "hhh", "iiii", "jjjj", "kkkk", "lllll", "mmmmm"]
)
AIMED = st.sampled_from(["delete", "substitute"])
Edit = tuple[str, int | str, str]  # operation, position or token to hit, new token
EDIT = st.tuples(
    st.sampled_from(["insert", "delete", "substitute"]), st.integers(0, 20), VOCABULARY
)


def apply_edits(tokens: Tokens, edits: list[Edit]) -> Tokens:
    out = list(tokens)
    for operation, where, token in edits:
        if isinstance(where, str):
            where = out.index(where) if where in out else len(out)
        if operation == "insert":
            out.insert(where % (len(out) + 1), token)
        elif out and operation == "delete":
            del out[where % len(out)]
        elif out:
            out[where % len(out)] = token
    return tuple(out)


@st.composite
def nearby_pairs(draw: st.DrawFn) -> tuple[Tokens, Tokens]:
    """A title and a copy at most two token edits away, often with its anchors edited away."""
    size, unique, aimed = draw(st.tuples(st.integers(0, 12), st.booleans(), st.booleans()))
    a = tuple(draw(st.lists(VOCABULARY, min_size=size, max_size=size, unique=unique)))
    edits: list[Edit] = []
    if a and aimed:
        anchors = st.sampled_from(candidate_tokens(a))
        targets = draw(st.lists(anchors, min_size=1, max_size=2, unique=True))
        edits = [(draw(AIMED), target, draw(VOCABULARY)) for target in targets]
    edits += draw(st.lists(EDIT, max_size=2 - len(edits)))
    return a, apply_edits(a, edits)


@given(nearby_pairs())
def test_a_near_identical_title_shares_an_anchor(pair: tuple[Tokens, Tokens]) -> None:
    a, b = pair
    if near_identical(a, b):
        assert set(candidate_tokens(a)) & set(b)


@given(nearby_pairs())
def test_near_identical_is_symmetric(pair: tuple[Tokens, Tokens]) -> None:
    a, b = pair
    assert near_identical(a, b) == near_identical(b, a)


@given(
    st.lists(VOCABULARY, max_size=10).map(tuple),
    st.lists(VOCABULARY, max_size=10).map(tuple),
    st.integers(0, 3),
)
def test_banded_distance_agrees_with_the_full_table(a: Tokens, b: Tokens, limit: int) -> None:
    assert within_edits(a, b, limit) == (levenshtein(a, b) <= limit)
