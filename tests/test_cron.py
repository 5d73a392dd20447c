"""SPEC "Configuration": a digest schedule is cron or a cron alias, in the configured zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.cron import crontab, trigger

PARIS = ZoneInfo("Europe/Paris")
Z = ZoneInfo("UTC")


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("@hourly", "0 * * * *"),
        ("@daily", "0 0 * * *"),
        ("@midnight", "0 0 * * *"),
        ("@weekly", "0 0 * * sun"),
        ("@monthly", "0 0 1 * *"),
        ("@yearly", "0 0 1 1 *"),
        ("@annually", "0 0 1 1 *"),
        (" @Daily ", "0 0 * * *"),
        ("0 9 * * *", "0 9 * * *"),
    ],
)
def test_cron_aliases_map_to_crontab_strings(written: str, meant: str) -> None:
    assert crontab(written) == meant


@pytest.mark.parametrize("written", ["@often", "@", "@reboot"])
def test_an_unknown_alias_is_refused_by_name(written: str) -> None:
    with pytest.raises(ValueError, match="unknown alias"):
        crontab(written)


@pytest.mark.parametrize(
    ("written", "zone", "after", "fires"),
    [
        # 09:00 in Paris is 08:00 UTC in winter, 07:00 UTC in summer.
        ("0 9 * * *", PARIS, datetime(2027, 1, 15, 9, 30, tzinfo=UTC), "2027-01-16 08:00"),
        ("0 9 * * *", PARIS, datetime(2027, 7, 1, 6, 0, tzinfo=UTC), "2027-07-01 07:00"),
        ("0 9 * * *", Z, datetime(2027, 1, 15, 9, 30, tzinfo=UTC), "2027-01-16 09:00"),
        ("@daily", PARIS, datetime(2027, 1, 15, 9, 30, tzinfo=UTC), "2027-01-15 23:00"),
        ("@weekly", Z, datetime(2027, 1, 15, 9, 30, tzinfo=UTC), "2027-01-17 00:00"),
    ],
)
def test_a_schedule_fires_at_wall_clock_time_in_the_configured_zone(
    written: str, zone: ZoneInfo, after: datetime, fires: str
) -> None:
    due = trigger(written, zone).get_next_fire_time(None, after)
    assert due is not None
    assert due.astimezone(UTC).strftime("%Y-%m-%d %H:%M") == fires
