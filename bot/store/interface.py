"""The seam a second store (PostgreSQL) implements: the operations delivery, digests, chat
commands and status need, by name, over a connection type of its own (`DB`).

The SQLite modules satisfy these Protocols as they are (`sqlite_store` is checked by mypy):
a PostgreSQL store is a package of modules with the same functions over its own handle,
returning the same dataclasses. The poll path's operations (claim due sources, insert new
items, find candidate stories) are bot.store.sources, items and stories.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar, runtime_checkable

from bot.config import Config
from bot.store.channels import ChannelStatus
from bot.store.copies import Copy, DigestRow, RecentItem
from bot.store.db import Store
from bot.store.outbox import Delivery, Depth
from bot.store.status import SourceStatus
from bot.store.watches import Watch

DB = TypeVar("DB", contravariant=True)


@runtime_checkable
class Outbox(Protocol[DB]):
    """Queue alerts and notices; claim due deliveries; mark them (bot.store.outbox)."""

    def add_alert(
        self,
        db: DB,
        *,
        channel_id: int,
        story_id: int,
        item_id: int,
        watches: list[str],
        poll_id: str,
        now: float,
        new_story: bool = False,
    ) -> None: ...
    def add_notice(self, db: DB, channel_id: int, text: str, now: float) -> None: ...
    def due(
        self,
        db: DB,
        now: float,
        *,
        limit: int = 500,
        skip: Iterable[int] = (),
        platforms: Collection[str] | None = None,
        by_channel: bool = False,
    ) -> list[Delivery]: ...
    def mark_sending_many(self, db: DB, deliveries: Iterable[Delivery]) -> None: ...
    def mark_sent_many(self, db: DB, deliveries: Iterable[Delivery], now: float) -> None: ...
    def mark_dead(self, db: DB, delivery: Delivery, reason: str) -> None: ...
    def retry_later(
        self,
        db: DB,
        delivery: Delivery,
        *,
        now: float,
        reason: str,
        retry_after: float | None,
        rng: random.Random,
        ambiguous: bool = False,
    ) -> float: ...
    def release(self, db: DB, delivery: Delivery) -> None: ...
    def recover_interrupted(self, db: DB) -> int: ...
    def backlogged_channels(self, db: DB, limit: int) -> list[int]: ...
    def collapse_backlog(
        self, db: DB, channel_id: int, limit: int, waited_since: float, now: float
    ) -> int | None: ...
    def depth(self, db: DB) -> Depth: ...
    def created_at(self, db: DB, delivery: Delivery) -> float: ...


@runtime_checkable
class Channels(Protocol[DB]):
    """Destinations: their ids, whether they are stopped, their last digest."""

    def channel_id(self, db: DB, target: str) -> int: ...
    def channel_target(self, db: DB, cid: int) -> str: ...
    def channel_status(self, db: DB, target: str) -> ChannelStatus | None: ...
    def channel_statuses(self, db: DB) -> list[ChannelStatus]: ...
    def stop_channel(self, db: DB, cid: int, reason: str) -> None: ...
    def reopen_stopped(self, db: DB) -> list[str]: ...
    def last_digest(self, db: DB, cid: int) -> float | None: ...
    def set_last_digest(self, db: DB, cid: int, until: float) -> None: ...


@runtime_checkable
class Watches(Protocol[DB]):
    """Watches from files and from chat: add, remove, list, pause and resume."""

    def sync_file_watches(self, db: DB, config: Config, now: float) -> None: ...
    def add_watch(
        self,
        db: DB,
        cid: int,
        query: str,
        now: float,
        *,
        added_by: str | None = None,
        scope: str = "",
    ) -> tuple[Watch, bool]: ...
    def remove_watch(self, db: DB, watch: Watch) -> None: ...
    def find_watch(self, db: DB, cid: int, query_or_id: str) -> Watch | None: ...
    def list_watches(self, db: DB, cid: int) -> list[Watch]: ...
    def watch_queries(self, db: DB, cid: int) -> list[str]: ...
    def active_watches(self, db: DB) -> list[Watch]: ...
    def set_paused(self, db: DB, cid: int, paused: bool) -> int: ...


@runtime_checkable
class Copies(Protocol[DB]):
    """Digest reads and what an alert shows: stored copies as messages show them."""

    def alert_copy(self, db: DB, story_id: int | None, item_id: int | None) -> Copy | None: ...
    def alerted_in_window(
        self, db: DB, channel_id: int, since: float, until: float
    ) -> list[DigestRow]: ...
    def alerted_in(self, db: DB, delivery_ids: Sequence[int]) -> list[DigestRow]: ...
    def recent_items(self, db: DB, limit: int) -> Iterator[RecentItem]: ...


@runtime_checkable
class Status(Protocol[DB]):
    """Status reads (`newswatch sources`, doctor); the outbox depth is Outbox.depth."""

    def source_statuses(self, db: DB) -> list[SourceStatus]: ...


@dataclass(frozen=True)
class StoreModules(Generic[DB]):
    """One implementation of every seam above."""

    outbox: Outbox[DB]
    channels: Channels[DB]
    watches: Watches[DB]
    copies: Copies[DB]
    status: Status[DB]


def sqlite_store() -> StoreModules[Store]:
    """The SQLite implementation: each module, checked by mypy against its Protocol."""
    from bot.store import channels, copies, outbox, status, watches

    return StoreModules(
        outbox=outbox, channels=channels, watches=watches, copies=copies, status=status
    )
