"""What an item says about its event, as weighted terms: the story engine's view of a copy.

Terms are tokens (bot.match.tokens) of the title without its ` - Publisher` suffix, then the
summary's rarest few at a lower weight. English words are stemmed (`ratifies`, `ratified`
-> `ratifi`), so copies worded differently still share them. Runs of spaceless scripts
(Japanese, Chinese, Korean, Thai) become overlapping character pairs, the usual unit for
comparing such text without a dictionary. A term's weight is how rare it is in everyday
language (bot.stories.prior), halved for an everyday headline word, which also never counts
as a shared term; the engine then scales it by how many stories use it. An amount is one
term however a language writes it (`$2.5 billion`, `2.500 millones`, `25億ドル`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from bot.match.tokens import is_spaceless, tokenize
from bot.stories.feedwords import NO_FEED_WORDS, FeedWords
from bot.stories.prior import listed_zipf, zipf
from bot.stories.words import SUMMARY_TOKENS as SUMMARY_TOKENS
from bot.stories.words import CopyWords, copy_words

COMMON_ZIPF = 6.0  # words this common (`the`, `and`, `new`) tell no event apart: dropped
EVERYDAY_TERMS = 3  # of them, a headline's rarest few: more add rows to the index, no likeness
EVERYDAY_WEIGHT = 0.5  # and weigh this much of their rarity, in headlines only
DISTINCT_ZIPF = 5.2  # words rarer than this (names, numbers, `ratifies`) can tell an event
COMMON_PAIR_ZIPF = 5.0  # a spaceless script's character pair this common is no term
RARITY_CEILING = 8.0  # weight = RARITY_CEILING - zipf: `the` would weigh 0.3, a name 7
SPACELESS_WEIGHT = 1.0  # a character pair of a spaceless script that no word list holds
SUMMARY_WEIGHT = 0.4  # a summary's term counts for less than a headline's
SUMMARY_TERMS = 12  # the summary's rarest terms only: a long body must not drown the title
SUBJECT_WEIGHT = 0.25  # a term in most of one feed's headlines is its subject, not an event

_STEMMER = snowballstemmer.stemmer("english")


@dataclass(frozen=True)
class StoryText:
    """An item's terms and their weights, with what the keep-apart rules and evidence need."""

    weights: dict[str, float]  # term -> weight from everyday rarity, title and summary
    spelled: dict[str, str]  # term -> the token it came from, for evidence people read
    words: tuple[str, ...]  # the title key's tokens as written, in order (bot.stories.apart)
    latin: frozenset[str]  # terms in letters of spaced scripts or digits: comparable anywhere
    # Terms of everyday words (`report`, `market`): they count in the cosine, but sharing them
    # is not sharing a term that tells the event (the engine's MIN_SHARED).
    everyday: frozenset[str] = frozenset()


def story_text(
    title: str, summary: str, feed: FeedWords = NO_FEED_WORDS, read: CopyWords | None = None
) -> StoryText:
    """The terms of one copy; an empty title and summary give no terms (never merged). What its
    feed says of every item (bot.stories.feedwords) weighs little or nothing. `read`: the
    copy's words (bot.stories.words), when the poll has tokenized them already."""
    weights: dict[str, float] = {}
    spelled: dict[str, str] = {}
    words, summary_tokens = read if read is not None else copy_words(title, summary)
    for term, token in _headline_terms(title, words):
        _add(weights, spelled, term, token, SUBJECT_WEIGHT if term in feed.subject else 1.0)
    summary_weights: dict[str, float] = {}
    if words and summary_tokens[: len(words)] == words:
        # An aggregator's "summary" opens with the headline itself and goes on with other
        # outlets' headlines (Google News): those are other events' words, not this one's.
        summary_tokens = ()
    for token in summary_tokens:
        for term in _terms(token):
            if term not in weights and term not in feed.boilerplate and not _everyday(term, token):
                _add(summary_weights, spelled, term, token, SUMMARY_WEIGHT)
    rarest = sorted(summary_weights.items(), key=lambda pair: (-pair[1], pair[0]))
    weights.update(rarest[:SUMMARY_TERMS])
    everyday = [term for term in weights if _everyday(term, spelled[term])]
    if len(everyday) > EVERYDAY_TERMS:
        everyday.sort(key=lambda term: (-weights[term], term))
        for term in everyday[EVERYDAY_TERMS:]:
            del weights[term]
        everyday = everyday[:EVERYDAY_TERMS]
    spelled = {term: spelled[term] for term in weights}
    latin = frozenset(term for term in weights if not is_spaceless(term))
    return StoryText(weights, spelled, words, latin, frozenset(everyday))


def _add(
    weights: dict[str, float], spelled: dict[str, str], term: str, token: str, scale: float
) -> None:
    weight = _rarity(term, token) * scale
    if _everyday(term, token):
        weight *= EVERYDAY_WEIGHT
    if weight > weights.get(term, 0.0):
        weights[term] = weight
        spelled.setdefault(term, term if is_spaceless(term) else token)


def _everyday(term: str, token: str) -> bool:
    return not is_spaceless(term) and everyday_word(token)


def everyday_word(token: str) -> bool:
    """A word too common to tell an event (`report`, `her`, `getting`); never a number."""
    return _zipf(token) >= DISTINCT_ZIPF


def _zipf(token: str) -> float:
    """A token's everyday frequency. A word written with inner punctuation is as rare as its
    rarest part: `SAG-AFTRA` is a name, `one-month` and `Snapshot-Wall` are everyday words."""
    return min(zipf(part) for part in token.split("-")) if "-" in token else zipf(token)


def _rarity(term: str, token: str) -> float:
    """A term's weight before the store's counts: 0 for common words."""
    if is_spaceless(term):
        listed = listed_zipf(term)
        if listed is None:
            return SPACELESS_WEIGHT
        return 0.0 if listed >= COMMON_PAIR_ZIPF else RARITY_CEILING - listed
    common = _zipf(token)
    return 0.0 if common >= COMMON_ZIPF else RARITY_CEILING - common


# An amount's magnitude, written out or as a suffix: `$2 million`, `$2M`, `2mn` and
# `2 millones` are one term (`2m`), so copies that write one amount two ways, or in two
# languages, share it. (A Spanish or French `billón`/`billion` is 10^12; the English
# `billion` wins that spelling, the languages' own long forms are read as they mean.)
MAGNITUDES = {
    "thousand": "k",
    "million": "m",
    "millions": "m",
    "millones": "m",
    "millón": "m",
    "millon": "m",
    "millionen": "m",
    "milhões": "m",
    "milhão": "m",
    "milioni": "m",
    "milione": "m",
    "billion": "bn",
    "billions": "bn",
    "milliard": "bn",
    "milliards": "bn",
    "milliarden": "bn",
    "miliardi": "bn",
    "bilhões": "bn",
    "trillion": "tn",
    "billones": "tn",
}
# Japanese, Chinese and Korean write an amount in myriads (`350万台`, `25億ドル`, `25억`): the
# magnitude opens the word after the number, which copies in Latin letters write `3.5 million`.
CJK_MAGNITUDES = {"万": 10**4, "萬": 10**4, "만": 10**4, "億": 10**8, "亿": 10**8, "억": 10**8}
SCALES = (("tn", 10**12), ("bn", 10**9), ("m", 10**6), ("k", 10**3))
UNIT_SIZES = {**dict(SCALES), "": 1}
SUFFIXES = {"k": "k", "m": "m", "mn": "m", "mln": "m", "bn": "bn", "bln": "bn", "tn": "tn"}
_AMOUNT = re.compile(r"^(\d+(?:_\d+)*)([a-z]+)$")
_NUMBER = re.compile(r"^\d+(?:_\d+)*$")


def _amounts(found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A number and the magnitude after it as one term, and a suffixed amount's suffix in
    one spelling (`2mn` -> `2m`)."""
    joined: list[tuple[str, str]] = []
    skip = False
    for (term, token), after in zip(found, [*found[1:], ("", "")], strict=False):
        if skip:
            skip = False
            continue
        unit = MAGNITUDES.get(after[1].lower())
        if unit and _NUMBER.match(term):
            joined.append((_amount(term, unit), f"{token} {after[1]}"))
            skip = True
            continue
        amount = _AMOUNT.match(term)
        if amount and amount.group(2) in SUFFIXES:
            term = _amount(amount.group(1), SUFFIXES[amount.group(2)])
        elif _NUMBER.match(term) and "_" in term and all(len(g) == 3 for g in term.split("_")[1:]):
            term = _amount(term, "")  # `150,000` -> `150k`, as `150k` is written
        elif term.isdigit() and after[1][:1] in CJK_MAGNITUDES:
            term = _scaled(int(term) * CJK_MAGNITUDES[after[1][0]])  # `350万台` -> `3_5m`
        joined.append((term, token))
    return joined


def _amount(number: str, unit: str) -> str:
    """One spelling of an amount: `2_500` millions (Spanish `2.500 millones`) is `2_5bn`, as is
    `2_5` billions; groups of three digits after the first are thousands, others decimals."""
    head, *groups = number.split("_")
    if all(len(group) == 3 for group in groups):
        value = float(head + "".join(groups))
    else:
        value = float(f"{head}.{''.join(groups)}")
    return _scaled(round(value * UNIT_SIZES[unit]))


def _scaled(value: int) -> str:
    """An amount in the English terms' units: 3,500,000 -> `3_5m`, 2,500,000,000 -> `2_5bn`."""
    for unit, size in SCALES:
        if value >= size:
            mantissa = f"{value / size:.2f}".rstrip("0").rstrip(".")
            return mantissa.replace(".", "_") + unit
    return str(value)


def _headline_terms(title: str, words: tuple[str, ...]) -> list[tuple[str, str]]:
    """(term, token as written) of a title key. A word written as one with inner punctuation
    (`SAG-AFTRA`, `Jos.A.Bank`) is one term, so one name never counts as two shared terms;
    an amount is one term however it is written (`$2 million`, `$2M`)."""
    found: list[tuple[str, str]] = []
    remaining = len(words)
    for chunk in title.split():
        if remaining <= 0:
            break
        parts = [token for token in tokenize(chunk)][:remaining]
        remaining -= len(parts)
        named = [token for token in parts if len(token) > 1 or token.isdigit()]
        if len(named) > 1 and not any(is_spaceless(token) for token in named):
            found.append(("_".join(_terms(token)[0] for token in named), "-".join(named)))
            continue
        found += [(term, token) for token in parts for term in _terms(token)]
    return _amounts(found)


def stem(token: str) -> str:
    """A token's first term: its stem, or itself (the keep-apart rules align by these)."""
    return _terms(token)[0]


def terms_of(token: str) -> tuple[str, ...]:
    """A token's terms, as the story engine counts them."""
    return _terms(token)


@lru_cache(maxsize=131072)
def _terms(token: str) -> tuple[str, ...]:
    """A token's terms: its stem, or the character pairs of a spaceless run."""
    if is_spaceless(token):
        if len(token) < 2:
            return (token,)
        return tuple(dict.fromkeys(token[i : i + 2] for i in range(len(token) - 1)))
    if token.isascii() and token.isalpha():
        return (str(_STEMMER.stemWord(token)),)
    return (token,)


__all__ = ["SUFFIXES", "UNIT_SIZES", "StoryText", "everyday_word", "stem", "story_text", "terms_of"]
