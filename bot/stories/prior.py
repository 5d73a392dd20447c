"""How common a word is in everyday language, before the store has seen any news.

A cold store cannot tell `sora` from `says`; wordfreq's word lists can, offline. Its zipf
scale is log10 of a word's frequency per billion words: `the` 7.7, `says` 5.5, `vox` 3.2.
A word in none of the lists is rarer than any listed one, and so are numbers (they tell
events apart: `Day 100`, `Q3`), though the story engine weighs numbers on their own.
"""

from __future__ import annotations

import math
from functools import cache

# The languages newswatch's users read most; a word common in any of them is common. For
# Japanese, Chinese and Korean the lists rank words, which the engine's character pairs meet
# where a pair is a word (`動画`, video).
LANGUAGES = ("en", "es", "fr", "de", "pt", "it", "ja", "zh", "ko")
UNLISTED_ZIPF = 1.0  # a word in no list: a name, a coinage, a misspelling
NUMBER_ZIPF = 4.5  # a token holding a digit: distinctive enough to count, never a stopword


@cache
def _zipf_table() -> dict[str, float]:
    """The highest zipf of each word over LANGUAGES (imported on first use: it takes 0.5 s)."""
    import wordfreq

    table: dict[str, float] = {}
    for language in LANGUAGES:
        for word, frequency in wordfreq.get_frequency_dict(language, "small").items():
            zipf = math.log10(frequency) + 9.0
            if zipf > table.get(word, 0.0):
                table[word] = zipf
    return table


def zipf(token: str) -> float:
    """How common a token (as bot.match.tokens makes them) is; see the module docstring."""
    if is_number(token):
        return NUMBER_ZIPF
    return _zipf_table().get(token, UNLISTED_ZIPF)


def listed_zipf(token: str) -> float | None:
    """The zipf of a word the lists hold, else None (for character pairs, most of which are
    no word)."""
    return _zipf_table().get(token)


def is_number(token: str) -> bool:
    """A token holding a digit. Asked of every word of every copy: a word of letters only
    (no letter is a digit in Unicode) is answered by one C call, not a scan in Python."""
    return not token.isalpha() and any(char.isdigit() for char in token)
