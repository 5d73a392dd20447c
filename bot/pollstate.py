"""What one poll knows and hands from step to step: its tools, its state, what each new item
and each source's arrival share (bot.pipeline runs the steps)."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from bot.config import Config
from bot.ingest.fetch import Fetcher
from bot.ingest.parsepool import ParsePool
from bot.store.db import Store
from bot.store.errors import StorageUnavailable
from bot.store.interface import StoreModules
from bot.store.sources import Source
from bot.stories.engine import StoryEngine
from bot.stories.feedwords import FeedWords
from bot.stories.words import CopyWords
from bot.watch_index import WatchIndex

MAX_PARALLEL_FETCHES = 16


@dataclass
class PollReport:
    """What a poll did, for the CLI and the logs."""

    polled: int = 0
    not_modified: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    new_items: int = 0
    alerts: int = 0


@dataclass(frozen=True)
class PollTools:
    """What every poll uses and outlives it; the clock and randomness are passed in for tests,
    and the parse workers (bot.ingest.parsepool) are made when a body first needs them."""

    db: Store
    config: Config
    fetcher: Fetcher
    clock: Callable[[], float]
    rng: random.Random
    parse_pool: Callable[[], ParsePool]
    store: StoreModules[Store]  # every store operation the poll calls (bot.store.interface)


@dataclass
class PollRun:
    """One poll's state: made at its start, dropped at its end."""

    tools: PollTools
    poll_id: str
    now: float  # when the poll began; each source's outcome is stamped when it is stored
    watches: WatchIndex
    stories: StoryEngine
    report: PollReport = field(default_factory=PollReport)
    halted: StorageUnavailable | None = None  # the first write that failed stops the poll
    unchanged: list[tuple[Source, float, float]] = field(default_factory=list)  # 304s, unrecorded
    fetch_slots: asyncio.Semaphore = field(
        default_factory=lambda: asyncio.Semaphore(MAX_PARALLEL_FETCHES)
    )
    # Parses finish in bursts; stored back to back in one turn of the event loop they
    # would hold slash commands for the whole burst (bench/responsive.py).
    store_turn: asyncio.Lock = field(default_factory=asyncio.Lock)

    @classmethod
    def start(cls, tools: PollTools, now: float) -> PollRun:
        watches = WatchIndex(tools.db, tools.store.watches)
        return cls(
            tools, uuid.uuid4().hex, now, watches, StoryEngine(tools.db, tools.store.stories)
        )


class Filed(NamedTuple):
    """A new item as stored: its row, its story, and whether that story was made for it."""

    item_id: int
    story_id: int
    published: float
    fresh: bool  # a story made now has no deliveries to merge into


@dataclass(frozen=True)
class Arrival:
    """What every new item of one source's refresh shares."""

    source: Source
    now: float
    outlet: str  # an item that names no outlet of its own is the feed's
    oldest_alertable: float  # an older item is stored and merged, but alerts nobody
    feed_words: FeedWords  # what the feed repeats under every item (bot.stories.feedwords)
    words: Mapping[str, CopyWords]  # each item's words by identity, tokenized once a poll
