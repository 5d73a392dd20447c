"""What sending outbox rows leaves behind: the drain's report, each row's coverage and
reference for the store, and awaiting every send to its end."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from bot.deliver.adapter import Sent
from bot.deliver.model import Alert, Message, Update
from bot.store.errors import StorageUnavailable
from bot.store.outbox import Delivery
from bot.store.updates import Confirmed

SendOutcome = Literal["sent", "message failed", "channel failed"]
T = TypeVar("T")


@dataclass
class DrainReport:
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    stopped: list[str] = field(default_factory=list)


def covered(
    ready: list[tuple[Delivery, Message]], sents: list[Sent | None] | None = None
) -> list[Confirmed]:
    """What each alert and update covered, and (once confirmed, `sents`) the platform's
    reference; before the send, only an update's coverage (kept if it is cut off)."""
    found: list[Confirmed] = []
    for i, (delivery, message) in enumerate(ready):
        if not isinstance(message, Alert | Update):
            continue
        if sents is None:
            if isinstance(message, Update):
                found.append(Confirmed(delivery.id, None, message.through))
            continue
        sent = sents[i] if i < len(sents) else None
        ref = sent.ref if sent is not None and isinstance(message, Alert) else None
        found.append(Confirmed(delivery.id, ref, message.through))
    return found


async def gather_all(awaitables: list[Awaitable[T]]) -> list[T]:
    """Await every one to its end, then raise the first failure (a storage failure first),
    so no send is left running behind its caller's back."""
    results = await asyncio.gather(*awaitables, return_exceptions=True)
    errors = [result for result in results if isinstance(result, BaseException)]
    if errors:
        raise next((e for e in errors if isinstance(e, StorageUnavailable)), errors[0])
    return [result for result in results if not isinstance(result, BaseException)]
