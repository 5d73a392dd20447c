"""How a name sounds, for comparing a copy in Japanese or Korean with one in Latin letters.

Japanese writes foreign names and loanwords in katakana (`ハリウッド` for Hollywood,
`ライセンス` for license) and Korean in Hangul (`할리우드`), so a copy in those scripts names
the same things as an English copy without sharing a letter. Both scripts spell sounds, so
each word here becomes a consonant skeleton that both spellings reduce to: `hrd` for
Hollywood, ハリウッド and 할리우드. Vowels, `w`, `y` and doubled consonants drop out, and the
sounds the two languages do not tell apart are merged (`l`/`r`, `f`/`p`, `v`/`b`, `z`/`s`, `g`/`k`,
`j`/`d`). Skeletons shorter than MIN_SOUND say too little to compare.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from bot.stories.terms import stem

MIN_SOUND = 3  # consonants a skeleton needs before two of them may be called one name

# Katakana as Hepburn romaji; a small ャ/ュ/ョ/ァ... glides the sound before it, ッ doubles
# the next consonant (dropped here: doubles collapse), ー lengthens a vowel (dropped).
_KANA = dict(
    zip(
        "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨ"
        "ラリルレロワヲンガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポヴ"
        "ァィゥェォャュョ",
        [
            "a",
            "i",
            "u",
            "e",
            "o",
            "ka",
            "ki",
            "ku",
            "ke",
            "ko",
            "sa",
            "shi",
            "su",
            "se",
            "so",
            "ta",
            "chi",
            "tsu",
            "te",
            "to",
            "na",
            "ni",
            "nu",
            "ne",
            "no",
            "ha",
            "hi",
            "fu",
            "he",
            "ho",
            "ma",
            "mi",
            "mu",
            "me",
            "mo",
            "ya",
            "yu",
            "yo",
            "ra",
            "ri",
            "ru",
            "re",
            "ro",
            "wa",
            "o",
            "n",
            "ga",
            "gi",
            "gu",
            "ge",
            "go",
            "za",
            "ji",
            "zu",
            "ze",
            "zo",
            "da",
            "ji",
            "zu",
            "de",
            "do",
            "ba",
            "bi",
            "bu",
            "be",
            "bo",
            "pa",
            "pi",
            "pu",
            "pe",
            "po",
            "vu",
            "a",
            "i",
            "u",
            "e",
            "o",
            "ya",
            "yu",
            "yo",
        ],
        strict=True,
    )
)
_KATAKANA_RUN = re.compile(r"[\u30a1-\u30fa\u30fc]{2,}")

# Hangul syllables decompose by arithmetic into an initial, a vowel and a final (Unicode
# 3.12); each jamo is written as the Revised Romanization does, finals as they sound.
_INITIALS = [
    "g",
    "kk",
    "n",
    "d",
    "tt",
    "r",
    "m",
    "b",
    "pp",
    "s",
    "ss",
    "-",
    "j",
    "jj",
    "ch",
    "k",
    "t",
    "p",
    "h",
]
_FINALS = [
    "-",
    "k",
    "k",
    "k",
    "n",
    "n",
    "n",
    "t",
    "l",
    "k",
    "m",
    "p",
    "l",
    "l",
    "p",
    "l",
    "m",
    "p",
    "p",
    "t",
    "t",
    "ng",
    "t",
    "t",
    "k",
    "t",
    "p",
    "t",
]
_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3

# Latin spellings first reduced to the sounds the two scripts write (`ph` is `f`, `x` is
# `ks`, a `c` before e/i/y is `s`), then to one letter per sound class.
_LATIN_SPELLINGS = [
    ("ph", "f"),
    ("ck", "k"),
    ("sh", "s"),
    ("th", "s"),
    ("tch", "c"),
    ("ch", "c"),
    ("qu", "k"),
    ("x", "ks"),
    ("ce", "se"),
    ("ci", "si"),
    ("cy", "sy"),
    ("c", "k"),
    ("q", "k"),
]
# Korean has no `ts`: a loanword writes it 츠 (`콘텐츠`, contents), as Japanese writes ツ.
_LOANWORD_SYLLABLES = {"츠": "tsu"}
_CLASS = str.maketrans({"l": "r", "f": "p", "v": "b", "z": "s", "j": "d", "g": "k"})
_SILENT = set("aeiouwy-")


def latin_sounds(words: Iterable[str]) -> dict[str, str]:
    """Skeleton -> word, for words in Latin letters (names and loanwords a translation keeps),
    each as written and as its stem (`studios` and `studio`)."""
    found: dict[str, str] = {}
    for word in words:
        if word.isascii() and word.isalpha():
            for form in (word.lower(), stem(word.lower())):
                found.setdefault(_latin_sound(form), word)
    return {sound: word for sound, word in found.items() if len(sound) >= MIN_SOUND}


def kana_sounds(words: Iterable[str]) -> dict[str, str]:
    """Skeleton -> word, for the katakana runs and Hangul words in these tokens. A Hangul word
    may end in a particle (`스튜디오에`: "at the studio"), so it also counts without its last
    syllable."""
    found: dict[str, str] = {}
    for word in words:
        for run in _KATAKANA_RUN.findall(word):
            found.setdefault(_kana_sound(run), run)
        if len(word) >= 2 and all(_HANGUL_FIRST <= ord(ch) <= _HANGUL_LAST for ch in word):
            found.setdefault(_hangul_sound(word), word)
            if len(word) >= 3:
                found.setdefault(_hangul_sound(word[:-1]), word[:-1])
    return {sound: word for sound, word in found.items() if len(sound) >= MIN_SOUND}


def sounded_pairs(mine: Iterable[str], theirs: Iterable[str]) -> list[tuple[str, str]]:
    """(Latin word, kana or Hangul word) for each name one set of tokens writes in katakana
    or Hangul and the other in Latin letters, in the order of their sounds."""
    pairs = []
    for kana_side, latin_side in ((mine, theirs), (theirs, mine)):
        kana, latin = kana_sounds(kana_side), latin_sounds(latin_side)
        pairs += [(latin[sound], kana[sound]) for sound in sorted(kana.keys() & latin)]
    return pairs


@lru_cache(maxsize=65536)
def _latin_sound(word: str) -> str:
    for spelling, sound in _LATIN_SPELLINGS:
        word = word.replace(spelling, sound)
    # An `h` is heard at the start of a word (Hollywood) and silent inside (`sh` is gone).
    return _skeleton(word[0] + word[1:].replace("h", "") if word else word)


@lru_cache(maxsize=65536)
def _kana_sound(run: str) -> str:
    return _skeleton("".join(_KANA.get(ch, "") for ch in run).replace("shi", "si"))


@lru_cache(maxsize=65536)
def _hangul_sound(word: str) -> str:
    spelled = []
    for ch in word:
        if ch in _LOANWORD_SYLLABLES:
            spelled.append(_LOANWORD_SYLLABLES[ch])
            continue
        index = ord(ch) - _HANGUL_FIRST
        initial, final = index // 588, index % 28
        spelled.append(_INITIALS[initial] + "a" + _FINALS[final])
    return _skeleton("".join(spelled).replace("ng", "n"))


def _skeleton(spelled: str) -> str:
    """One letter per consonant sound, vowels and repeats gone: `hariuddo` -> `hrd`."""
    letters = spelled.replace("sh", "s").replace("ch", "c").replace("ts", "t").translate(_CLASS)
    out: list[str] = []
    for letter in letters:
        if letter in _SILENT or not letter.isalpha():
            continue
        if not out or out[-1] != letter:
            out.append(letter)
    return "".join(out)


__all__ = ["MIN_SOUND", "kana_sounds", "latin_sounds", "sounded_pairs"]
