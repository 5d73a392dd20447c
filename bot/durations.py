"""Durations as users write them in config and commands: 30s, 5m, 2h, 7d."""

from __future__ import annotations

import re

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_DURATION = 36500 * 86400.0  # a hundred years: longer means nothing here, and overflows


def parse_duration(text: str, limit: float = MAX_DURATION, what: str = "a duration") -> float:
    """Return the duration in seconds, or raise ValueError saying what a duration looks like,
    or that it is longer than `limit` (so no caller ever meets an overflow)."""
    match = _DURATION.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(
            f"bad duration {text!r}: write a number and a unit, like 30s, 5m, 2h or 7d"
        )
    digits = match.group(1).lstrip("0") or "0"
    # 20 digits already exceed any limit; int() of thousands of digits is slow, then refused.
    seconds = int(digits) * _UNIT_SECONDS[match.group(2)] if len(digits) <= 20 else None
    if seconds is None or seconds > limit:
        shown = text.strip() if len(text.strip()) <= 24 else text.strip()[:20] + "…"
        raise ValueError(f"{what} is at most {format_duration(limit)}; {shown!r} is longer")
    return float(seconds)


def format_duration(seconds: float) -> str:
    """The shortest exact spelling of a duration, for messages."""
    whole = int(seconds)
    for unit in ("d", "h", "m"):
        size = _UNIT_SECONDS[unit]
        if whole and whole % size == 0:
            return f"{whole // size}{unit}"
    return f"{whole}s"
