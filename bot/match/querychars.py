"""Which characters a watch query may not hold: controls, and invisible ones that make it mean
something other than what it shows (SPEC "Query language")."""

from __future__ import annotations

import unicodedata

from idna import valid_contextj

# Invisible characters that make a query mean something other than what it shows
# (`Zwsp\u200bwatch` reads as one word and is the phrase "zwsp watch"; U+202E reverses what
# follows). Bidi controls (UAX #9), tag characters, and the Default_Ignorable_Code_Point
# characters of Unicode's DerivedCoreProperties (zero-width characters, fillers, variation
# selectors) are refused; so is any other format character (category Cf). (The soft hyphen
# is dropped before this check, by bot.match.query.)
_BIDI = frozenset([0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])
_IGNORABLE: tuple[tuple[int, int], ...] = (
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x115F, 0x1160),  # Hangul fillers
    (0x17B4, 0x17B5),  # Khmer inherent vowels
    (0x180B, 0x180F),  # Mongolian free variation selectors and vowel separator
    (0x200B, 0x200D),  # zero width space, non-joiner, joiner
    (0x2060, 0x206F),  # word joiner, invisible operators, deprecated format characters
    (0x3164, 0x3164),  # Hangul filler
    (0xFE00, 0xFE0F),  # variation selectors
    (0xFEFF, 0xFEFF),  # zero width no-break space (BOM)
    (0xFFA0, 0xFFA0),  # halfwidth Hangul filler
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),  # shorthand format controls
    (0x1D173, 0x1D17A),  # musical symbol format controls
    (0xE0000, 0xE0FFF),  # tag characters, variation selectors supplement
)
_JOINERS = "\u200c\u200d"


def refused_character(text: str) -> tuple[int, str] | None:
    """The first character a query may not hold, as (index, why), or None when all may."""
    for index, char in enumerate(text):
        if char in "\t\n\r":
            continue
        code = ord(char)
        if code < 0x20 or 0x7F <= code < 0xA0 or 0xD800 <= code < 0xE000:
            return (
                index,
                f"the query holds the control character U+{code:04X} at column {index + 1}",
            )
        if code >= 0xA0:
            why = _invisible(text, index)
            if why:
                name = unicodedata.name(char, "")
                return index, (
                    f"U+{code:04X}{' ' + name if name else ''} at column {index + 1} {why}; "
                    "type the query without it"
                )
    return None


def _invisible(text: str, index: int) -> str:
    """Why the character at `index` may not be in a query, or "" when it may."""
    code = ord(text[index])
    if code in _BIDI:
        return "is an invisible bidi control that reorders the text around it"
    if 0xE0000 <= code <= 0xE007F:
        return "is an invisible tag character"
    ignorable = any(low <= code <= high for low, high in _IGNORABLE)
    if not ignorable and unicodedata.category(text[index]) != "Cf":
        return ""
    if text[index] in _JOINERS and _joins_visibly(text, index):
        return ""
    return "is invisible" if ignorable else "is a format character"


def _joins_visibly(text: str, index: int) -> bool:
    """RFC 5892 CONTEXTJ: a joiner after a virama, or a ZWNJ between joining letters (Persian,
    Arabic), changes how the word is drawn, so it is part of the spelling people see."""
    start = max(0, index - 64)
    try:
        return valid_contextj(text[start : index + 64], index - start)
    except ValueError:  # a neighbour without a Unicode name (unassigned)
        return False
