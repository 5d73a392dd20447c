"""Which channels a drain may send to: all of them for one newswatch on its own database;
on a database several workers share, only those whose lock this worker took
(bot.store.pg.coord), so each channel has one sender at a time and keeps its order."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Protocol

from bot.store.outbox import Delivery

log = logging.getLogger("newswatch.deliver")


class ChannelClaims(Protocol):
    """Take channels for a drain and give them back; `shared` when others may hold them."""

    shared: bool

    def claim_channels(self, channel_ids: Iterable[int]) -> tuple[set[int], int]: ...
    def stranded(self) -> set[int]: ...
    def release_channels(self, channel_ids: Iterable[int]) -> None: ...


class Alone:
    """One newswatch per database: every channel is its own."""

    shared = False

    def claim_channels(self, channel_ids: Iterable[int]) -> tuple[set[int], int]:
        return set(channel_ids), 0

    def stranded(self) -> set[int]:
        return set()  # a restart put its own back (bot.store.outbox.recover_interrupted)

    def release_channels(self, channel_ids: Iterable[int]) -> None:
        return None


class Hold:
    """The channels one drain holds: claimed as their rows first come due, all given back
    when the drain ends. A channel another worker holds is skipped for this drain."""

    def __init__(self, claims: ChannelClaims, skipped: set[int]) -> None:
        self.claims = claims
        self.held: set[int] = set()
        self.skipped = skipped  # the drain's channels to skip: those refused are added

    def batch(self, read: Callable[[], list[Delivery]]) -> list[Delivery]:
        """`read()` due rows; rows of a channel just claimed are read again after the
        claim, as another worker may have sent them in between."""
        rows = read()
        new = ({row.channel_id for row in rows} | self.claims.stranded()) - self.held - self.skipped
        if not new:
            return [row for row in rows if row.channel_id in self.held]
        got, recovered = self.claims.claim_channels(new)
        self.held |= got
        self.skipped |= new - got
        if recovered:
            log.warning(
                "deliveries another worker cut off mid-send will be sent again "
                "(the platform may have them)",
                extra={"count": recovered},
            )
        if self.claims.shared:
            rows = read()
        return [row for row in rows if row.channel_id in self.held]

    def release(self) -> None:
        self.claims.release_channels(self.held)
        self.held.clear()
