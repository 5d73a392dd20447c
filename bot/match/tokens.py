"""The tokenizer that queries, items and titles share (SPEC "Query language").

Text is NFKC-normalised, case-folded and split at every character that is not a letter,
a digit or a combining mark. Runs of scripts written without spaces (Han, Hiragana,
Katakana, Hangul, Thai) are tokens of their own, split from neighbouring Latin letters
and digits, so `OpenAIの動画` holds `openai` and `の動画`; a query term in such a script
matches anywhere inside such a run (bot.match.matcher does that part).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Code point ranges of the spaceless scripts, with the marks that live inside their runs
# (iteration marks, the prolonged sound mark, Thai vowel signs and tone marks).
_SPACELESS_RANGES: tuple[tuple[int, int], ...] = (
    (0x0E00, 0x0E7F),  # Thai
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x2E80, 0x2FDF),  # CJK radicals, Kangxi radicals
    (0x3005, 0x3007),  # 々 〆 〇
    (0x3021, 0x3029),  # Hangzhou numerals
    (0x3031, 0x3035),  # kana repeat marks
    (0x3038, 0x303C),
    (0x3040, 0x30FF),  # Hiragana, Katakana (with ー and the iteration marks)
    (0x3130, 0x318F),  # Hangul compatibility Jamo
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xA960, 0xA97F),  # Hangul Jamo extended A
    (0xAC00, 0xD7FF),  # Hangul syllables, Jamo extended B
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # halfwidth Katakana (NFKC widens them, kept for safety)
    (0x20000, 0x3FFFF),  # CJK extensions B onward
)

WORD = 1  # a letter, digit or combining mark of a spaced script
SPACELESS = 2  # a character of a script written without spaces
OTHER = 0  # a separator


def is_spaceless(token: str) -> bool:
    """True for a token made of a spaceless script (it matches by substring)."""
    return bool(token) and _kind(token[0]) == SPACELESS


@lru_cache(maxsize=65536)
def _kind(char: str) -> int:
    code = ord(char)
    if code < 0x80:
        return WORD if char.isalnum() else OTHER
    for low, high in _SPACELESS_RANGES:
        if low <= code <= high:
            return SPACELESS if _is_tokenish(char) else OTHER
    return WORD if _is_tokenish(char) else OTHER


def _is_tokenish(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "LNM"


def normalise(text: str) -> str:
    """NFKC then case folding (casefold can undo NFKC, so normalise once more after)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return folded if folded.isascii() else unicodedata.normalize("NFKC", folded)


def tokenize(text: str) -> list[str]:
    """The tokens of a text, in order: `SAG-AFTRA's` -> ['sag', 'aftra', 's']."""
    if text.isascii():
        return _ascii_tokens(text.lower())
    normalised = normalise(text)
    if normalised.isascii():  # `…` and no-break spaces are ASCII after NFKC
        return _ascii_tokens(normalised)
    return _split(normalised)


# In ASCII, str.isalnum() is exactly [A-Za-z0-9]; the text is lower-cased already.
_ASCII_TOKEN = re.compile(r"[a-z0-9]+")


def _ascii_tokens(text: str) -> list[str]:
    """A fast path for plain ASCII: every non-alphanumeric is a separator."""
    return _ASCII_TOKEN.findall(text)


def _split(text: str) -> list[str]:
    out: list[str] = []
    current: list[str] = []
    current_kind = OTHER
    for char in text:
        kind = _kind(char)
        if kind != current_kind:
            if current:
                out.append("".join(current))
                current = []
            current_kind = kind
        if kind != OTHER:
            current.append(char)
    if current:
        out.append("".join(current))
    return out
