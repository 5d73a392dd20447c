"""Headlines alike but for what tells two events apart (SPEC "Stories"): a number in the same
place (`Day 100` / `Day 101`, `Q2` / `Q3`), a rare name swapped in an otherwise identical
headline (`at Vox Media` / `at Vice Media`), or two different kinds of event about one
subject (a tentative deal, its ratification, a strike). Each rule gives the reason it kept
two copies apart, which the new story's evidence records.

Titles here are title keys' tokens as written (bot.stories.titles); they are compared by
their stems, and a word's rarity is read as written.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from itertools import pairwise

from bot.stories.prior import is_number, listed_zipf, zipf
from bot.stories.terms import SUFFIXES, UNIT_SIZES, everyday_word, stem

NAME_ZIPF = 4.0  # a swapped word this rare (`vox` 3.6) names something; `vice` (4.9) may not
VARIANT_RATIO = 0.75  # swapped words this alike are one word spelled two ways (`-ise`/`-ize`)
MAX_SWAP = 2  # tokens a swap may span on each side
# Swaps a near miss may hold: `Universal Taps Lionsgate's Maria Chen` / `Paramount Taps
# Sony's David Okafor` swaps a studio, a former employer and a person.
MAX_SWAPS = 3
MIN_ALIKE = 0.6  # share of the longer headline's tokens, in order, that make a near miss
# One number written two ways is no number apart: `150000` / `150k`, `5` / `5pc`, `4` / `4th`
# (the magnitudes are the story terms' own, bot.stories.terms.SUFFIXES).
PLAIN_SUFFIXES = frozenset({"st", "nd", "rd", "th", "pc", "pct"})
# Outlets round one large figure differently (`nearly 700000` / `693000`): figures of at least
# ROUNDED_FROM this near are one figure. Years are exact (`2014` / `2015`).
ROUNDED_FROM = 1000.0
ROUNDED_WITHIN = 0.02
YEARS = range(1900, 2101)
# A rare word that is one of these endings on a word this common is an inflection, no name.
INFLECTIONS = (
    ("ies", "y"),
    ("es", ""),
    ("s", ""),
    ("ed", ""),
    ("ed", "e"),
    ("ing", ""),
    ("ing", "e"),
)
INFLECTED_FROM = 3.0
# Spellings of one word, which no swap may count as a name (`3 pct` / `3 per cent`).
SAME_WORD = {"pc": "percent", "pct": "percent", "per cent": "percent"}

# Kinds of event (English stems): copies reporting different kinds, and none in common, are
# different events about the same subject (see ONE_SIDED and STAGE_KINDS below).
EVENT_KINDS: dict[str, frozenset[str]] = {
    # A deal to buy a company and the purchase are reported as both.
    "deal": frozenset(
        {
            "deal",
            "agreement",
            "pact",
            "tentat",
            "acquir",
            "acquisit",
            "buy",
            "merg",
            "merger",
            "takeov",
        }
    ),
    "ratification": frozenset({"ratifi", "ratif"}),
    "strike": frozenset({"strike", "walkout", "picket"}),
    "lawsuit": frozenset({"lawsuit", "sue", "su"}),
    "ruling": frozenset({"rule", "ruling", "verdict", "judg", "dismiss", "toss"}),
    "settlement": frozenset({"settl", "settlement"}),
    "hire": frozenset({"hire", "appoint", "tap"}),
    "exit": frozenset({"resign", "exit", "step", "depart", "fire", "oust"}),
    "death": frozenset({"die", "dead", "death", "obituari"}),
    "layoffs": frozenset({"layoff", "lay"}),
    "bankruptcy": frozenset({"bankrupt", "bankruptci"}),
    "box office": frozenset({"box"}),
    # A reaction to an event is news of its own (`WGA responds to OpenAI's push`).
    "reaction": frozenset({"respond", "respons", "react", "reaction", "slam", "condemn"}),
    "approval": frozenset({"approv"}),
}
# Kinds that are a later stage of another kind's event (a suit's ruling or settlement, a
# deal's approval or ratification): one headline's stage that the other lacks parts them,
# even when both name the suit or the deal.
STAGE_KINDS = frozenset({"ruling", "settlement", "ratification", "approval", "milestone"})
MILESTONE_UNITS = frozenset({"day", "week"})  # `Strike Enters Day 100`, `Week 3 of the walkout`
# A kind that parts two headlines when only one reports it, whatever else they share: a
# reaction to an event is news of its own. Any other kind parts them only when both report
# kinds and none in common (`deal` in one headline may be its wording of the other's event).
ONE_SIDED = frozenset({"reaction"})
_KIND_OF = {stem: kind for kind, stems in EVENT_KINDS.items() for stem in stems}


def kept_apart(new_words: tuple[str, ...], stored_words: tuple[str, ...]) -> str | None:
    """Why two headlines report different events, or None if nothing says so."""
    return near_miss(new_words, stored_words) or _event_kinds(
        _stems(new_words), _stems(stored_words)
    )


def near_miss(new_words: tuple[str, ...], stored_words: tuple[str, ...]) -> str | None:
    """The number or name that tells apart headlines mostly the same words in the same order;
    None for headlines less alike than that, or alike throughout."""
    new, stored = _stems(new_words), _stems(stored_words)
    if _in_common(new, stored) < MIN_ALIKE * max(len(new), len(stored)):
        return None  # the matching blocks never hold more than the stems both have
    matcher = SequenceMatcher(None, new, stored, autojunk=False)
    alike = sum(block.size for block in matcher.get_matching_blocks())
    if alike < MIN_ALIKE * max(len(new), len(stored)):
        return None
    return _number_in_place(new, stored) or _swapped_name(matcher, new_words, stored_words)


def different_kinds(new_words: tuple[str, ...], stored_words: tuple[str, ...]) -> str | None:
    """The kinds of event two headlines report, when they share none."""
    return _event_kinds(_stems(new_words), _stems(stored_words))


def _stems(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(stem(word) for word in words)


def _in_common(new: tuple[str, ...], stored: tuple[str, ...]) -> int:
    """How many stems the two titles share, each as often as both hold it: a bound on what
    SequenceMatcher can align (each stem at most once), which costs far less than aligning."""
    mine, theirs = set(new), set(stored)
    shared = mine & theirs
    if len(mine) == len(new) and len(theirs) == len(stored):
        return len(shared)  # no stem twice in either title
    return sum(min(new.count(word), stored.count(word)) for word in shared)


def _number_in_place(new: tuple[str, ...], stored: tuple[str, ...]) -> str | None:
    """A number beside a word in one headline, and another number beside it in the other."""
    theirs = _numbers_beside(stored)
    mine = _numbers_beside(new)
    for place, number in mine.items():
        other = theirs.get(place)
        if other is None or _one_figure(number, other):
            continue
        if number not in stored and other not in new:
            return f"{number!r} vs {other!r} ({place[1]!r})"
    return None


def _one_figure(number: str, other: str) -> bool:
    """Two number tokens that write one figure: equal, or the same amount in other units, or
    one large figure rounded two ways."""
    if number == other:
        return True
    mine, theirs = _figure(number), _figure(other)
    if mine is None or theirs is None:
        return False
    if mine == theirs:
        return True
    if int(mine) in YEARS or int(theirs) in YEARS or min(mine, theirs) < ROUNDED_FROM:
        return False
    return abs(mine - theirs) <= ROUNDED_WITHIN * max(mine, theirs)


def _figure(token: str) -> float | None:
    """A number token's value (`150k` 150000, `5pc` 5, `4th` 4); None for any other token
    holding digits (`q2`, `500l`), which only an equal token matches."""
    digits = token.rstrip("abcdefghijklmnopqrstuvwxyz")
    suffix = token[len(digits) :]
    if not digits.isdigit():
        return None
    if suffix in SUFFIXES:
        return float(int(digits) * UNIT_SIZES[SUFFIXES[suffix]])
    return float(int(digits)) if suffix == "" or suffix in PLAIN_SUFFIXES else None


def _numbers_beside(title: tuple[str, ...]) -> dict[tuple[str, str], str]:
    """(side, word) -> the number just after (side "after") or before ("before") that word."""
    found: dict[tuple[str, str], str] = {}
    for i, token in enumerate(title):
        if not is_number(token):
            continue
        if i > 0 and not is_number(title[i - 1]):
            found.setdefault(("after", title[i - 1]), token)
        if i + 1 < len(title) and not is_number(title[i + 1]):
            found.setdefault(("before", title[i + 1]), token)
    return found


def _swapped_name(
    matcher: SequenceMatcher[str], new_words: tuple[str, ...], stored_words: tuple[str, ...]
) -> str | None:
    """Headlines identical but for a short swap or two, one of which swaps a name (a rare
    word) for another word, not merely spelled another way (`Vox` / `Vice`, not
    `sterilisation` / `sterilization`)."""
    changes = [opcode for opcode in matcher.get_opcodes() if opcode[0] != "equal"]
    if not changes or len(changes) > MAX_SWAPS or any(tag != "replace" for tag, *_ in changes):
        return None
    for _tag, i1, i2, j1, j2 in changes:
        if i2 - i1 > MAX_SWAP or j2 - j1 > MAX_SWAP:
            return None
    for _tag, i1, i2, j1, j2 in changes:
        ours, theirs = " ".join(new_words[i1:i2]), " ".join(stored_words[j1:j2])
        if SequenceMatcher(None, ours, theirs).ratio() >= VARIANT_RATIO:
            continue
        if SAME_WORD.get(ours, ours) == SAME_WORD.get(theirs, theirs):
            continue
        if _everyday(new_words[i1:i2]) or _everyday(stored_words[j1:j2]):
            continue  # a name for `her` or `getting`: the same one, said another way
        words = (*new_words[i1:i2], *stored_words[j1:j2])
        if any(_name(word) for word in words):
            return f"{ours!r} vs {theirs!r}"
    return None


def _name(word: str) -> bool:
    """A rare word that is no inflection of a listed one (`marries`, `weds`, `crashes` are
    verbs, rare as written: the word lists hold few inflections)."""
    if is_number(word) or zipf(word) >= NAME_ZIPF:
        return False
    for suffix, base in INFLECTIONS:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            listed = listed_zipf(word[: -len(suffix)] + base)
            if listed is not None and listed >= INFLECTED_FROM:
                return False
    return True


def _everyday(words: tuple[str, ...]) -> bool:
    return bool(words) and all(everyday_word(word) for word in words)


def _event_kinds(new: tuple[str, ...], stored: tuple[str, ...]) -> str | None:
    """Two headlines report kinds of event and none in common (`OpenAI hires a marketing
    chief` / `OpenAI sues a studio`), or one reports a reaction or a later stage that the
    other does not (`WGA responds to OpenAI's push`, `Strike Enters Day 100`)."""
    mine, theirs = _kinds_of(new), _kinds_of(stored)
    if (mine and theirs and not mine & theirs) or (mine ^ theirs) & ONE_SIDED:
        return f"{_kinds(mine)} vs {_kinds(theirs)}"
    if (mine ^ theirs) & STAGE_KINDS:
        return f"{_kinds(mine)} vs {_kinds(theirs)}"
    return None


def _kinds_of(stems: tuple[str, ...]) -> set[str]:
    """A headline's kinds of event; `Day 100` of something is a milestone of its own."""
    kinds = {_KIND_OF[token] for token in stems if token in _KIND_OF}
    if any(word in MILESTONE_UNITS and is_number(number) for word, number in pairwise(stems)):
        kinds.add("milestone")
    return kinds


def _kinds(kinds: set[str]) -> str:
    return " / ".join(sorted(kinds)) or "no kind of event"


__all__ = ["EVENT_KINDS", "different_kinds", "kept_apart", "near_miss"]
