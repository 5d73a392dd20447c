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
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web import RequestPayloadError
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
class ListenerLimits:
    """What the HTTP listener takes from anyone who can reach its port.

    Slack's requests are small forms sent at once; anything bigger or slower is refused
    before it can hold memory or a connection for long.
    """

    max_body: int = 64 * 1024  # bytes; more is a 413
    body_deadline: float = 10.0  # seconds for the whole body once the headers are in: 408
    idle_deadline: float = 15.0  # seconds a connection may sit between or inside headers
    linger: float = 2.0  # seconds the rest of a refused body is read and dropped, then close
    max_connections: int = 256  # open at once; more are answered 503 and closed
    max_line_size: int = 8190  # bytes in the request line: 400
    max_field_size: int = 8190  # bytes in one header line: 400
    max_headers: int = 64  # header lines in one request: 400


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
        self._runner: web.ServerRunner | None = None
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

    async def handle_http(
        self, request: web.BaseRequest, limits: ListenerLimits = ListenerLimits()
    ) -> web.StreamResponse:
        """POST /slack/events: verify, parse, let bolt ack; the command runs after the 200."""
        try:
            body = await _read_body(request, limits)
        except _Refused as refused:
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
        self, host: str, port: int, limits: ListenerLimits = ListenerLimits()
    ) -> None:
        """Listen with aiohttp's low-level server: one route, and every limit in one place."""

        async def serve(request: web.BaseRequest) -> web.StreamResponse:
            if request.path != EVENTS_PATH:
                return web.Response(status=404, text="not found")
            if request.method != "POST":
                return web.Response(status=405, text="POST only", headers={"Allow": "POST"})
            return await self.handle_http(request, limits)

        server = _CappedServer(
            serve,
            max_connections=limits.max_connections,
            idle_deadline=limits.idle_deadline,
            logger=_QuietServerLog(logging.getLogger("aiohttp.server")),
            access_log=None,
            keepalive_timeout=limits.idle_deadline,
            lingering_time=limits.linger,
            max_line_size=limits.max_line_size,
            max_field_size=limits.max_field_size,
            max_headers=limits.max_headers,
        )
        runner = web.ServerRunner(server, handle_signals=False)
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


class _Refused(Exception):
    """A request answered with a 4xx before its signature is even checked."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


async def _read_body(request: web.BaseRequest, limits: ListenerLimits) -> bytes:
    """The whole body, at most `max_body` bytes, within `body_deadline` seconds.

    A declared length over the cap is refused unread; a chunked body is counted as it comes.
    A client that hangs up mid-body gets a 400 it will never read, and no traceback.
    """
    declared = request.content_length
    if declared is not None and declared > limits.max_body:
        raise _Refused(413, f"body over {limits.max_body} bytes")
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(limits.body_deadline):
            while chunk := await request.content.readany():
                size += len(chunk)
                if size > limits.max_body:
                    raise _Refused(413, f"body over {limits.max_body} bytes")
                chunks.append(chunk)
    except TimeoutError:
        raise _Refused(408, f"body not sent within {limits.body_deadline:g} s") from None
    except (ConnectionError, RequestPayloadError, HttpProcessingError) as exc:
        raise _Refused(400, f"body cut off ({type(exc).__name__})") from None
    return b"".join(chunks)


class _QuietServerLog(logging.LoggerAdapter):  # type: ignore[type-arg]
    """aiohttp.server's log, with what anyone can send demoted to one DEBUG line: malformed
    HTTP (a 400 aiohttp writes itself) and a client gone mid-request. A fault of newswatch's
    own handler still logs at ERROR with its traceback."""

    def exception(self, msg: object, *args: object, exc_info: Any = True, **kw: Any) -> None:
        if not self._demoted(exc_info):
            self.logger.exception(msg, *args, exc_info=exc_info, **kw)

    def debug(self, msg: object, *args: object, exc_info: Any = None, **kw: Any) -> None:
        if not self._demoted(exc_info):
            self.logger.debug(msg, *args, exc_info=exc_info, **kw)

    def _demoted(self, exc: object) -> bool:
        if not isinstance(exc, (HttpProcessingError, ConnectionError)):
            return False
        reason = f"{type(exc).__name__} {getattr(exc, 'code', '')}".strip()
        self.logger.debug("malformed HTTP refused", extra={"reason": reason})
        return True


class _CappedServer(web.Server):
    """aiohttp's protocol factory, answering 503 once `max_connections` are open."""

    def __init__(
        self,
        handler: Callable[[web.BaseRequest], Coroutine[Any, Any, web.StreamResponse]],
        *,
        max_connections: int,
        idle_deadline: float,
        **kwargs: Any,
    ) -> None:
        super().__init__(handler, **kwargs)
        self._max_connections = max_connections
        self._idle_deadline = idle_deadline
        self._full = False  # warned once per stretch at the cap, not once per connection

    def __call__(self) -> asyncio.Protocol:  # type: ignore[override]
        if len(self.connections) < self._max_connections:
            self._full = False
            return super().__call__()
        if not self._full:
            self._full = True
            log.warning(
                "slack listener at its connection cap; refusing more with 503",
                extra={"reason": f"{self._max_connections} connections open"},
            )
        return _Busy(self._idle_deadline)


class _Busy(asyncio.Protocol):
    """A connection over the cap: 503 once its request starts arriving, then closed.

    Answering on the first bytes (not at once) lets the client read the 503 before the close;
    one that sends nothing is dropped at the idle deadline.
    """

    ANSWER = (
        b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
        b"Retry-After: 1\r\nConnection: close\r\n\r\n"
    )

    def __init__(self, deadline: float) -> None:
        self._deadline = deadline
        self._transport: asyncio.Transport | None = None
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._timer = asyncio.get_running_loop().call_later(self._deadline, transport.abort)

    def data_received(self, data: bytes) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.write(self.ANSWER)
            self._transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._transport = None


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
