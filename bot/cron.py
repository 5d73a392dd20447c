"""Digest schedules: a five-field crontab string or a cron alias, read in the configured zone.

APScheduler's CronTrigger.from_crontab takes only five fields, so the aliases people write in
a crontab (`@daily`, `@hourly`, `@weekly`, ...) are mapped here to the strings cron(8) means.
And APScheduler 3 reads a day-of-week NUMBER as 0 = Monday, where cron(8) has 0 (and 7) =
Sunday: "0 9 * * 1-5" would fire Tuesday to Saturday. So the day-of-week field is rewritten
as the day names it means, which APScheduler reads as cron does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from apscheduler.triggers.cron import CronTrigger

ALIASES: dict[str, str] = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}


DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # cron(8): 0 and 7 are Sunday


def crontab(value: str) -> str:
    """The five-field string a schedule means, for APScheduler: an alias expanded, and the
    day of week as the names cron(8) means by its numbers."""
    text = value.strip()
    if text.startswith("@"):
        try:
            text = ALIASES[text.lower()]
        except KeyError:
            known = ", ".join(ALIASES)
            raise ValueError(f"unknown alias {text!r} (known: {known})") from None
    fields = text.split()
    if len(fields) != 5:
        return value  # APScheduler says what is wrong with it
    return " ".join([*fields[:4], day_of_week(fields[4])])


def day_of_week(field: str) -> str:
    """A crontab day-of-week field (numbers 0-7, names, ranges, lists, steps) as the list of
    day names it selects; `*` stays `*`."""
    if field == "*":
        return field
    days: set[int] = set()
    for part in field.split(","):
        body, slash, step_text = part.partition("/")
        step = int(step_text) if slash and step_text.isdigit() else 1
        if slash and not step_text.isdigit():
            raise ValueError(f"bad day-of-week step {part!r}")
        if body == "*":
            first, last = 0, 6
        elif "-" in body:
            start, _, end = body.partition("-")
            first, last = _day(start), _day(end)
        else:
            first = _day(body)
            last = 6 if slash else first  # "1/2": from Monday on, every other day
        if first > last:
            raise ValueError(f"bad day-of-week range {part!r}")
        days.update(day % 7 for day in range(first, last + 1, step))
    return ",".join(DAY_NAMES[day] for day in sorted(days))


def _day(token: str) -> int:
    """A day number (0-7, Sunday 0 and 7) or a day's name, short or full."""
    name = token.strip().lower()
    if name.isdigit() and int(name) <= 7:
        return int(name)
    for number, short in enumerate(DAY_NAMES):
        if name in (short, FULL_NAMES[number]):
            return number
    raise ValueError(f"bad day of week {token!r}")


FULL_NAMES = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")


def trigger(value: str, zone: ZoneInfo) -> CronTrigger:
    """The APScheduler trigger for a schedule, its fields read as wall-clock time in `zone`.

    Raises ValueError for a string that is neither five cron fields nor a known alias."""
    from apscheduler.triggers.cron import CronTrigger

    return CronTrigger.from_crontab(crontab(value), timezone=zone)


def fire_since(schedule: CronTrigger, last: float, now: float) -> float | None:
    """The schedule's first time after a digest that ended at `last`, if it is not after
    `now`: a digest is owed. A second after `last`, so the fire that digest was for (the
    trigger counts a time equal to its start) is not owed again."""
    start = datetime.fromtimestamp(last + 1.0, UTC)
    fire = schedule.get_next_fire_time(None, start)
    if fire is None or fire.timestamp() > now:
        return None
    return float(fire.timestamp())
