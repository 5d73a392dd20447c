"""The per-host limit (SPEC Polling: at most 4 requests at once per host) across several
workers: each worker's Fetcher keeps its own semaphore, and on a database workers share it
also takes one of the host's slots there (bot.store.pg.coord), so all of them together
send at most `per_host` requests to one host at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol

WAIT = 0.2  # seconds between tries for a slot another worker holds


class SharedSlots(Protocol):
    """Slots of a host held across processes: `take` one of `slots` or None; `give` back."""

    def take(self, host: str, slots: int) -> object | None: ...
    def give(self, token: object) -> None: ...


class Pausable(Protocol):
    """A fetch's deadline: waiting for a slot is not fetch time."""

    def pause(self) -> None: ...
    def resume(self) -> None: ...


@asynccontextmanager
async def shared_slot(
    shared: SharedSlots | None, host: str, slots: int, deadline: Pausable
) -> AsyncIterator[None]:
    """Hold one of the host's `slots` among all workers while the request runs."""
    if shared is None:
        yield
        return
    token = shared.take(host, slots)
    if token is None:
        deadline.pause()
        try:
            while (token := shared.take(host, slots)) is None:
                await asyncio.sleep(WAIT)
        finally:
            deadline.resume()
    try:
        yield
    finally:
        shared.give(token)
