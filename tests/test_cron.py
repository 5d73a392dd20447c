"""SPEC "Configuration": a digest schedule is cron or a cron alias, in the configured zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.cron import crontab, fire_since, trigger

PARIS = ZoneInfo("Europe/Paris")
Z = ZoneInfo("UTC")


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("@hourly", "0 * * * *"),
        ("@daily", "0 0 * * *"),
        ("@midnight", "0 0 * * *"),
        ("@weekly", "0 0 * * sun"),
        ("0 9 * * 1-5", "0 9 * * mon,tue,wed,thu,fri"),  # cron's numbers, as names
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


@pytest.mark.parametrize(
    ("field", "names"),
    [
        ("*", "*"),
        ("0", "sun"),
        ("7", "sun"),
        ("1", "mon"),
        ("1-5", "mon,tue,wed,thu,fri"),
        ("5,6", "fri,sat"),
        ("*/2", "sun,tue,thu,sat"),
        ("1/2", "mon,wed,fri"),
        ("1-7/3", "sun,mon,thu"),
        ("mon-fri", "mon,tue,wed,thu,fri"),
        ("Sunday", "sun"),
        ("6,0", "sun,sat"),
    ],
)
def test_a_day_of_week_number_means_what_it_means_in_cron(field: str, names: str) -> None:
    """APScheduler 3 reads day numbers from Monday = 0; cron(8) from Sunday = 0 (and 7)."""
    from bot.cron import day_of_week

    assert day_of_week(field) == names


@pytest.mark.parametrize("field", ["8", "fri-mon", "x", "1/x", "mon-"])
def test_a_bad_day_of_week_is_refused(field: str) -> None:
    from bot.cron import day_of_week

    with pytest.raises(ValueError, match="day"):
        day_of_week(field)


def test_a_weekday_digest_fires_monday_to_friday() -> None:
    """The README's "0 9 * * 1-5" fired Tuesday to Saturday through from_crontab alone."""
    schedule = trigger("0 9 * * 1-5", Z)
    fired: list[str] = []
    moment = datetime(2027, 1, 17, 12, 0, tzinfo=UTC)  # a Sunday
    for _ in range(7):
        due = schedule.get_next_fire_time(None, moment)
        assert due is not None
        fired.append(due.strftime("%a"))
        moment = due.replace(minute=1)
    assert fired == ["Mon", "Tue", "Wed", "Thu", "Fri", "Mon", "Tue"]


NINE = datetime(2026, 12, 4, 9, 0, tzinfo=UTC).timestamp()  # "0 9 * * *" fires here
DAY = 86400.0


@pytest.mark.parametrize(
    ("last", "now", "owed"),
    [
        (NINE - DAY + 2, NINE + 30, NINE),  # yesterday's digest, today's time passed
        (NINE - DAY + 2, NINE - 1, None),  # not yet nine
        (NINE + 2, NINE + 30, None),  # today's went out
        (NINE, NINE + 30, None),  # today's went out at the very second it fired
        (NINE - 3 * DAY, NINE + 30, NINE - 2 * DAY),  # several missed: the first is owed
        (NINE - DAY + 2, NINE, NINE),  # the fire's own second counts
    ],
)
def test_a_digest_is_owed_when_the_schedule_fired_since_the_last(
    last: float, now: float, owed: float | None
) -> None:
    assert fire_since(trigger("0 9 * * *", Z), last, now) == owed
