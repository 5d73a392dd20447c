"""How long to wait before trying again: one backoff rule and one Retry-After parser.

Sources (SPEC Polling: doubling from the poll interval, capped at 6 h), outbox rows (from
5 s, capped at an hour, jittered) and the Discord gateway all back off with `backoff`; every
Retry-After header, from a feed or a chat API, is read by `parse_retry_after`.
"""

from __future__ import annotations

import random
import re
from datetime import UTC
from email.utils import parsedate_to_datetime

MAX_RETRY_AFTER = 6 * 3600.0  # HARDENING C7: honour a server's wait, but never for days
MAX_DOUBLINGS = 64  # 2.0 ** 1024 overflows; any cap is reached long before 2 ** 64

# RFC 9110 section 10.2.3 says delay-seconds is 1*DIGIT; a decimal is taken too, since
# some chat APIs send fractions of a second.
_DELAY_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def backoff(
    attempts: int,
    *,
    base: float,
    cap: float,
    retry_after: float | None = None,
    rng: random.Random | None = None,
    jitter: tuple[float, float] = (1.0, 1.0),
) -> float:
    """`base` doubled `attempts` times, capped at `cap`, then scaled by a factor drawn from
    `rng` within `jitter` (none without an rng); a Retry-After, capped too, wins when longer."""
    delay = min(base * 2.0 ** min(max(attempts, 0), MAX_DOUBLINGS), cap)
    if rng is not None:
        delay *= rng.uniform(*jitter)
    if retry_after is not None:
        delay = max(delay, min(retry_after, cap))
    return delay


def parse_retry_after(value: str | None, now: float, cap: float = MAX_RETRY_AFTER) -> float | None:
    """Seconds to wait from a Retry-After value (RFC 9110 section 10.2.3: delay-seconds or an
    HTTP-date), never negative and at most `cap`; None when absent or not one of those."""
    if value is None:
        return None
    value = value.strip()
    if _DELAY_SECONDS.fullmatch(value):
        seconds = float(value)  # thousands of digits give inf, clamped below
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:  # "-0000" parses naive; an HTTP-date is always UTC
            when = when.replace(tzinfo=UTC)
        seconds = when.timestamp() - now
    return min(max(seconds, 0.0), cap)
