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
import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
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

from adapters.slack_request import MalformedRequest, parse_body, signature_ok

log = logging.getLogger("newswatch.slack")

EVENTS_PATH = "/slack/events"
COMMANDS = ("watch", "digest")
PENDING = "newswatch_pending_command"  # bolt context key: the command to run after the ack
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


def _first(headers: Mapping[str, Sequence[str]], name: str) -> str:
    values = headers.get(name) or [""]
    return str(values[0])


class SlackInbound:
    """The bolt app, its HTTP listener or Socket Mode connection, and the retry cache."""

    def __init__(
        self,
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
        self._runner: web.AppRunner | None = None
        self._socket: AsyncSocketModeHandler | None = None
        # A tokenless client plus `authorize` built from our own start-time auth.test: bolt
        # then needs no auth.test of its own on the first request, so the ack does no I/O.
        self.bolt = AsyncApp(
            name="newswatch",
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
        retry = _first(request.headers, "x-slack-retry-num") not in ("", "0")
        name = str(body.get("command", "")).lstrip("/")
        text = unescape(str(body.get("text", "")))
        channel = str(body.get("channel_id", ""))
        user = str(body.get("user_id", ""))
        team = str(body.get("team_id", ""))
        content = hashlib.sha256(
            "\x1f".join([team, channel, user, name, text]).encode("utf-8", "replace")
        ).hexdigest()
        if self.recent.first_time(str(body.get("trigger_id", "")), content, retry):
            context[PENDING] = PendingCommand(
                name=name,
                text=text,
                channel=channel,
                user=user,
                team=team,
                response_url=str(body.get("response_url", "")),
                retry=retry,
            )
        else:
            log.info("slash command retry acked, not run again", extra={"channel": channel})
        await ack()

    def _start_pending(self, request: AsyncBoltRequest) -> None:
        pending = request.context.get(PENDING)
        if isinstance(pending, PendingCommand):
            task = asyncio.get_running_loop().create_task(self._run(pending))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def handle_http(self, request: web.Request) -> web.StreamResponse:
        """POST /slack/events: verify, parse, let bolt ack; the command runs after the 200."""
        body = await request.read()
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

    async def start_http(self, host: str, port: int) -> None:
        web_app = web.Application(client_max_size=1024 * 1024)
        web_app.router.add_post(EVENTS_PATH, self.handle_http)
        runner = web.AppRunner(web_app, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as exc:
            await runner.cleanup()
            reason = exc.strerror or str(exc)
            raise RuntimeError(f"slack: cannot listen on {host}:{port} ({reason})") from None
        self._runner = runner

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


def _verified_request(body: bytes, request: web.Request) -> AsyncBoltRequest:
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
