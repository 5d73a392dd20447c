"""Durations as users write them in config and commands: 30s, 5m, 2h, 7d."""

from __future__ import annotations

import re

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> float:
    """Return the duration in seconds, or raise ValueError saying what a duration looks like."""
    match = _DURATION.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(
            f"bad duration {text!r}: write a number and a unit, like 30s, 5m, 2h or 7d"
        )
    return float(int(match.group(1)) * _UNIT_SECONDS[match.group(2)])


def format_duration(seconds: float) -> str:
    """The shortest exact spelling of a duration, for messages."""
    whole = int(seconds)
    for unit in ("d", "h", "m"):
        size = _UNIT_SECONDS[unit]
        if whole and whole % size == 0:
            return f"{whole // size}{unit}"
    return f"{whole}s"
