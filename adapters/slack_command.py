"""A slash command as the listener reads it, and the cache that runs each one only once.

Slack resends a command it thinks went unacknowledged; the cache below is what keeps a
retry (or a replayed request) from adding a watch twice.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

RECENT_SIZE = 1024
RECENT_TTL = 600.0  # Slack retries within minutes; bolt refuses anything older than 5 min


@dataclass(frozen=True)
class PendingCommand:
    """A slash command that was acknowledged and is to run once."""

    name: str
    text: str
    channel: str
    user: str
    team: str
    response_url: str
    retry: bool


class RecentCommands:
    """A bounded, expiring set of keys of commands already run: a retry is run only once.

    A command is known by its trigger_id (unique per invocation and resent unchanged on a
    retry) and by a hash of (team, channel, user, command, text). A request with the same
    trigger_id is a replay and never runs twice; a request that says it is a retry
    (X-Slack-Retry-Num, or Socket Mode's retry_attempt) is also dropped when a command with
    the same content ran in the last 10 minutes, whatever its trigger_id.
    """

    def __init__(
        self,
        size: int = RECENT_SIZE,
        ttl: float = RECENT_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.size = size
        self.ttl = ttl
        self.clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def first_time(self, trigger_id: str, content: str, retry: bool) -> bool:
        """Record a command; False when it already ran and must only be acked."""
        now = self.clock()
        while self._seen and next(iter(self._seen.values())) < now - self.ttl:
            self._seen.popitem(last=False)
        keys = [f"c:{content}"] + ([f"t:{trigger_id}"] if trigger_id else [])
        if (trigger_id and f"t:{trigger_id}" in self._seen) or (
            retry and f"c:{content}" in self._seen
        ):
            return False
        for key in keys:
            self._seen.pop(key, None)
            self._seen[key] = now
        while len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return True


def unescape(text: str) -> str:
    """Slack sends &, < and > in a command's text as entities; the core wants the text."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def first_header(headers: Mapping[str, Sequence[str]], name: str) -> str:
    """bolt keeps each header as a list of values; the first, or "" when there is none."""
    values = headers.get(name) or [""]
    return str(values[0])


def read_command(body: Mapping[str, Any], retry: bool) -> PendingCommand:
    """The fields newswatch uses from a slash command's payload, text unescaped."""
    return PendingCommand(
        name=str(body.get("command", "")).lstrip("/"),
        text=unescape(str(body.get("text", ""))),
        channel=str(body.get("channel_id", "")),
        user=str(body.get("user_id", "")),
        team=str(body.get("team_id", "")),
        response_url=str(body.get("response_url", "")),
        retry=retry,
    )


def content_key(command: PendingCommand) -> str:
    """What a retry with a new trigger_id still shares with the first: who, where, what."""
    fields = [command.team, command.channel, command.user, command.name, command.text]
    return hashlib.sha256("\x1f".join(fields).encode("utf-8", "replace")).hexdigest()
