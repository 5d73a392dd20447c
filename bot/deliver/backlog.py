"""After an outage, a chat channel gets one digest of what piled up, not a flood
(HARDENING F17). With several workers, a channel's backlog is folded only under its lock
(bot.deliver.claims), so no worker is sending those alerts while they become a digest."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.deliver.adapter import Adapter
from bot.deliver.claims import ChannelClaims
from bot.store.db import Store
from bot.store.interface import StoreModules
from bot.target import Target

log = logging.getLogger("newswatch.deliver")
BACKLOG_AGE = 900.0  # only alerts that waited this long count as an outage's backlog


def collapse_backlogs(
    db: Store,
    adapter: Adapter,
    *,
    platform: str,
    store: StoreModules[Store],
    claims: ChannelClaims,
    clock: Callable[[], float],
) -> None:
    """Fold each backlogged channel of the adapter's platform into one digest row."""
    if adapter.backlog_limit is None:
        return
    now = clock()
    for channel_id in store.outbox.backlogged_channels(db, adapter.backlog_limit):
        target = store.channels.channel_target(db, channel_id)
        if Target.parse(target).platform != platform:
            continue
        held, _ = claims.claim_channels([channel_id])
        if not held:  # another worker is sending there: it folds the backlog itself
            continue
        try:
            with store.transaction(db):
                digest_id = store.outbox.collapse_backlog(
                    db, channel_id, adapter.backlog_limit, now - BACKLOG_AGE, now
                )
        finally:
            claims.release_channels(held)
        if digest_id is not None:
            log.warning(
                "backlog collapsed into one digest", extra={"channel": target, "story": digest_id}
            )
