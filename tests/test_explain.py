"""Explaining a match (SPEC `/watch why`): which terms matched in which field and where,
or what kept the item out; always the matcher's own verdict."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.match.explain import explain
from bot.match.matcher import ItemText, Matcher
from bot.match.query import parse_query


def _explained(query: str, title: str, summary: str = "") -> tuple[str, list[tuple[str, str]]]:
    fields = [("title", title), ("summary", summary)]
    texts = dict(fields)
    found = explain(parse_query(query), fields)
    shown = [(hit.field, texts[hit.field][a:b]) for hit in found.found for a, b in hit.spans]
    return found.words(), shown


@pytest.mark.parametrize(
    ("query", "title", "summary", "words", "shown"),
    [
        ("Sora", "OpenAI's Sora opens", "", "matches: sora in the title", [("title", "Sora")]),
        ("Sora", "SoraNews24 cat cafe", "", "does not match: sora found nowhere", []),
        (
            "strik* actors OR writers",
            "Actors strike enters day 100",
            "",
            "matches: strik* in the title; actors in the title",
            [("title", "strike"), ("title", "Actors")],
        ),
        (
            "strik* actors OR writers",
            "Strike vote tonight",
            "Nothing else",
            "does not match: actors OR writers found nowhere",
            [("title", "Strike")],
        ),
        (
            "SAG-AFTRA -golf",
            "SAG\u2011AFTRA board meets",
            "A charity golf day",
            "does not match: -golf found in the summary",
            [("title", "SAG\u2011AFTRA")],
        ),
        (
            "SAG-AFTRA",
            "ＳＡＧ－ＡＦＴＲＡ board",
            "",
            'matches: "sag aftra" in the title',
            [("title", "ＳＡＧ－ＡＦＴＲＡ")],
        ),
        (
            '"sora licensing"',
            "Sora",
            "Licensing talks",
            'does not match: "sora licensing" found nowhere',
            [],
        ),
        (
            "Hollywood",
            "Studios",
            "OpenAI courts Hollywood studios",
            "matches: hollywood in the summary",
            [("summary", "Hollywood")],
        ),
        (
            "動画",
            "OpenAIの動画生成",
            "",
            "matches: 動画 in the title",
            [("title", "動画")],
        ),
        (
            "OpenAI",
            "OpenAIの動画",
            "openai again",
            "matches: openai in the title and the summary",
            [("title", "OpenAI"), ("summary", "openai")],
        ),
        (
            "sora -(golf OR tennis)",
            "Sora at the tennis open",
            "",
            "does not match: -tennis found in the title",
            [("title", "Sora")],
        ),
        (
            "(wga strike) OR sag",
            "WGA meets",
            "",
            "does not match: strike found nowhere; sag found nowhere",
            [("title", "WGA")],
        ),
        (
            "Café",
            "Cafe\u0301 owners rally",
            "",
            "matches: café in the title",
            [("title", "Cafe\u0301")],
        ),
    ],
)
def test_an_explanation_names_the_terms_and_fields_or_what_kept_the_item_out(
    query: str, title: str, summary: str, words: str, shown: list[tuple[str, str]]
) -> None:
    assert _explained(query, title, summary) == (words, shown)


VOCAB = ["sora", "openai", "wga", "strike", "studio", "ai", "動画", "生成", "SAG-AFTRA"]
PART = st.one_of(
    st.sampled_from(VOCAB),
    st.sampled_from(VOCAB).map(lambda w: w[:2] + "*"),
    st.lists(st.sampled_from(VOCAB), min_size=2, max_size=3).map(
        lambda ws: '"' + " ".join(ws) + '"'
    ),
    st.lists(st.sampled_from(VOCAB), min_size=2, max_size=3).map(
        lambda ws: "(" + " OR ".join(ws) + ")"
    ),
)
FIELD_WORDS = [
    *VOCAB,
    "the",
    "soraya",
    "ソラ動画生成",
    "STRIKES",
    "ＳＯＲＡ",
    "sag aftra",
    "-",
    "'s",
]


@given(
    parts=st.lists(PART, min_size=1, max_size=4),
    excluded=st.lists(st.sampled_from(VOCAB), max_size=2),
    fields=st.lists(st.lists(st.sampled_from(FIELD_WORDS), max_size=10).map(" ".join), max_size=3),
)
@example(parts=["sora"], excluded=["ai"], fields=["sora", "ai"])
def test_the_verdict_is_the_matchers_and_each_span_holds_its_term(
    parts: list[str], excluded: list[str], fields: list[str]
) -> None:
    query = parse_query(" ".join(parts + [f"-{word}" for word in excluded]))
    matcher = Matcher()
    matcher.add(1, query)
    named = [(f"f{index}", text) for index, text in enumerate(fields)]
    found = explain(query, named)
    assert found.matches == (matcher.match(ItemText.from_fields(fields)) == {1})
    texts = dict(named)
    for hit in found.found:
        assert hit.spans, hit  # every field the matcher says holds a term shows where
        for start, end in hit.spans:  # and what each span covers holds the term on its own
            assert explain(parse_query(hit.term), [("x", texts[hit.field][start:end])]).matches
    if not found.matches:
        assert found.excluded or found.missing
