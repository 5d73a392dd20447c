"""One backoff rule and one Retry-After parser for sources, the outbox and the gateway.

SPEC "Polling" (sources double from the poll interval, capped at 6 h), HARDENING C7
(Retry-After in seconds or as an HTTP-date, honoured but capped), F2 (outbox rows back off
with jitter, capped).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from bot.backoff import MAX_RETRY_AFTER, backoff, parse_retry_after

NOW = 1_750_000_000.0
HOUR = 3600.0


@pytest.mark.parametrize(
    ("attempts", "base", "cap", "expected"),
    [
        (0, 5.0, HOUR, 5.0),
        (1, 5.0, HOUR, 10.0),
        (2, 5.0, HOUR, 20.0),
        (3, 5.0, HOUR, 40.0),
        (9, 5.0, HOUR, 2560.0),
        (10, 5.0, HOUR, HOUR),  # 5120 s, capped
        (10_000, 5.0, HOUR, HOUR),  # no overflow however long the outage
        (-1, 5.0, HOUR, 5.0),
        (1, 300.0, 6 * HOUR, 600.0),  # a source's first failure: twice its interval
        (6, 300.0, 6 * HOUR, 19200.0),
        (7, 300.0, 6 * HOUR, 6 * HOUR),
    ],
)
def test_backoff_doubles_per_attempt_up_to_its_cap(
    attempts: int, base: float, cap: float, expected: float
) -> None:
    assert backoff(attempts, base=base, cap=cap) == expected


@pytest.mark.parametrize(
    ("attempts", "retry_after", "expected"),
    [
        (0, 120.0, 120.0),  # longer than the 5 s backoff: it wins
        (4, 10.0, 80.0),  # shorter than the 80 s backoff: it loses
        (0, 0.0, 5.0),
        (0, 86_400_000.0, HOUR),  # huge: held to the cap
        (20, 50.0, HOUR),
    ],
)
def test_a_retry_after_wins_only_when_longer_and_is_capped(
    attempts: int, retry_after: float, expected: float
) -> None:
    assert backoff(attempts, base=5.0, cap=HOUR, retry_after=retry_after) == expected


def test_jitter_scales_the_delay_by_a_seeded_draw_within_its_bounds() -> None:
    delays = [
        backoff(2, base=5.0, cap=HOUR, rng=random.Random(seed), jitter=(0.8, 1.2))
        for seed in range(200)
    ]
    assert delays == [20.0 * random.Random(seed).uniform(0.8, 1.2) for seed in range(200)]
    assert 16.0 <= min(delays) < 16.5 and 23.5 < max(delays) <= 24.0


def test_jitter_applies_after_the_cap_and_never_to_a_retry_after() -> None:
    capped = [
        backoff(30, base=5.0, cap=HOUR, rng=random.Random(seed), jitter=(0.8, 1.2))
        for seed in range(50)
    ]
    assert all(0.8 * HOUR <= d <= 1.2 * HOUR for d in capped) and len(set(capped)) == 50
    told = backoff(
        0, base=5.0, cap=HOUR, retry_after=600.0, rng=random.Random(1), jitter=(0.8, 1.2)
    )
    assert told == 600.0


def test_without_an_rng_there_is_no_jitter() -> None:
    assert backoff(3, base=5.0, cap=HOUR, jitter=(0.5, 1.0)) == 40.0


def http_date(at: float) -> str:
    return format_datetime(datetime.fromtimestamp(at, UTC), usegmt=True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        ("0", 0.0),
        (" 45 ", 45.0),
        ("1.5", 1.5),  # fractions, as some chat APIs send them
        ("86400000", MAX_RETRY_AFTER),
        ("9" * 5000, MAX_RETRY_AFTER),
        (http_date(NOW + 300), 300.0),
        (http_date(NOW + 30 * 86400), MAX_RETRY_AFTER),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0.0),  # in the past: go ahead now
        ("soon", None),
        ("-5", None),
        ("+5", None),
        ("1e3", None),
        ("inf", None),
        ("nan", None),
        ("\u0661\u0662", None),  # digits, but not ASCII ones
        ("Thu, 32 Jan 2026 00:00:00 GMT", None),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_retry_after_reads_seconds_and_http_dates_else_none(
    value: str | None, expected: float | None
) -> None:
    assert parse_retry_after(value, now=NOW) == expected


def test_retry_after_is_held_to_the_callers_cap() -> None:
    assert parse_retry_after("120", now=NOW, cap=60.0) == 60.0
    assert MAX_RETRY_AFTER == 6 * HOUR


@pytest.fixture
def local_time_five_hours_behind_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "EST+5")  # POSIX form: needs no tz database
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("local_time_five_hours_behind_utc")
def test_an_http_date_without_a_zone_is_utc_whatever_the_local_zone() -> None:
    """RFC 9110 section 5.6.7: an HTTP-date is UTC; "-0000" must not be read as local time."""
    stamp = format_datetime(datetime.fromtimestamp(NOW + 300, UTC)).replace("+0000", "-0000")
    assert stamp.endswith("-0000")
    assert parse_retry_after(stamp, now=NOW) == 300.0
