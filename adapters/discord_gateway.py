"""Keep a discord.py client's gateway session up, with backoff; REST sends never wait for it.

discord.py's `Client.connect(reconnect=True)` resumes and reconnects a session that was once
open, but not a first connection that never opened: its retry path reads the sequence of a
websocket that does not exist and dies with AttributeError (Rapptz/discord.py#10520), which
used to stop `newswatch run`. So until a session opens, each attempt is made here, with
exponential backoff and jitter; alerts keep going out over REST meanwhile, and commands
work from the first READY on. A close that no retry can mend (4004: the token was reset)
ends the loop with its reason, as does any other unforeseen error.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Literal

import aiohttp
import discord
from discord.webhook.async_ import async_context

from adapters.discord_client import NewswatchClient
from bot.backoff import backoff

log = logging.getLogger("newswatch.discord")

FIRST_RETRY = 1.0  # seconds before the second attempt; doubled after each failure
MAX_RETRY = 120.0
# Failures of one attempt that a later attempt may not have (discord.py's own list).
RETRYABLE = (
    OSError,
    TimeoutError,
    aiohttp.ClientError,
    discord.HTTPException,
    discord.GatewayNotFound,
)

Outcome = Literal["ready", "retrying", "failed", "waiting"]


class GatewaySession:
    """The client's gateway connection as a background task that survives a failed start."""

    def __init__(
        self,
        client: NewswatchClient,
        find_gateway: Callable[[], Awaitable[str | None]],
        first_retry: float = FIRST_RETRY,
        max_retry: float = MAX_RETRY,
    ) -> None:
        self.client = client
        self.find_gateway = find_gateway
        self.first_retry = first_retry
        self.max_retry = max_retry
        self.failures = 0  # attempts in a row that opened no session
        self.fatal: str | None = None  # why the loop gave up, when it did
        self._failed = asyncio.Event()
        self._stopping = asyncio.Event()
        self._rng = random.Random()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="discord-gateway")

    async def first_outcome(self, timeout: float) -> Outcome:
        """Wait for READY, a failed first attempt, the loop giving up, or the timeout."""
        assert self._task is not None, "start() first"
        ready = asyncio.create_task(self.client.wait_until_ready())
        failed = asyncio.create_task(self._failed.wait())
        try:
            await asyncio.wait(
                {ready, failed, self._task}, timeout=timeout, return_when="FIRST_COMPLETED"
            )
        finally:
            ready.cancel()
            failed.cancel()
        if self.client.is_ready():
            return "ready"
        if self._task.done():
            return "failed"
        return "retrying" if self._failed.is_set() else "waiting"

    def delay(self) -> float:
        """The pause after `failures` failed attempts: doubling from first_retry, jittered."""
        return backoff(
            self.failures - 1,
            base=self.first_retry,
            cap=self.max_retry,
            rng=self._rng,
            jitter=(0.5, 1.0),
        )

    async def _run(self) -> None:
        # discord.py finds its webhook adapter in a context variable; tasks spawned by the
        # gateway loop (command invocations) inherit this task's context, so they answer
        # interactions through the same API base.
        async_context.set(self.client.webhooks)
        while not self._closing():
            try:
                self.client.routed.gateway = await self.find_gateway()
                await self.client.connect(reconnect=True)
                return  # the client was closed
            except AttributeError as exc:
                if self.client.ws is not None:  # not discord.py#10520: a real bug, say so
                    self._give_up(f"AttributeError: {exc}")
                    return
                reason = _describe(exc.__context__)
            except RETRYABLE as exc:  # finding the gateway failed
                reason = _describe(exc)
            except discord.ConnectionClosed as exc:
                self._give_up(f"the gateway closed the connection with code {exc.code}")
                return
            except Exception as exc:  # unforeseen: logged with its type, and the loop ends
                self._give_up(type(exc).__name__)
                return
            if self._closing():
                return
            self.failures += 1
            self._failed.set()
            wait = self.delay()
            log.warning(
                "discord gateway not connected; alerts still go out over REST",
                extra={"reason": f"{reason}; attempt {self.failures}, next in {wait:.1f}s"},
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), wait)

    def _closing(self) -> bool:
        return self._stopping.is_set() or self.client.is_closed()

    def _give_up(self, reason: str) -> None:
        self.fatal = reason
        log.error("discord gateway stopped", extra={"reason": reason})

    async def stop(self) -> None:
        """Close the client (REST too) and end the loop; a session never opened is not awaited."""
        self._stopping.set()
        await self.client.close()
        task, self._task = self._task, None
        if task is None:
            return
        if self.client.ws is None:  # discord.py may be in its own retry sleep: nothing to end
            task.cancel()
        try:
            await asyncio.wait_for(task, 5.0)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()
            with contextlib.suppress(BaseException):
                await task


def _describe(exc: BaseException | None) -> str:
    """One attempt's failure without URLs or tokens: the type, and a close code if any."""
    if exc is None:
        return "the connection failed"
    if isinstance(exc, aiohttp.WSServerHandshakeError):
        return f"the gateway refused the connection (HTTP {exc.status})"
    if isinstance(exc, discord.ConnectionClosed):
        return f"the gateway closed the connection with code {exc.code}"
    if type(exc).__name__ == "ReconnectWebSocket":
        return "the gateway closed the connection before the session opened"
    return type(exc).__name__
