"""Digest schedules: a five-field crontab string or a cron alias, read in the configured zone.

APScheduler's CronTrigger.from_crontab takes only five fields, so the aliases people write in
a crontab (`@daily`, `@hourly`, `@weekly`, ...) are mapped here to the strings cron(8) means.
@weekly names its day: APScheduler 3 reads a day-of-week number as 0 = Monday, not Sunday.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from apscheduler.triggers.cron import CronTrigger

ALIASES: dict[str, str] = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * sun",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}


def crontab(value: str) -> str:
    """The five-field string a schedule means: an alias expanded, anything else as written."""
    text = value.strip()
    if text.startswith("@"):
        try:
            return ALIASES[text.lower()]
        except KeyError:
            known = ", ".join(ALIASES)
            raise ValueError(f"unknown alias {text!r} (known: {known})") from None
    return value


def trigger(value: str, zone: ZoneInfo) -> CronTrigger:
    """The APScheduler trigger for a schedule, its fields read as wall-clock time in `zone`.

    Raises ValueError for a string that is neither five cron fields nor a known alias."""
    from apscheduler.triggers.cron import CronTrigger

    return CronTrigger.from_crontab(crontab(value), timezone=zone)
