"""SPEC "Query language": tokens, the parser and its errors, and matching, as tables."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.match.matcher import ItemText, Matcher
from bot.match.query import MAX_QUERY_LENGTH, QueryError, parse_query
from bot.match.tokens import tokenize


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("SAG-AFTRA", ["sag", "aftra"]),
        ("SAG\u2011AFTRA", ["sag", "aftra"]),  # non-breaking hyphen
        ("SAG AFTRA", ["sag", "aftra"]),
        ("ＳＡＧ－ＡＦＴＲＡ", ["sag", "aftra"]),  # full width, folded by NFKC
        ("Sora's debut", ["sora", "s", "debut"]),
        ("SoraNews24", ["soranews24"]),
        ("Soraya", ["soraya"]),
        ("OpenAIの動画生成", ["openai", "の動画生成"]),
        ("ソラ2が公開", ["ソラ", "2", "が公開"]),
        ("ภาษาไทย Sora", ["ภาษาไทย", "sora"]),
        ("Straße", ["strasse"]),
        ("Café déjà vu", ["café", "déjà", "vu"]),
        ("", []),
        ("—…!!", []),
    ],
)
def test_tokens_follow_the_spec(text: str, tokens: list[str]) -> None:
    assert tokenize(text) == tokens


@pytest.mark.parametrize(
    ("query", "understood"),
    [
        ("Sora", "sora"),
        ("strik*", "strik*"),
        ('"text to video"', '"text to video"'),
        ("SAG-AFTRA", '"sag aftra"'),
        ("OpenAI Hollywood", "openai AND hollywood"),
        ("actors OR writers", "actors OR writers"),
        ("actors | writers", "actors OR writers"),
        ("strik* actors OR writers", "strik* AND (actors OR writers)"),
        ("Sora -golf", "sora AND NOT golf"),
        ('Sora -"Kingdom Hearts"', 'sora AND NOT "kingdom hearts"'),
        ("(WGA OR SAG-AFTRA) strike", '(wga OR "sag aftra") AND strike'),
        ("Sora -(golf OR tennis)", "sora AND NOT (golf OR tennis)"),
        ("cats or dogs", "cats AND or AND dogs"),  # only upper-case OR is an operator
    ],
)
def test_queries_are_understood_as_the_spec_says(query: str, understood: str) -> None:
    assert parse_query(query).describe() == understood


@pytest.mark.parametrize(
    ("query", "message", "column"),
    [
        ("", "empty", 0),
        ("   ", "empty", 0),
        ('Sora "text to', "quote at column 6 is never closed", 5),
        ("(Sora OR Hollywood", "'(' at column 1 is never closed", 0),
        ("Sora)", "')' at column 5 closes no '('", 4),
        ("OR Sora", "needs a term on its left", 0),
        ("Sora OR", "needs a term on its right", 5),
        ("Sora | | WGA", "needs a term on its right", 5),
        ("Sora - golf", "excludes nothing", 5),
        ("Sora -", "excludes nothing", 5),
        ("-golf", "only excludes", 0),
        ("-golf -tennis", "only excludes", 0),
        ("Sora OR -golf", "only excludes", 8),
        ("st*rike", "'*' at column 3 may only end a word", 2),
        ("*strike", "'*' at column 1 may only end a word", 0),
        ("%", "no letters or digits", 0),
        ("'; DROP TABLE watches", "no letters or digits", 0),
        ('""', "no letters or digits", 0),
        ("()", "empty brackets", 0),
        ("Sora\x00", "control character U+0000", 4),
        ("a" * (MAX_QUERY_LENGTH + 1), "at most 256", MAX_QUERY_LENGTH),
    ],
)
def test_broken_queries_are_refused_with_a_pointer_to_the_problem(
    query: str, message: str, column: int
) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(query)
    assert message in str(caught.value)
    assert caught.value.start == column
    query_line, caret_line = caught.value.pointer().split("\n")
    assert caret_line.index("^") == min(column, len(query_line))


@pytest.mark.parametrize(("query", "column"), [("(a+)+$", 4), (".*", 0), ("[", 0), ("sora.*", 5)])
def test_regex_looking_queries_are_refused_where_they_stop_being_words(
    query: str, column: int
) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(query)
    assert caught.value.start == column


def test_regex_characters_inside_a_word_are_separators_not_patterns() -> None:
    assert parse_query("a+b").describe() == '"a b"'
    assert _matches("a+b", "plan a b c")
    assert not _matches("a+b", "aaab")


@given(st.text(max_size=300))
def test_any_text_either_parses_or_is_refused_with_a_query_error(text: str) -> None:
    try:
        parse_query(text)
    except QueryError as exc:
        assert str(exc)
        assert "^" in exc.pointer()


def _matches(query: str, *fields: str) -> bool:
    matcher = Matcher()
    matcher.add(7, parse_query(query))
    return matcher.match(ItemText.from_fields(fields)) == {7}


@pytest.mark.parametrize(
    ("query", "fields", "expected"),
    [
        ("Sora", ["OpenAI's Sora opens to filmmakers"], True),
        ("Sora", ["SORA arrives"], True),
        ("Sora", ["Sora's first short film"], True),
        ("Sora", ["SoraNews24 reports a cat cafe"], False),
        ("Sora", ["Soraya Montenegro returns"], False),
        ("WGA", ["WGAN image models explained"], False),
        ("strik*", ["Writers striking again"], True),
        ("strik*", ["A lucky strike"], True),
        ("strik*", ["Restrike of coins"], False),
        ("SAG-AFTRA", ["SAG AFTRA board meets"], True),
        ("SAG-AFTRA", ["SAG\u2011AFTRA board meets"], True),
        ("SAG-AFTRA", ["ＳＡＧ－ＡＦＴＲＡ board"], True),
        ("SAG-AFTRA", ["AFTRA and SAG merged long ago"], False),
        ('"text to video"', ["A new text-to-video model"], True),
        ('"text to video"', ["Text, then video"], False),
        ('"text to video"', ["A new text", "to video headline"], False),  # phrase in one field
        ("OpenAI Hollywood", ["OpenAI courts studios", "Hollywood is wary"], True),
        ("OpenAI Hollywood", ["OpenAI courts studios"], False),
        ("actors OR writers", ["Writers guild votes"], True),
        ("actors OR writers", ["Directors guild votes"], False),
        ("strik* actors OR writers", ["Writers strike looms"], True),
        ("strik* actors OR writers", ["Actors strike looms"], True),
        ("strik* actors OR writers", ["Writers meet"], False),
        ("strik* actors OR writers", ["Strike looms for directors"], False),
        ("Sora -golf", ["Sora wins the golf cup"], False),
        ('Sora -"Kingdom Hearts"', ["Sora returns in Kingdom Hearts IV"], False),
        ('Sora -"Kingdom Hearts"', ["Sora hearts the kingdom"], True),
        ("(WGA OR SAG-AFTRA) strike", ["SAG-AFTRA strike ends"], True),
        ("(WGA OR SAG-AFTRA) strike", ["WGA deal reached"], False),
        ("cats or dogs", ["cats or dogs?"], True),
        ("cats or dogs", ["cats and dogs"], False),
        ("動画", ["OpenAIの動画生成モデル"], True),
        ("動画", ["OpenAIの画像生成"], False),
        ("OpenAI", ["OpenAIの動画生成"], True),
        ('"OpenAI の動画"', ["OpenAIの動画生成"], True),
        ("ソラ", ["ソラが公開"], True),
        ("Hollywood", ["Sora"], False),
        ("sora", ["Categories: AI", "Sora"], True),
    ],
)
def test_matching_follows_the_spec(query: str, fields: list[str], expected: bool) -> None:
    assert _matches(query, *fields) is expected


def test_an_item_meets_only_the_watches_its_tokens_anchor() -> None:
    matcher = Matcher()
    for n in range(5000):
        matcher.add(n, parse_query(f"topic{n} OR subject{n}*"))
    matcher.add(9999, parse_query("Sora -golf"))
    item = ItemText.from_fields(["Sora update for topic42 and subject7xyz"])
    assert matcher.match(item) == {42, 7, 9999}
    assert matcher._candidates(item) == {42, 7, 9999}


def test_watches_sharing_a_query_all_match() -> None:
    matcher = Matcher()
    matcher.add(1, parse_query("Sora"))
    matcher.add(2, parse_query("sora"))
    matcher.add(3, parse_query("WGA"))
    assert matcher.match(ItemText.from_fields(["Sora is here"])) == {1, 2}


VOCAB = ["sora", "openai", "wga", "strike", "studio", "film", "ai", "動画", "生成"]
QUERY_PART = st.one_of(
    st.sampled_from(VOCAB),
    st.sampled_from(VOCAB).map(lambda w: w[:2] + "*"),
    st.lists(st.sampled_from(VOCAB), min_size=2, max_size=3).map(
        lambda ws: '"' + " ".join(ws) + '"'
    ),
    st.lists(st.sampled_from(VOCAB), min_size=2, max_size=3).map(
        lambda ws: "(" + " OR ".join(ws) + ")"
    ),
)


@given(
    queries=st.lists(
        st.tuples(
            st.lists(QUERY_PART, min_size=1, max_size=3),
            st.lists(st.sampled_from(VOCAB), max_size=1),
        ),
        min_size=1,
        max_size=30,
    ),
    fields=st.lists(
        st.lists(st.sampled_from([*VOCAB, "the", "soraya", "ソラ動画生成"]), max_size=12).map(
            " ".join
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_the_anchor_index_finds_exactly_the_watches_a_full_scan_finds(
    queries: list[tuple[list[str], list[str]]], fields: list[str]
) -> None:
    from bot.match.matcher import _evaluate

    matcher = Matcher()
    roots = {}
    for watch_id, (parts, excluded) in enumerate(queries):
        query = parse_query(" ".join(parts + [f"-{word}" for word in excluded]))
        matcher.add(watch_id, query)
        roots[watch_id] = query.root
    item = ItemText.from_fields(fields)
    assert matcher.match(item) == {w for w, root in roots.items() if _evaluate(root, item, {})}


# Words that start or end other words, so a match across token edges would show.
EDGE_VOCAB = ["ai", "aid", "said", "film", "films", "refilm", "sora", "soran", "動画"]


@given(
    phrase=st.lists(st.sampled_from(EDGE_VOCAB), min_size=2, max_size=3),
    fields=st.lists(st.lists(st.sampled_from(EDGE_VOCAB), max_size=8).map(" ".join), max_size=3),
)
@example(phrase=["aid", "film"], fields=["aid said film"])  # "aid" ends "said"
@example(phrase=["film", "sora"], fields=["sora film refilm soran"])  # "sora" starts "soran"
def test_a_phrase_of_whole_words_matches_exactly_where_a_token_scan_finds_it(
    phrase: list[str], fields: list[str]
) -> None:
    from bot.match.matcher import _phrase_in, _term_matches
    from bot.match.query import Term

    term = Term(tuple(phrase))
    item = ItemText.from_fields(fields)
    assert _term_matches(term, item) == any(_phrase_in(term, field) for field in item.fields)
