"""Dates a person reads at once but feedparser leaves unparsed (issue 14): day and month names
of the common European languages, `GMT+9`, `22.11.2022 12:16:00`, `Fri, 05/03/2019 - 15:21`.

python-dateutil reads what is left once the names are English and the numeric date is ISO.
Nothing is invented: a date without a year, month and day, a day-first or month-first numeric
date that neither a weekday nor dots settle, or an unknown zone name gives None (the item is
then dated when first seen, SPEC "Polling").
"""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime, timedelta, timezone

from dateutil import parser as dateutil_parser

from bot.ingest.datenames import MONTHS, WEEKDAYS

MAX_DATE_CHARS = 100
_WORD = re.compile(r"[^\W\d_]+\.?")
_LEADING_WEEKDAY = re.compile(r"^\s*([^\W\d_]+)\.?\s*,?\s*")
_OFFSET = re.compile(r"\b(?:GMT|UTC)\s*([+-])(\d{1,2})(?::?(\d{2}))?\b", re.I)
_NUMERIC = re.compile(r"\b(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})\b")
_FULL_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_ISO_DATE = re.compile(r"(?<!\d)\d{4}-\d\d-\d\d")
_MONTH = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b\.?", re.I)
_DASH_BEFORE_TIME = re.compile(r"\s+[-–—|]\s+(?=\d{1,2}:\d)")
_YEAR_FIRST = re.compile(r"(?<!\d)(\d{4})([./])(\d{1,2})\2(\d{1,2})(?!\d)")  # 2022/11/22
_HOUR_MARK = re.compile(r"(?<=\d)h(?=\d\d)")  # 10h45
_COMMENT = re.compile(r"\s*\([^()]*\)\s*$")  # JavaScript's "(Central European Standard Time)"


class _Words(dateutil_parser.parserinfo):
    """dateutil's words, and the little words European dates put between their parts."""

    def __init__(self) -> None:
        self.JUMP = [*self.JUMP, "à", "alle", "ore", "om", "kl", "uhr", "um", "de", "del", "le"]
        self.JUMP += ["las", "el"]
        super().__init__()  # parserinfo reads JUMP here


_WORDS = _Words()
_ZONES = {
    name: timezone(timedelta(hours=hours))
    for name, hours in (
        ("CET", 1), ("CEST", 2), ("MEZ", 1), ("MESZ", 2), ("EET", 2), ("EEST", 3), ("WET", 0),
        ("WEST", 1), ("BST", 1), ("MSK", 3), ("JST", 9), ("KST", 9), ("HKT", 8), ("SGT", 8),
        ("AEST", 10), ("AEDT", 11), ("NZST", 12), ("NZDT", 13), ("UT", 0), ("Z", 0),
        ("EST", -5), ("EDT", -4), ("CST", -6), ("CDT", -5), ("MST", -7), ("MDT", -6),
        ("PST", -8), ("PDT", -7), ("AKST", -9), ("AKDT", -8), ("HST", -10),
    )
}  # fmt: skip
# Two defaults that share no field: a part the text lacks shows up as a difference.
_DEFAULTS = (datetime(1901, 1, 1), datetime(1902, 2, 2))


def readable_date(raw: str, day_first: bool | None = None) -> float | None:
    """The UTC timestamp a person would read in `raw`, or None when it cannot be read surely.
    `day_first` is how the feed's language writes numeric dates (None: unknown)."""
    text = raw.strip()
    if not text or len(text) > MAX_DATE_CHARS:
        return None
    weekday, rest = _weekday(text)
    stamp = _read(rest, weekday, day_first)
    if stamp is None and weekday is not None:
        stamp = _read(text, None, day_first)  # "Mar 15 2022": March, not Tuesday (martes, martedì)
    return stamp


def _read(text: str, weekday: int | None, day_first: bool | None) -> float | None:
    """The timestamp in `text` once its weekday (if any) is taken off."""
    text = _OFFSET.sub(_offset, _COMMENT.sub("", text))
    text = _DASH_BEFORE_TIME.sub(" ", text)
    text = _HOUR_MARK.sub(":", _YEAR_FIRST.sub(r"\1-\3-\4", text))
    numeric = _iso_numeric(text, weekday, day_first)
    if numeric is None:
        return None
    text = _WORD.sub(_english, numeric)
    if not (_FULL_YEAR.search(text) and (_ISO_DATE.search(text) or _MONTH.search(text))):
        return None  # "1 2 3" is no date to a person, whatever dateutil makes of it
    readings = [_parse(text, default) for default in _DEFAULTS]
    first = readings[0]
    if first is None or readings[1] != first:
        return None  # a year, month or day the text does not give, or no date at all
    if first.tzinfo is None:
        first = first.replace(tzinfo=UTC)  # as feedparser does for a date without a zone
    return first.timestamp()


def _parse(text: str, default: datetime) -> datetime | None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an unknown zone name would otherwise read as UTC
        try:
            return dateutil_parser.parse(text, _WORDS, default=default, tzinfos=_ZONES)
        except (Warning, ValueError, OverflowError, TypeError):
            return None


def _weekday(text: str) -> tuple[int | None, str]:
    """A leading day name (any language) and the text without it."""
    match = _LEADING_WEEKDAY.match(text)
    if match:
        day = WEEKDAYS.get(match.group(1).lower())
        if day is not None:
            return day, text[match.end() :]
    return None, text


def _offset(match: re.Match[str]) -> str:
    """`GMT+9` as a person reads it, nine hours ahead of UTC (dateutil reads POSIX's
    opposite sign)."""
    sign, hours, minutes = match.group(1), int(match.group(2)), match.group(3) or "00"
    return f"{sign}{hours:02d}{minutes}"


def _iso_numeric(text: str, weekday: int | None, day_first: bool | None) -> str | None:
    """The text with a numeric day/month/year date written as ISO, or None when it is
    ambiguous: 05/03/2019 is 3 May (a Friday) or 5 March (a Tuesday), as the weekday, the
    dots of 05.03.2019 or the feed's language may say."""
    match = _NUMERIC.search(text)
    if match is None:
        return text
    first, separator, second, year_text = match.groups()
    year = int(year_text) if len(year_text) == 4 else 2000 + int(year_text)
    readings = [
        (year, month, day)
        for day, month in ((int(first), int(second)), (int(second), int(first)))
        if _valid(year, month, day)
    ]
    if len(set(readings)) > 1:
        if weekday is not None:
            readings = [r for r in readings if datetime(*r).weekday() == weekday]
        elif separator == ".":
            readings = readings[:1]  # 22.11.2022: dots are day first wherever they are used
        elif day_first is not None:
            readings = readings[:1] if day_first else readings[1:]
    if len(set(readings)) != 1:
        return None
    year, month, day = readings[0]
    return f"{text[: match.start()]}{year:04d}-{month:02d}-{day:02d}{text[match.end() :]}"


def _valid(year: int, month: int, day: int) -> bool:
    try:
        datetime(year, month, day)
    except ValueError:
        return False
    return True


def _english(match: re.Match[str]) -> str:
    word = match.group(0)
    return MONTHS.get(word.rstrip(".").lower(), word)
