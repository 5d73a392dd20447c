"""The HTTP listener's limits: what it takes from anyone who can reach its port.

aiohttp's low-level server with every limit in one place: body size and deadline, idle
connections, header sizes, and a connection cap answered with 503. What strangers can send
(malformed HTTP, a client gone mid-request) logs one DEBUG line, never a traceback.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web import RequestPayloadError

log = logging.getLogger("newswatch.slack")

Handler = Callable[[web.BaseRequest], Coroutine[Any, Any, web.StreamResponse]]


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


class Refused(Exception):
    """A request answered with a 4xx before its signature is even checked."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


async def read_body(request: web.BaseRequest, limits: ListenerLimits) -> bytes:
    """The whole body, at most `max_body` bytes, within `body_deadline` seconds.

    A declared length over the cap is refused unread; a chunked body is counted as it comes.
    A client that hangs up mid-body gets a 400 it will never read, and no traceback.
    """
    declared = request.content_length
    if declared is not None and declared > limits.max_body:
        raise Refused(413, f"body over {limits.max_body} bytes")
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(limits.body_deadline):
            while chunk := await request.content.readany():
                size += len(chunk)
                if size > limits.max_body:
                    raise Refused(413, f"body over {limits.max_body} bytes")
                chunks.append(chunk)
    except TimeoutError:
        raise Refused(408, f"body not sent within {limits.body_deadline:g} s") from None
    except (ConnectionError, RequestPayloadError, HttpProcessingError) as exc:
        raise Refused(400, f"body cut off ({type(exc).__name__})") from None
    return b"".join(chunks)


async def start_listener(
    handler: Handler, host: str, port: int, limits: ListenerLimits
) -> web.ServerRunner:
    """Listen on host:port with every limit applied; a port that cannot open is one line."""
    server = _CappedServer(
        handler,
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
    return runner


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
        handler: Handler,
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
