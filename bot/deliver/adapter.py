"""The one interface every chat adapter implements, and how the core finds adapters.

Adapters import bot, never the reverse: the core names them in a registry of strings
and imports one only when a channel needs it, so a Slack-only install never imports
discord.py.
"""

from __future__ import annotations

import importlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from bot.chat.commands import Command, Reply
from bot.deliver.model import Message
from bot.ops.logs import scrub
from bot.store.db import StorageUnavailable

if TYPE_CHECKING:
    from bot.config import Config

log = logging.getLogger("newswatch.adapter")
REGISTRY: dict[str, str] = {
    "console": "adapters.console:ConsoleAdapter",
    "jsonl": "adapters.jsonl:JsonlAdapter",
    "slack": "adapters.slack:SlackAdapter",
    "discord": "adapters.discord:DiscordAdapter",
}
# Subcommands an adapter adds to the CLI (`newswatch discord sync`), found the same way.
CLI_COMMANDS: dict[str, str] = {"discord": "adapters.discord:run_cli"}

Scope = Literal["transient", "message", "destination", "gone"]
CommandHandler = Callable[[Command], Reply]


class DeliveryError(Exception):
    """A send that did not go through, and what the outbox should do about it.

    transient: retry later (after retry_after if given); message: this message will never
    be accepted; destination: the channel refuses us for good (stop it, tell the operator);
    gone: the message an update edits was deleted (drop the update, and the ones after it).
    The reason is scrubbed here, as every stored and printed delivery reason comes from one:
    APIs and proxies echo tokens in their error text.
    """

    def __init__(
        self, reason: str, *, scope: Scope = "transient", retry_after: float | None = None
    ):
        self.reason = scrub(reason)
        super().__init__(self.reason)
        self.scope: Scope = scope
        self.retry_after = retry_after


@dataclass(frozen=True)
class Sent:
    """A confirmed send, and the platform's reference to the message when it has one (a
    Slack channel and ts, a Discord message id), which coverage updates edit."""

    ref: str | None = None


class Adapter(ABC):
    """Renders the core's messages for one platform and sends them."""

    platform: ClassVar[str]
    # More pending alerts than this for one channel, after an outage, go out as one digest
    # (HARDENING F17); None for targets without rate limits (console, jsonl).
    backlog_limit: ClassVar[int | None] = None
    # Messages one send_batch takes: 1 for chat APIs (one call a message, paced).
    batch_size: ClassVar[int] = 1
    # True where the platform allows one listening session per bot (Discord's gateway):
    # with several workers only the leader listens, and every worker sends (bot.crew).
    one_session: ClassVar[bool] = False

    def __init__(self, config: Config) -> None:
        self.config = config
        # Set by the app before start(): runs a chat command against the store (fast, no I/O
        # beyond SQLite) and returns the reply the adapter renders for its platform.
        self.on_command: CommandHandler | None = None
        # False for one-shot commands (`poll`, `digest --post`): send, but take no commands,
        # so no listener or gateway connection is opened for a process that will exit.
        self.listen = True

    def run_command(self, command: Command) -> Reply:
        """The core's reply to a chat command; never raises (the user gets a short apology)."""
        try:
            if self.on_command is None:
                return Reply("newswatch is still starting; try again in a moment.", ok=False)
            return self.on_command(command)
        except StorageUnavailable as exc:
            log.error("command not saved", extra={"channel": command.target, "reason": exc.reason})
            return Reply(
                f"newswatch cannot save anything right now ({exc.reason}); "
                "nothing was changed. Try again once the operator has fixed it.",
                ok=False,
            )
        except Exception:
            log.exception("command failed", extra={"channel": command.target})
            return Reply("Sorry, that command failed; the log has the details.", ok=False)

    async def start(self) -> None:  # noqa: B027 (optional hook: most adapters need none)
        """Connect, if the platform needs a connection; called once before any send."""

    async def lead(self) -> None:  # noqa: B027 (optional hook: only one_session adapters)
        """Start listening after start() did not (this worker has just become leader)."""

    async def follow(self) -> None:  # noqa: B027 (optional hook: only one_session adapters)
        """Stop listening, but keep sending (this worker no longer leads)."""

    async def doctor(self) -> list[str]:
        """Lines for `newswatch doctor`: what the token can do, where it can post."""
        return []

    async def close(self) -> None:  # noqa: B027 (optional hook)
        """Release connections; called once at shutdown."""

    @abstractmethod
    async def send(self, target: str, message: Message) -> Sent | None:
        """Deliver one message to a target; return only when the platform confirmed it,
        with its reference to the message where it has one (None: nothing to keep)."""

    async def send_batch(self, target: str, messages: Sequence[Message]) -> list[Sent | None]:
        """Deliver several messages, in order, all confirmed or an error; adapters with a
        `batch_size` above 1 confirm them at once (one fsync for a file, not one each)."""
        return [await self.send(target, message) for message in messages]

    async def delivered_already(
        self, target: str, messages: Sequence[Message]
    ) -> list[Sent | None]:
        """For messages cut off mid-send: the target's copy of each it holds already (None
        where it holds none, or cannot say: by default, and those are sent again, flagged
        ambiguous)."""
        return [None] * len(messages)


def load_adapter(platform: str, config: Config) -> Adapter:
    """Import and build the adapter for a platform named in a channel target."""
    adapter_class = _load(platform, REGISTRY[platform])
    adapter: Adapter = adapter_class(config)
    return adapter


def load_cli_command(platform: str) -> Callable[..., Awaitable[int]]:
    """Import the CLI subcommand a platform's adapter provides (only that command needs it)."""
    command: Callable[..., Awaitable[int]] = _load(platform, CLI_COMMANDS[platform])
    return command


def _load(platform: str, name: str) -> Any:
    """The object a "module:attribute" name points at, or why the platform cannot load."""
    module_name, _, attribute = name.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        extra = (
            f" (install it with: pip install 'newswatch[{platform}]')"
            if platform in ("slack", "discord")
            else ""
        )
        raise RuntimeError(f"the {platform} adapter cannot be loaded: {exc}{extra}") from None
    return getattr(module, attribute)
