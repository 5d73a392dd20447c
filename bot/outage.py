"""HARDENING F9: the database cannot be written. The service says so once, here and in
every channel, pauses polling and alerts, and says so again when it can write.

With several workers on one PostgreSQL database only the leader tells the channels, so a
channel hears of one outage once, not once per worker.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from bot.deliver.adapter import Adapter
from bot.deliver.model import Notice
from bot.store.db import StorageUnavailable, transaction
from bot.store.outbox import add_notice, recover_interrupted
from bot.store.watches import channel_id

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger("newswatch")
DOWN = (
    "newswatch cannot write its database ({reason}), so polling and alerts are paused. "
    "Nothing is lost: they resume by themselves once it can write again."
)
UP = "newswatch can write its database again: polling and alerts have resumed."


async def storage_failed(app: App, exc: StorageUnavailable) -> None:
    """Say once per outage that the database cannot be written; the poll tick keeps trying
    and nothing is half-processed."""
    if app.storage_down is not None:
        return
    app.storage_down = exc.reason
    log.error(
        "the database cannot be written: polling and alerts pause until it can",
        extra={"reason": exc.reason},
    )
    if not app.leads():
        return
    text = DOWN.format(reason=exc.reason)

    async def tell(adapter: Adapter, target: str) -> None:
        try:  # straight to the adapter: the outbox is stuck
            await app.send_now(adapter, target, Notice(channel=target, text=text))
        except Exception as send_exc:
            log.warning(
                "could not tell a channel that the database cannot be written",
                extra={"channel": target, "reason": type(send_exc).__name__},
            )

    await asyncio.gather(  # at once: a channel that hangs delays none of the others
        *(
            tell(app.adapters[channel.platform], channel.target)
            for channel in app.config.channels
            if channel.platform in app.adapters
        )
    )


def storage_recovered(app: App) -> None:
    """The first cycle that could write after an outage: retry what was cut off, say so.
    Workers leave rows cut off mid-send to the next holder of their channel's lock."""
    if app.storage_down is None:
        return
    now = app.clock()
    interrupted = 0
    with transaction(app.db):
        if app.crew is None:
            interrupted = recover_interrupted(app.db)
        if app.leads():
            for channel in app.config.channels:
                add_notice(app.db, channel_id(app.db, channel.target), UP, now)
    log.warning("the database can be written again", extra={"count": interrupted})
    app.storage_down = None
