"""Title keys as tables of cases: a ` - Publisher` suffix is ignored (SPEC "Stories", E1)."""

from __future__ import annotations

import pytest

from bot.stories.titles import title_key_tokens

Tokens = tuple[str, ...]


def key(title: str) -> Tokens:
    return title_key_tokens(title)


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
        ("Sora opens\nto filmmakers - Variety", ("sora", "opens", "to", "filmmakers")),  # 2 lines
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
