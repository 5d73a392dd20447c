"""The SQL of stories: the URL index, each story's centroid of weighted terms, the count of
stories each term appears in, and a story's best copy.

The rules (which terms, what weight, what score merges) stay in bot.stories; this module only
reads and writes the rows they ask for. A story's centroid is the sum of its copies' term
weights (story_terms), with its length kept in stories.norm (and over terms of spaced
scripts and digits in stories.latin_norm), so a score needs only the shared terms' rows.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from typing import NamedTuple

from bot.store.db import Store

CHUNK = 400  # bound parameters per statement, with room under SQLite's limit

# A publisher's own feed and link beat a search feed's wrapper (Google News), a copy with a
# link and a summary beats one without, and the earliest copy beats later ones.
# Its own aliases (bi, bs) let it stand as a subquery inside another query's FROM items i.
BEST_COPY_SQL = (
    "SELECT bi.id FROM items bi JOIN sources bs ON bs.id = bi.source_id "
    "WHERE bi.story_id = {story} ORDER BY bs.template IS NOT NULL, bi.link IS NULL, "
    "bi.link LIKE 'https://news.google.com/%', "
    "bi.summary = '', bi.published, bi.id LIMIT 1"
)


class TermRow(NamedTuple):
    """One story's row under one term: when the story was last seen, and its weight there."""

    last_seen: float
    story_id: int
    weight: float


class Centroid(NamedTuple):
    """A candidate story's length, its earliest and newest copies' times, and its weights for
    the terms a new copy asked about."""

    norm: float
    latin_norm: float
    published: float
    weights: dict[str, float]
    last_seen: float = 0.0  # the newest copy's published time


def story_of_url(db: Store, canonical: str) -> int | None:
    """The story a canonical URL was filed under, if one was."""
    row = db.execute("SELECT story_id FROM story_urls WHERE canonical = ?", [canonical]).fetchone()
    return int(row[0]) if row else None


def new_story(db: Store, published: float, now: float) -> int:
    row = db.execute(
        "INSERT INTO stories (first_seen, published, last_seen) VALUES (?, ?, ?) RETURNING id",
        [now, published, published],
    ).fetchone()
    return int(row[0])


def file_url(db: Store, canonical: str, story_id: int) -> None:
    """File a canonical URL under a story; the first story to claim it keeps it."""
    db.execute(
        "INSERT INTO story_urls (canonical, story_id) VALUES (?, ?) "
        "ON CONFLICT (canonical) DO NOTHING",
        [canonical, story_id],
    )


def stories_with_terms(
    db: Store, terms: Sequence[str], *, since: float, per_term: int
) -> dict[int, dict[str, float]]:
    """Stories seen since `since` whose centroid holds any of `terms`: for each term at most
    the `per_term` most recently seen (ties: the higher story id), so a common term never
    floods the lookup."""
    found: dict[int, dict[str, float]] = {}
    if not terms:
        return found
    # story_id DESC breaks ties in time the same way on both databases (SQLite's index holds
    # story_id after last_seen, so it costs no sort), as bot.stories.recent keeps them.
    one = (
        "SELECT * FROM (SELECT term, story_id, weight FROM story_terms "
        "WHERE term = ? AND last_seen >= ? ORDER BY last_seen DESC, story_id DESC LIMIT ?) "
        "AS one_term"
    )
    sql = " UNION ALL ".join([one] * len(terms))
    params: list[object] = []
    for term in terms:
        params += [term, since, per_term]
    for term, story_id, weight in db.execute(sql, params):
        found.setdefault(int(story_id), {})[str(term)] = float(weight)
    return found


def newest_with_terms(db: Store, terms: Sequence[str], per_term: int) -> dict[str, list[TermRow]]:
    """Each term's `per_term` most recently seen stories, newest first (ties: the higher story
    id first, as stories_with_terms orders them), at any time: what a poll's story engine
    keeps (bot.stories.recent) and filters by time itself."""
    found: dict[str, list[TermRow]] = {term: [] for term in terms}
    if not terms:
        return found
    one = (
        "SELECT * FROM (SELECT term, last_seen, story_id, weight FROM story_terms "
        "WHERE term = ? ORDER BY last_seen DESC, story_id DESC LIMIT ?) AS one_term"
    )
    sql = " UNION ALL ".join([one] * len(terms))
    params: list[object] = []
    for term in terms:
        params += [term, per_term]
    for term, last_seen, story_id, weight in db.execute(sql, params):
        found[str(term)].append(TermRow(float(last_seen), int(story_id), float(weight)))
    return found


def centroids(db: Store, story_ids: Collection[int], terms: Collection[str]) -> dict[int, Centroid]:
    """Each story's norms and its weights for `terms` (the terms of the copy being placed)."""
    ids = sorted(story_ids)
    found = {
        int(row["id"]): Centroid(
            float(row["norm"]),
            float(row["latin_norm"]),
            float(row["published"]),
            {},
            float(row["last_seen"]),
        )
        for row in db.rows(
            "SELECT id, norm, latin_norm, published, last_seen FROM stories "
            f"WHERE id IN ({_marks(ids)})",
            ids,
        )
    }
    wanted = sorted(terms)
    for start in range(0, len(wanted), CHUNK - len(ids)):
        chunk = wanted[start : start + CHUNK - len(ids)]
        for term, story_id, weight in db.execute(
            f"SELECT term, story_id, weight FROM story_terms "
            f"WHERE story_id IN ({_marks(ids)}) AND term IN ({_marks(chunk)})",
            [*ids, *chunk],
        ):
            found[int(story_id)].weights[str(term)] = float(weight)
    return found


def stories_using(db: Store, terms: Collection[str]) -> tuple[int, dict[str, int]]:
    """How many stories there are, and in how many of them each term appears."""
    row = db.execute("SELECT COALESCE(MAX(id), 0) FROM stories").fetchone()
    counts: dict[str, int] = {}
    wanted = sorted(terms)
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        counts.update(
            (str(term), int(docs))
            for term, docs in db.execute(
                f"SELECT term, docs FROM term_docs WHERE term IN ({_marks(chunk)})", chunk
            )
        )
    return int(row[0]), counts


def add_to_centroid(
    db: Store,
    story_id: int,
    weights: Mapping[str, float],
    latin: Collection[str],
    published: float,
    *,
    held: Centroid | None = None,
) -> None:
    """Add a copy's term weights to its story's centroid, count the story once more for each
    term it did not hold yet, and update the story's norms and when it was last seen.
    `held`: the story's centroid for (at least) the copy's terms, when the caller has read
    it already (bot.stories.recent); otherwise it is read here."""
    if held is None:
        held = centroids(db, [story_id], weights.keys()).get(story_id)
    before = held.weights if held is not None else {}
    after = grown(held, weights, latin, published)
    db.executemany(
        "INSERT INTO story_terms (term, story_id, weight, last_seen) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (term, story_id) DO UPDATE SET "
        "weight = story_terms.weight + excluded.weight, "
        "last_seen = MAX(story_terms.last_seen, excluded.last_seen)",
        [(term, story_id, weight, published) for term, weight in weights.items()],
    )
    db.executemany(
        "INSERT INTO term_docs (term, docs) VALUES (?, 1) "
        "ON CONFLICT (term) DO UPDATE SET docs = term_docs.docs + 1",
        [(term,) for term in weights if term not in before],
    )
    db.execute(
        "UPDATE stories SET norm = ?, latin_norm = ?, last_seen = MAX(last_seen, ?), "
        "published = MIN(published, ?) WHERE id = ?",
        [after.norm, after.latin_norm, published, published, story_id],
    )


def grown(
    held: Centroid | None, weights: Mapping[str, float], latin: Collection[str], published: float
) -> Centroid:
    """A centroid once a copy's weights are added, as add_to_centroid writes it: the norms by
    the same arithmetic, the weights of `held`'s terms and the copy's, the times widened."""
    before = held.weights if held is not None else {}
    norm2 = (held.norm**2) if held is not None else 0.0
    latin2 = (held.latin_norm**2) if held is not None else 0.0
    after = dict(before)
    for term, weight in weights.items():
        old = before.get(term, 0.0)
        growth = (old + weight) ** 2 - old**2
        norm2 += growth
        if term in latin:
            latin2 += growth
        after[term] = old + weight if term in before else weight
    if held is None:
        return Centroid(math.sqrt(norm2), math.sqrt(max(latin2, 0.0)), published, after, published)
    return Centroid(
        math.sqrt(norm2),
        math.sqrt(max(latin2, 0.0)),
        min(held.published, published),
        after,
        max(held.last_seen, published),
    )


def story_titles(db: Store, story_id: int, limit: int) -> list[tuple[int, str]]:
    """(item id, title key) of a story's newest copies, for the keep-apart rules."""
    return [
        (int(row["id"]), str(row["title_key"]))
        for row in db.rows(
            "SELECT id, title_key FROM items WHERE story_id = ? ORDER BY id DESC LIMIT ?",
            [story_id, limit],
        )
    ]


def best_copy(db: Store, story_id: int) -> int | None:
    """The item id of the copy that represents a story in alerts and digests."""
    row = db.execute(BEST_COPY_SQL.format(story="?"), [story_id]).fetchone()
    return int(row[0]) if row else None


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))
