"""The seam a second store (PostgreSQL) implements: the operations the poll, delivery,
digests, chat commands and status need, by name, over a connection type of its own (`DB`).

The SQLite modules satisfy these Protocols as they are (`sqlite_store` is checked by mypy).
PostgreSQL needs no second set: the modules' SQL reads the same on both, and
bot.store.pg.handle.PgStore is a Store over PostgreSQL whose own `transaction` the shared
one dispatches to, so `sqlite_store()` serves both handles; a worker of several on
PostgreSQL swaps in bot.store.pg.leases.LeasedSources (due sources claimed by lease). A
store whose SQL could not be shared would still be a second StoreModules value. The poll path
(bot.pipeline, bot.poller, bot.deliver.drain) takes every operation from a StoreModules
value, so a second store is a second value, not a change there. StorageUnavailable
(bot.store.errors) is the one error every store raises for a write the storage refused.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar, runtime_checkable

from bot.config import Config
from bot.ingest.parse import FeedItem
from bot.store.channels import ChannelStatus
from bot.store.copies import Copy, DigestRow, RecentItem
from bot.store.db import Store
from bot.store.items import StoredItem
from bot.store.outbox import Delivery, Depth
from bot.store.sources import Source
from bot.store.status import SourceStatus
from bot.store.stories import Centroid, TermRow
from bot.store.storyview import StoryCopies, StoryCopy
from bot.store.updates import AlertRef, Confirmed
from bot.store.watches import Watch, WatchLabel

DB = TypeVar("DB", contravariant=True)


@runtime_checkable
class Sources(Protocol[DB]):
    """The configured and searched sources: sync them, claim the due ones, record outcomes."""

    def sync_sources(self, db: DB, config: Config, now: float) -> None: ...
    def due_sources(self, db: DB, now: float, all_sources: bool = False) -> list[Source]: ...
    def next_due(self, db: DB, now: float) -> float | None: ...
    def next_poll_time(self, now: float, interval: float, rng: random.Random) -> float: ...
    def record_not_modified(self, db: DB, source: Source, now: float, next_poll: float) -> None: ...
    def record_success(
        self,
        db: DB,
        *,
        source: Source,
        now: float,
        next_poll: float,
        etag: str | None,
        last_modified: str | None,
        title: str,
        new_items: int,
        moved_to: str | None = None,
    ) -> None: ...
    def record_failure(
        self,
        db: DB,
        *,
        source: Source,
        now: float,
        interval: float,
        reason: str,
        retry_after: float | None,
    ) -> bool: ...
    def dependent_channels(self, db: DB, source: Source) -> list[int]: ...
    def renew_leases(self, db: DB, now: float) -> bool: ...


@runtime_checkable
class Items(Protocol[DB]):
    """Feed items: which a source has already, insert a new one returning its id, update."""

    def known_fingerprints(
        self, db: DB, source_id: int, identities: Sequence[str]
    ) -> dict[str, str]: ...
    def insert_item(self, db: DB, item: FeedItem, row: StoredItem) -> int | None: ...
    def update_item(self, db: DB, source_id: int, item: FeedItem, *, title_key: str) -> None: ...


@runtime_checkable
class Stories(Protocol[DB]):
    """Story rows and their indexes: the URL index, centroids of weighted terms, the count of
    stories each term appears in (bot.store.stories; the rules are bot.stories.engine)."""

    def story_of_url(self, db: DB, canonical: str) -> int | None: ...
    def new_story(self, db: DB, published: float, now: float) -> int: ...
    def file_url(self, db: DB, canonical: str, story_id: int) -> None: ...
    def stories_with_terms(
        self, db: DB, terms: Sequence[str], *, since: float, per_term: int
    ) -> dict[int, dict[str, float]]: ...
    def newest_with_terms(
        self, db: DB, terms: Sequence[str], per_term: int
    ) -> dict[str, list[TermRow]]: ...
    def centroids(
        self, db: DB, story_ids: Collection[int], terms: Collection[str]
    ) -> dict[int, Centroid]: ...
    def stories_using(self, db: DB, terms: Collection[str]) -> tuple[int, dict[str, int]]: ...
    def add_to_centroid(
        self,
        db: DB,
        story_id: int,
        weights: Mapping[str, float],
        latin: Collection[str],
        published: float,
        *,
        held: Centroid | None = None,
    ) -> None: ...
    def story_titles(self, db: DB, story_id: int, limit: int) -> list[tuple[int, str]]: ...


@runtime_checkable
class Retention(Protocol[DB]):
    """Pruning old items, at most once a day, at the end of a poll."""

    def prune_due(self, db: DB, now: float) -> bool: ...
    def prune(self, db: DB, retention: float, now: float) -> int: ...


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
    def watch_labels(self, db: DB, cid: int) -> dict[str, WatchLabel]: ...
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
class Updates(Protocol[DB]):
    """Coverage updates (SPEC Alerts): queued per story and channel, and what each
    confirmed message covered and where the platform keeps it."""

    def new_outlet(self, db: DB, story_id: int, item_id: int, outlet: str) -> bool: ...
    def queue_updates(
        self, db: DB, *, story_id: int, item_id: int, now: float, mode: str
    ) -> int: ...
    def alert_of(self, db: DB, story_id: int, channel_id: int) -> AlertRef | None: ...
    def record_confirmed(self, db: DB, confirmed: Iterable[Confirmed]) -> None: ...


@runtime_checkable
class Status(Protocol[DB]):
    """Status reads (`newswatch sources`, doctor); the outbox depth is Outbox.depth."""

    def source_statuses(self, db: DB) -> list[SourceStatus]: ...


@runtime_checkable
class StoryView(Protocol[DB]):
    """Stories with every copy and its merge evidence (`newswatch stories`, `why`)."""

    def stories_since(
        self, db: DB, since: float, channel_id: int | None = None
    ) -> list[StoryCopies]: ...
    def story_copies(self, db: DB, story_id: int) -> StoryCopies | None: ...
    def best_copy_id(self, db: DB, story_id: int) -> int | None: ...
    def items_with_link(self, db: DB, link: str) -> list[StoryCopy]: ...
    def copy_titles(self, db: DB, item_ids: Sequence[int]) -> dict[int, str]: ...


@dataclass(frozen=True)
class StoreModules(Generic[DB]):
    """One implementation of every seam above, and its transaction: committed at the end,
    rolled back on any exception, joined when nested."""

    transaction: Callable[[DB], AbstractContextManager[None]]
    sources: Sources[DB]
    items: Items[DB]
    stories: Stories[DB]
    retention: Retention[DB]
    outbox: Outbox[DB]
    channels: Channels[DB]
    watches: Watches[DB]
    copies: Copies[DB]
    status: Status[DB]
    updates: Updates[DB]
    storyview: StoryView[DB]


def sqlite_store() -> StoreModules[Store]:
    """The SQLite implementation: each module, checked by mypy against its Protocol."""
    from bot.store import (
        channels,
        copies,
        items,
        outbox,
        retention,
        sources,
        status,
        stories,
        storyview,
        updates,
        watches,
    )
    from bot.store.db import transaction

    return StoreModules(
        transaction=transaction,
        sources=sources,
        items=items,
        stories=stories,
        retention=retention,
        outbox=outbox,
        channels=channels,
        watches=watches,
        copies=copies,
        status=status,
        updates=updates,
        storyview=storyview,
    )
