"""The inbound half of the Slack adapter: a bolt AsyncApp that acks /watch and /digest.

Slack wants a slash command acknowledged within 3 seconds
(https://docs.slack.dev/interactivity/implementing-slash-commands#responding_to_commands).
The listener only parses the payload and calls `ack()`; the command itself runs in a task
started after the acknowledgement has been written (HTTP) or sent (Socket Mode), so no
SQLite work or Slack call ever delays the ack. In HTTP mode every request's signature and
5-minute timestamp window are checked on the raw bytes before anything is parsed
(adapters.slack_request: bolt would parse first), so garbage from anyone who can reach the
port is a quiet 401, and a signed body that does not parse is a 400.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import send_async_response
from slack_bolt.adapter.socket_mode.internals import build_headers
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_command import (
    PendingCommand,
    RecentCommands,
    content_key,
    first_header,
    read_command,
)
from adapters.slack_listener import ListenerLimits, Refused, read_body, start_listener
from adapters.slack_request import MalformedRequest, parse_body, signature_ok

log = logging.getLogger("newswatch.slack")

EVENTS_PATH = "/slack/events"
COMMANDS = ("watch", "digest")
PENDING = "newswatch_pending_command"  # bolt context key: the command to run after the ack
DEFAULT_LIMITS = ListenerLimits()


class SlackInbound:
    """The bolt app, its HTTP listener or Socket Mode connection, and the retry cache."""

    def __init__(
        self,
        *,
        client: AsyncWebClient,
        bot_token: str,
        signing_secret: str,
        auth: Mapping[str, Any],
        run: Callable[[PendingCommand], Coroutine[Any, Any, None]],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._bot_token = bot_token
        self._signing_secret = signing_secret
        self._clock = clock  # wall time: Slack's timestamps are Unix seconds
        self._auth = dict(auth)
        self._run = run
        self.recent = RecentCommands()
        self.tasks: set[asyncio.Task[None]] = set()
        self._runner: web.ServerRunner | None = None
        self._socket: AsyncSocketModeHandler | None = None
        # A tokenless client plus `authorize` built from our own start-time auth.test: bolt
        # then needs no auth.test of its own on the first request, so the ack does no I/O.
        self.bolt = AsyncApp(
            # Bolt gives each request a logger named after the app and sets its level to the
            # root's: a name of its own, not our "newswatch" logger (whose level it reset).
            name="newswatch-bolt",
            client=client,
            signing_secret=signing_secret,
            authorize=self._authorizer(),
            process_before_response=False,
        )
        for name in COMMANDS:
            self.bolt.command(f"/{name}")(self._on_command)

    def _authorizer(self) -> Callable[..., Coroutine[Any, Any, AuthorizeResult]]:
        """bolt passes `authorize` the arguments its signature names, so no `self` there."""
        auth, token = self._auth, self._bot_token

        async def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
            return AuthorizeResult(
                enterprise_id=enterprise_id or auth.get("enterprise_id"),
                team_id=team_id or auth.get("team_id"),
                bot_user_id=auth.get("user_id"),
                bot_id=auth.get("bot_id"),
                bot_token=token,
            )

        return authorize

    async def _on_command(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        request: AsyncBoltRequest,
        context: AsyncBoltContext,
    ) -> None:
        """Parse, remember, ack: nothing here waits on I/O."""
        retry = first_header(request.headers, "x-slack-retry-num") not in ("", "0")
        command = read_command(body, retry)
        trigger_id = str(body.get("trigger_id", ""))
        if self.recent.first_time(trigger_id, content_key(command), retry):
            context[PENDING] = command
        else:
            log.info("slash command retry acked, not run again", extra={"channel": command.channel})
        await ack()

    def _start_pending(self, request: AsyncBoltRequest) -> None:
        pending = request.context.get(PENDING)
        if isinstance(pending, PendingCommand):
            task = asyncio.get_running_loop().create_task(self._run(pending))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def handle_http(
        self, request: web.BaseRequest, limits: ListenerLimits = DEFAULT_LIMITS
    ) -> web.StreamResponse:
        """POST /slack/events: verify, parse, let bolt ack; the command runs after the 200."""
        try:
            body = await read_body(request, limits)
        except Refused as refused:
            log.debug("request refused", extra={"reason": refused.reason})
            return web.json_response({"error": refused.reason}, status=refused.status)
        if not signature_ok(
            self._signing_secret,
            body,
            request.headers.get("X-Slack-Request-Timestamp", ""),
            request.headers.get("X-Slack-Signature", ""),
            self._clock(),
        ):
            # Anyone can send these: no log line above DEBUG, so they cannot flood the log.
            log.debug("unsigned or stale request refused", extra={"reason": "signature"})
            return web.json_response({"error": "invalid request"}, status=401)
        try:
            bolt_request = _verified_request(body, request)
        except MalformedRequest as exc:
            log.warning("signed request refused", extra={"reason": str(exc)})
            return web.json_response({"error": "malformed request"}, status=400)
        bolt_response = await self.bolt.async_dispatch(bolt_request)
        response = await to_aiohttp_response(bolt_response)
        if bolt_request.context.get(PENDING) is not None:
            await response.prepare(request)
            await response.write_eof()
            self._start_pending(bolt_request)
        return response

    async def start_http(
        self, host: str, port: int, limits: ListenerLimits = DEFAULT_LIMITS
    ) -> None:
        """Listen on one route, with every limit of adapters.slack_listener applied."""

        async def serve(request: web.BaseRequest) -> web.StreamResponse:
            if request.path != EVENTS_PATH:
                return web.Response(status=404, text="not found")
            if request.method != "POST":
                return web.Response(status=405, text="POST only", headers={"Allow": "POST"})
            return await self.handle_http(request, limits)

        self._runner = await start_listener(serve, host, port, limits)

    async def start_socket(self, app_token: str, client: AsyncWebClient, url: str) -> None:
        """Open the Socket Mode connection with a WSS URL that start() already obtained."""
        handler = _SocketHandler(self.bolt, app_token=app_token, web_client=client)
        handler.on_acked = self._start_pending
        handler.client.wss_uri = url
        self._socket = handler
        await handler.connect_async()  # type: ignore[no-untyped-call]  # bolt: no annotations

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        for task in list(self.tasks):
            task.cancel()
        if self.tasks:
            await asyncio.gather(*self.tasks, return_exceptions=True)


def _verified_request(body: bytes, request: web.BaseRequest) -> AsyncBoltRequest:
    """A bolt request from a body whose signature we checked, parsed by us, not by bolt.

    bolt's own body parser reads a form that merely contains the word "payload" (a
    `/watch add payload`) as an empty interactivity payload. Handing bolt the parsed dict
    needs its "socket_mode" request kind, which skips only bolt's signature check: the one
    above has already passed.
    """
    fields = parse_body(body, request.headers.get("Content-Type", ""))
    try:
        return AsyncBoltRequest(
            body=fields,
            query=request.query_string,
            headers=dict(request.headers),
            mode="socket_mode",
        )
    except Exception as exc:  # bolt's context builder on fields of unexpected types
        raise MalformedRequest(f"bolt cannot read the fields ({type(exc).__name__})") from None


class _SocketHandler(AsyncSocketModeHandler):
    """bolt's Socket Mode handler, with a hook that runs once the ack has been sent."""

    on_acked: Callable[[AsyncBoltRequest], None] | None = None

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        start = time.time()
        bolt_request = AsyncBoltRequest(
            mode="socket_mode", body=req.payload, headers=build_headers(req)
        )
        bolt_response = await self.app.async_dispatch(bolt_request)
        await send_async_response(client, req, bolt_response, start)
        if self.on_acked is not None:
            self.on_acked(bolt_request)
