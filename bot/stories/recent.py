"""What the story engine has read and written of the term index, so it asks the store once,
not at every copy.

A first poll places thousands of copies, and each asks for the stories that use its heaviest
terms, for the centroids of its best candidates and for how many stories use each of its
terms: the same rows, read again and again. Here the engine keeps each looked-up term's most
recently seen stories as the store answered them (at most `per_term`, the store's own cut),
the whole centroids of stories it made, and the counts. Every write of the engine passes
through `filed` with the store's arithmetic (bot.store.stories.grown), so each answer is the
store's: the same stories, weights, ties and order.

That holds while the engine is the term index's only writer. The memory is dropped whenever
the store's `generation` moves (bot.store.db.Store): after a rollback, and on PostgreSQL at
every transaction's start, once the write lock is held, since other workers write the same
tables between two transactions. On a SQLite file, which one instance writes
(bot.ops.instance), it lives for the poll. It is bounded (MAX_ROWS, MAX_TERMS, MAX_MADE,
MAX_DOCS):
what it forgets, the store answers again.
"""

from __future__ import annotations

from array import array
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import NamedTuple

from bot.store import stories as sqlite_stories
from bot.store.db import Store
from bot.store.interface import Stories
from bot.store.stories import Centroid, TermRow, grown

# The bounds keep a poll's peak memory near what it was without this memory (bench/RESULTS.md,
# 4 December): a kept term costs about 150 bytes and each of its rows 24, a made story's
# centroid about 3 KB on long summaries, a count about 100 bytes. Past a bound the least
# recently used goes first.
MAX_ROWS = 60_000  # term rows over all kept terms (1.4 MB)
MAX_TERMS = 2_500  # kept terms (0.4 MB)
MAX_MADE = 300  # centroids of stories the engine made (0.8 MB)
MAX_DOCS = 4_000  # terms whose story counts are kept (0.4 MB)


class Kept(NamedTuple):
    """How much the memory holds: term rows, terms, made stories' centroids, terms' counts."""

    rows: int
    made: int
    counts: int
    terms: int


class _Rows:
    """One term's newest rows in the store's order (newest first, then the higher story id),
    as (time, story, weight) triples in one array of doubles: a story id is exact in one
    (below 2**53), and a row costs 24 bytes, not the 200 of a tuple of objects."""

    __slots__ = ("flat",)

    def __init__(self, rows: Sequence[TermRow]) -> None:
        self.flat = array("d", [value for row in rows for value in row])

    def __len__(self) -> int:
        return len(self.flat) // 3

    def since(self, since: float) -> Iterator[tuple[int, float]]:
        """(story, weight) of the rows seen at `since` or later, in order."""
        values = iter(self.flat)
        for seen, story, weight in zip(values, values, values, strict=True):
            if seen < since:
                return  # newest first: the rest are older still
            yield int(story), weight

    def put(self, story: int, published: float, weight: float, cut: int) -> None:
        """A copy published at `published` made the story's row weigh `weight`: the row keeps
        the later of its time and the copy's, as the store does, and takes its place in the
        order; the rows past `cut` leave, as the store's lookup no longer returns them. A row
        that falls past a full cut was not among them before either (its time only grows)."""
        flat, seen = self.flat, published
        ids = flat[1::3]
        if story in ids:
            at = 3 * ids.index(story)
            seen = max(flat[at], published)
            del flat[at : at + 3]
        low, high = 0, len(flat) // 3
        while low < high:  # the first row that comes after the new one
            middle = (low + high) // 2
            other = flat[3 * middle]
            if other > seen or (other == seen and flat[3 * middle + 1] > story):
                low = middle + 1
            else:
                high = middle
        if low >= cut:
            return
        flat[3 * low : 3 * low] = array("d", (seen, story, weight))
        del flat[3 * cut :]


class RecentStories:
    """The engine's memory of the term index: each looked-up term's newest rows, the centroids
    of the stories it made, and how many stories use each term. Made with the engine."""

    def __init__(self, db: Store, stories: Stories[Store] = sqlite_stories) -> None:
        self.db = db
        self.stories = stories
        self._generation = db.generation
        self._rows: dict[str, _Rows] = {}  # term -> its rows; the least recently used first
        self._cut = 0  # the per_term the rows were read with
        self._count = 0  # rows kept over all terms
        self._made: dict[int, Centroid] = {}  # story -> its whole centroid
        self._docs: dict[str, int] = {}  # term -> how many stories use it (0: none yet)

    def stories_with_terms(
        self, terms: Sequence[str], *, since: float, per_term: int
    ) -> dict[int, dict[str, float]]:
        """As the store's stories_with_terms: for each term, its `per_term` most recently
        seen stories since `since`, in the store's order."""
        self._read(terms, per_term)
        found: dict[int, dict[str, float]] = {}
        for term in terms:
            for story, weight in self._rows[term].since(since):
                found.setdefault(story, {})[term] = weight
        return found

    def partial_scores(
        self, weights: Mapping[str, float], terms: Sequence[str], *, since: float, per_term: int
    ) -> dict[int, float]:
        """For each story stories_with_terms finds, the sum of `weights[term] * its weight`
        over the terms it holds, summed by sum() in the terms' order as the engine sums them,
        without the per-story dicts."""
        self._read(terms, per_term)
        products: dict[int, list[float]] = {}
        for term in terms:
            mine = weights[term]
            for story, weight in self._rows[term].since(since):
                found = products.get(story)
                if found is None:
                    products[story] = [mine * weight]
                else:
                    found.append(mine * weight)
        return {story: sum(found) for story, found in products.items()}

    def stories_using(self, terms: Collection[str]) -> tuple[int, dict[str, int]]:
        """As the store's stories_using: how many stories there are (asked every time: the
        caller makes stories), and in how many of them each term appears."""
        self._check()
        missing = [term for term in terms if term not in self._docs]
        total, found = self.stories.stories_using(self.db, missing)
        for term in missing:
            self._docs[term] = found.get(term, 0)
        used = {term: self._docs[term] for term in terms if self._docs[term]}
        while len(self._docs) > MAX_DOCS:
            del self._docs[next(iter(self._docs))]  # the first counted
        return total, used

    def centroids(self, story_ids: Collection[int], terms: Collection[str]) -> dict[int, Centroid]:
        """As the store's centroids; a story the engine made is answered with its whole
        centroid (a superset of the terms asked, of which the engine reads only those)."""
        self._check()
        found: dict[int, Centroid] = {}
        for story in story_ids:
            kept = self._made.pop(story, None)
            if kept is not None:
                found[story] = self._made[story] = kept  # to the end: the most recently used
        rest = [story for story in story_ids if story not in found]
        if rest:
            found.update(self.stories.centroids(self.db, rest, terms))
        return found

    def made(self, story_id: int, published: float) -> None:
        """The caller made a story (bot.store.stories.new_story, at `published`): its centroid
        is known from here on, empty as the store holds it."""
        self._check()
        self._made[story_id] = Centroid(0.0, 0.0, published, {}, published)
        if len(self._made) > MAX_MADE:
            del self._made[next(iter(self._made))]  # the least recently used

    def filed(
        self,
        story_id: int,
        held: Centroid | None,
        weights: Mapping[str, float],
        latin: Collection[str],
        published: float,
    ) -> None:
        """A copy's weights were added to a story whose centroid was `held` (for the copy's
        terms at least; bot.store.stories.add_to_centroid): keep what is kept of it as the
        store now holds it."""
        self._check()
        before = held.weights if held is not None else {}
        for term, weight in weights.items():
            old = before.get(term)
            if old is None and term in self._docs:
                self._docs[term] += 1  # one story more uses it, as the store counts
            rows = self._rows.get(term)
            if rows is not None:
                count = len(rows)
                rows.put(story_id, published, weight if old is None else old + weight, self._cut)
                self._count += len(rows) - count
        if story_id in self._made:
            self._made[story_id] = grown(held, weights, latin, published)

    def kept(self) -> Kept:
        """How much is held now, against MAX_ROWS, MAX_MADE, MAX_DOCS and MAX_TERMS."""
        return Kept(self._count, len(self._made), len(self._docs), len(self._rows))

    def _read(self, terms: Sequence[str], per_term: int) -> None:
        """Read the rows of the terms not kept; the terms asked become the most recently used,
        and the least recently used are forgotten past MAX_ROWS."""
        self._check()
        if per_term != self._cut:  # another cut: what was read no longer answers
            self._rows, self._cut, self._count = {}, per_term, 0
        missing = []
        for term in dict.fromkeys(terms):
            held = self._rows.pop(term, None)
            if held is None:
                missing.append(term)
            else:
                self._rows[term] = held  # to the end: the most recently used
        if missing:
            for term, found in self.stories.newest_with_terms(self.db, missing, per_term).items():
                self._rows[term] = _Rows(found)
                self._count += len(found)
        asked = len(set(terms))  # never forget a term this lookup reads
        rows = self._rows
        while (self._count > MAX_ROWS or len(rows) > MAX_TERMS) and len(rows) > asked:
            self._count -= len(rows.pop(next(iter(rows))))

    def _check(self) -> None:
        """Forget everything once the store says what was read may have changed."""
        if self.db.generation != self._generation:
            self._generation = self.db.generation
            self._rows, self._count = {}, 0
            self._made, self._docs = {}, {}


__all__ = ["MAX_DOCS", "MAX_MADE", "MAX_ROWS", "MAX_TERMS", "Kept", "RecentStories"]
