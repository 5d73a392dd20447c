"""The story engine (SPEC "Stories"): which stored story, if any, a new copy reports.

A copy is first looked up by its canonical URL. Otherwise its heaviest terms
(bot.stories.terms) find, through the term index, the stories seen within 72 h that use
them, at most PER_TERM a term, never a scan. Each candidate is scored by the cosine of
the copy's weights with the story's centroid (the sum of its copies' weights); a term's
weight is its everyday rarity, lowered as more stories use it (what the store has learned).
The best candidate that scores MERGE_SCORE (BURST_SCORE within hours of the story's
copies), shares enough telling terms (everyday words count in the cosine only), and that no
keep-apart rule (bot.stories.apart) separates from its most alike copy, is the story.
Copies in different scripts are scored on the terms they can share: names and numbers, and
names one writes in katakana or Hangul (bot.stories.sounds).

Every constant below was chosen on bench/stories_quality.py (see bench/RESULTS.md).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from bot.store import stories as sqlite_stories
from bot.store.db import Store
from bot.store.interface import Stories
from bot.store.stories import Centroid
from bot.stories.apart import different_kinds, near_miss
from bot.stories.recent import RecentStories
from bot.stories.sounds import sounded_pairs
from bot.stories.terms import StoryText, story_text

WINDOW = 72 * 3600.0  # copies of one story are at most this far apart (SPEC)
MERGE_SCORE = 0.5  # the cosine at which a copy joins a story
# News of one event arrives in a burst: a copy within BURST of a story's copies (its newest,
# or its earliest for an older copy a later feed brings) joins it at a lower cosine (a
# sibling event about the same subject comes a day or more later).
BURST = 6 * 3600.0
BURST_SCORE = 0.3
# Terms a copy must share with its story (all of them, if it has fewer): one shared name is
# only a subject (`Sora goes public` / `Sora adds sound`). A copy with much to say (a headline
# and a summary) must share three, because two are often only the subject that every report
# about it names (`OpenAI`, `Sora`), and the rest tells the events apart.
MIN_SHARED = 2
LONG_COPY = 10  # terms that make a copy one with much to say
LONG_SHARED = 3
# Names and numbers a copy must share with a story in another script: two (`OpenAI`, `Sora`)
# are often only the subject that every report about it names.
CROSS_SCRIPT_SHARED = 3
OWN_SCRIPT_SCORE = 0.4  # and the cosine with the story's copies in the copy's own script
LOOKUP_TERMS = 6  # a copy's heaviest terms, through which candidates are found
LOOKUP_NAMES = 3  # and a spaceless copy's heaviest names, for copies in other scripts
PER_TERM = 50  # most recently seen stories read per term
SCORED = 8  # candidates scored in full, the best partial scores first
COPIES_COMPARED = 12  # a candidate's newest copies, for the keep-apart rules
STORY_PRIOR = 50.0  # a term used by few stories (against this many) keeps its full weight
SHOWN_TERMS = 6  # shared terms an evidence record lists


@dataclass(frozen=True)
class Placement:
    """Where a copy goes, why, and the weights it adds to that story's centroid."""

    story_id: int | None  # None: a story of its own
    evidence: dict[str, Any]
    weights: dict[str, float] = field(default_factory=dict)
    latin: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _Scored:
    story_id: int
    score: float
    shared: list[str]


class StoryEngine:
    """Places copies in stories and files them; made once per poll, used inside the store's
    write transactions (its memory of the term index, bot.stories.recent, relies on them)."""

    def __init__(self, db: Store, stories: Stories[Store] = sqlite_stories) -> None:
        self.db = db
        self.stories = stories
        self.recent = RecentStories(db, stories)  # the term index as this engine read it

    def place(self, canonical: str | None, text: StoryText, published: float) -> Placement:
        """The story this copy reports, with the evidence for it (or for a story of its own)."""
        if canonical is not None:
            story = self.stories.story_of_url(self.db, canonical)
            if story is not None:
                weights = self._weights(text)
                evidence: dict[str, Any] = {"rule": "url", "canonical": canonical}
                return Placement(story, evidence, weights, text.latin)
        weights = self._weights(text)
        kept: list[dict[str, Any]] = []
        for candidate in self._candidates(weights, text, published):
            closest, reason = self._closest_copy(candidate.story_id, text)
            if reason is not None:
                kept.append(
                    {"story": candidate.story_id, "score": candidate.score, "reason": reason}
                )
                continue
            evidence = {
                "rule": "event",
                "score": candidate.score,
                "shared": [text.spelled.get(term, term) for term in candidate.shared],
                "with": closest,
            }
            return Placement(candidate.story_id, evidence, weights, text.latin)
        first: dict[str, Any] = {"rule": "first"}
        if kept:
            first["kept_apart"] = kept
        return Placement(None, first, weights, text.latin)

    def file(
        self,
        story_id: int,
        placement: Placement,
        canonical: str | None,
        published: float,
        *,
        made: bool = False,
    ) -> None:
        """Add a stored copy to its story: its URL, and its terms to the centroid. `made`: the
        caller made the story for this copy just now (new_story at `published`)."""
        if canonical is not None:
            self.stories.file_url(self.db, canonical, story_id)
        if made:
            self.recent.made(story_id, published)
        if placement.weights:
            weights, latin = placement.weights, placement.latin
            held = self.recent.centroids([story_id], weights.keys()).get(story_id)
            self.stories.add_to_centroid(self.db, story_id, weights, latin, published, held=held)
            self.recent.filed(story_id, held, weights, latin, published)

    def _weights(self, text: StoryText) -> dict[str, float]:
        """Everyday rarity, lowered for terms that many stories already use."""
        total, used = self.recent.stories_using(text.weights.keys())
        scale = math.log(STORY_PRIOR)
        return {
            term: weight
            * min(1.0, math.log((total + STORY_PRIOR) / (used.get(term, 0) + 1)) / scale)
            for term, weight in text.weights.items()
        }

    def _candidates(
        self, weights: dict[str, float], text: StoryText, published: float
    ) -> list[_Scored]:
        """Stories that may hold this copy, best first (ties: the older story). A copy in a
        spaceless script also looks up its heaviest names, which copies in other scripts share
        (its character pairs weigh more, and would find only stories in its own script)."""
        latin = text.latin
        spaceless = _mostly_spaceless(weights, latin)
        by_weight = sorted(weights, key=lambda term: (-weights[term], term))
        heaviest = by_weight[:LOOKUP_TERMS]
        if spaceless:
            names = [term for term in by_weight if term in latin][:LOOKUP_NAMES]
            heaviest += [term for term in names if term not in heaviest]
        # Each story's sum of weights[term] * its weight over the terms it holds, as the
        # store's stories_with_terms finds them (bot.stories.recent).
        partial = self.recent.partial_scores(
            weights, heaviest, since=published - WINDOW, per_term=PER_TERM
        )
        if not partial:
            return []
        best = heapq.nsmallest(SCORED, partial, key=lambda story: (-partial[story], -story))
        centroids = self.recent.centroids(best, weights.keys())
        scored = []
        for story in best:
            centroid = centroids.get(story)
            if centroid is None or centroid.published > published + WINDOW:
                continue
            result = _score(story, weights, latin, centroid, published, everyday=text.everyday)
            if result is None and spaceless == _mostly_latin(centroid):
                result = self._score_sounded(story, weights, text, centroid, published)
            if result is not None:
                scored.append(result)
        return sorted(scored, key=lambda found: (-found.score, found.story_id))

    def _score_sounded(
        self,
        story: int,
        weights: dict[str, float],
        text: StoryText,
        centroid: Centroid,
        published: float,
    ) -> _Scored | None:
        """A copy and a story in different scripts scored again with the names one writes in
        katakana or Hangul and the other in Latin letters (`ハリウッド`, `Hollywood`) counted
        as shared, each weighing what it weighs in a Latin copy."""
        copies = self.stories.story_titles(self.db, story, COPIES_COMPARED)
        pairs = sounded_pairs(text.words, [w for _id, key in copies for w in key.split(" ")])
        named = story_text(" ".join(latin for latin, _kana in pairs), "")
        spaceless = _mostly_spaceless(weights, text.latin)
        if spaceless:  # the copy writes them in kana: it takes the weights a Latin copy has
            extra = {term: w for term, w in self._weights(named).items() if term not in weights}
            found = self.recent.centroids([story], extra.keys()).get(story)
            if not extra or found is None:
                return None
            merged = centroid._replace(weights={**centroid.weights, **found.weights})
            weights = {**weights, **extra}
        else:  # the story's copies write them in kana: the story holds them as the copy does
            extra = {term: weights[term] for term in named.weights if term in weights}
            if not extra:
                return None
            added = sum(weight**2 for weight in extra.values())
            merged = centroid._replace(
                weights={**centroid.weights, **extra},
                norm=math.sqrt(centroid.norm**2 + added),
                latin_norm=math.sqrt(centroid.latin_norm**2 + added),
            )
        latin = frozenset(text.latin | extra.keys())
        result = _score(
            story,
            weights,
            latin,
            merged,
            published,
            everyday=text.everyday,
            spaceless=spaceless,
            across=True,
        )
        if result is None:
            return None
        shown = {term: f"{named.spelled[term]} ({kana})" for term, kana in _kana_of(named, pairs)}
        return replace(result, shared=[shown.get(term, term) for term in result.shared])

    def _closest_copy(self, story_id: int, text: StoryText) -> tuple[int | None, str | None]:
        """The story's copy most alike this one, and why the two are different events: a near
        miss against any of the story's newest copies (one name or number apart), or a kind
        of event the closest copy does not report."""
        copies = self.stories.story_titles(self.db, story_id, COPIES_COMPARED)
        if not copies:
            return None, None
        mine = set(text.words)
        compared = [(item_id, tuple(key.split(" ")) if key else ()) for item_id, key in copies]
        for _item_id, words in compared:
            reason = near_miss(text.words, words)
            if reason is not None:
                return None, reason
        item_id, closest = max(compared, key=lambda pair: (_alike(mine, pair[1]), -pair[0]))
        return item_id, different_kinds(text.words, closest)


def _score(
    story: int,
    weights: dict[str, float],
    latin: frozenset[str],
    centroid: Centroid,
    published: float,
    *,
    everyday: frozenset[str] = frozenset(),
    spaceless: bool | None = None,
    across: bool | None = None,
) -> _Scored | None:
    """The cosine of a copy with a story, over the terms both can share; None below the bar
    (lower in the burst of a story's first hours). Across scripts that is names and numbers,
    three of them; a copy in a spaceless script must also agree with the story's copies in
    its own script, when the story has any. `spaceless` and `across` say which scripts the
    copy and the story are in, when names added as sounded alike blur what the weights tell."""
    if spaceless is None:
        spaceless = _mostly_spaceless(weights, latin)
    across_scripts = spaceless == _mostly_latin(centroid) if across is None else across
    terms = latin if across_scripts else weights.keys()
    story_norm = centroid.latin_norm if across_scripts else centroid.norm
    products, score = _cosine(weights, terms, centroid.weights, story_norm)
    distinct = [term for term in products if term not in everyday]
    needed = CROSS_SCRIPT_SHARED if across_scripts else _shared_needed(len(weights) - len(everyday))
    bar = BURST_SCORE if _apart_in_time(published, centroid) <= BURST else MERGE_SCORE
    if score < bar or len(distinct) < needed:
        return None
    own_script_norm = math.sqrt(max(centroid.norm**2 - centroid.latin_norm**2, 0.0))
    if across_scripts and spaceless and own_script_norm > 0.0:
        own_terms = [term for term in weights if term not in latin]
        if _cosine(weights, own_terms, centroid.weights, own_script_norm)[1] < OWN_SCRIPT_SCORE:
            return None
    shared = sorted(products, key=lambda term: (-products[term], term))[:SHOWN_TERMS]
    return _Scored(story, round(score, 3), shared)


def _apart_in_time(published: float, centroid: Centroid) -> float:
    """How far a copy is from a story's copies: from its newest, or from its earliest when a
    feed read later brings an older copy (0 inside the story's span)."""
    return max(centroid.published - published, published - centroid.last_seen, 0.0)


def _shared_needed(terms: int) -> int:
    return LONG_SHARED if terms >= LONG_COPY else min(MIN_SHARED, terms)


def _cosine(
    weights: dict[str, float],
    terms: Iterable[str],
    story_weights: dict[str, float],
    story_norm: float,
) -> tuple[dict[str, float], float]:
    """The products of the shared terms among `terms`, and the cosine they make."""
    chosen = list(terms)
    norm = math.sqrt(sum(weights[term] ** 2 for term in chosen))
    if norm == 0.0 or story_norm == 0.0:
        return {}, 0.0
    products = {
        term: weights[term] * story_weights[term] for term in chosen if term in story_weights
    }
    return products, sum(products.values()) / (norm * story_norm)


def _mostly_latin(centroid: Centroid) -> bool:
    return centroid.latin_norm**2 >= 0.5 * centroid.norm**2


def _kana_of(named: StoryText, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Each Latin name's term with the kana or Hangul word that sounded like it."""
    kana_of = {latin.lower(): kana for latin, kana in pairs}
    return [(term, kana_of.get(named.spelled[term].lower(), "")) for term in named.weights]


def _mostly_spaceless(weights: dict[str, float], latin: frozenset[str]) -> bool:
    total = sum(weight**2 for weight in weights.values())
    spaced = sum(weight**2 for term, weight in weights.items() if term in latin)
    return spaced < 0.5 * total


def _alike(mine: set[str], theirs: tuple[str, ...]) -> float:
    union = mine | set(theirs)
    return len(mine & set(theirs)) / len(union) if union else 0.0


__all__ = ["MERGE_SCORE", "WINDOW", "Placement", "StoryEngine"]
