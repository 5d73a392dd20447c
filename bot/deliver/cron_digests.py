"""Cron digests, each posted once per time its schedule fires (SPEC Digests).

The scheduler posts a digest when its schedule fires; one whose time passed with none
posted (the leader died just then, or newswatch was down) is caught up at the next poll,
within DIGEST_GRACE. One digest at a time per channel, so the two never both go out.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.cron import fire_since
from bot.store.channels import last_digest
from bot.store.db import Store
from bot.store.watches import channel_id

if TYPE_CHECKING:
    from apscheduler.triggers.cron import CronTrigger

log = logging.getLogger("newswatch")

# At most this late (as the scheduler's misfire_grace_time in bot.app): a longer gap is
# covered by the next digest, which reaches back to the last one.
DIGEST_GRACE = 3600.0


class CronDigests:
    """The channels' digest schedules, and whether each is owed a digest now."""

    def __init__(
        self,
        db: Store,
        clock: Callable[[], float],
        post: Callable[[str], Awaitable[None]],
        leads_now: Callable[[], bool],
    ) -> None:
        self.db, self.clock, self._post, self._leads_now = db, clock, post, leads_now
        self.schedules: dict[str, CronTrigger] = {}
        self._posting: dict[str, asyncio.Lock] = {}

    async def post(self, target: str, catch_up: bool = False) -> None:
        """The scheduler's digest, or with `catch_up` one whose time passed with none
        posted (never a channel's first); only by the newswatch that leads, asked now."""
        lock = self._posting.setdefault(target, asyncio.Lock())
        try:
            async with lock:
                if not self._leads_now() or not self._owed(target, catch_up):
                    return
                await self._post(target)
                if catch_up:
                    log.warning("missed digest posted", extra={"channel": target})
        except Exception as exc:
            log.error("digest failed", extra={"channel": target, "reason": str(exc)})

    async def catch_up(self) -> None:
        """Every channel's missed digest, if one is owed (at each poll of the leader)."""
        for target in self.schedules:
            await self.post(target, catch_up=True)

    def _owed(self, target: str, catch_up: bool) -> bool:
        """Whether the schedule fired since the channel's last digest; the scheduler's own
        call allows it a second early, as its clock and ours may differ by that much."""
        schedule = self.schedules.get(target)
        last = last_digest(self.db, channel_id(self.db, target))
        if schedule is None or last is None:
            return not catch_up
        now = self.clock()
        fire = fire_since(schedule, last, now if catch_up else now + 1.0)
        return fire is not None and (not catch_up or now - fire <= DIGEST_GRACE)
