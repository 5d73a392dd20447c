"""A real loopback HTTP server for tests: feeds, validators, redirects and network faults.

    server.add("/feed.xml", body=rss(...), content_type="application/rss+xml", etag='"v1"')
    url = server.url("/feed.xml")
    assert server.requests[-1].headers.get("If-None-Match") == '"v1"'

Routes match the path with its query string first, then the path alone. Every request is
recorded (method, path with query, headers), and connections and peak concurrency counted,
so tests can assert that conditional requests were made or that no connection was.
"""

from __future__ import annotations

import gzip as gziplib
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import pytest


@dataclass
class Route:
    """How one path answers. `body` is sent as is unless `gzip` (then compressed once, here)."""

    status: int = 200
    body: bytes = b""
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None  # answer 304 to a matching If-None-Match (RFC 9110 13.1.2)
    last_modified: str | None = None  # ...or to an If-Modified-Since not older (13.1.3)
    gzip: bool = False  # send `body` gzip-compressed with Content-Encoding: gzip
    delay: float = 0.0  # seconds before the status line
    byte_delay: float = 0.0  # seconds before each body byte (slowloris)
    stream: Callable[[], Iterable[bytes]] | None = None  # body made lazily (may never end)
    content_length: int | None = None  # a Content-Length to claim (may lie); else honest
    reset: bool = False  # read the request, then reset the connection (TCP RST)

    def __post_init__(self) -> None:
        if self.gzip:
            self.body = gziplib.compress(self.body, compresslevel=6, mtime=0)


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # with the query string, as sent
    headers: Message  # case-insensitive .get()


class FeedServer:
    """A ThreadingHTTPServer on 127.0.0.1, port 0, in a background thread."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.connections = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self._tls = tls
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle -----------------------------------------------------------------------

    def start(self) -> FeedServer:
        httpd = _Server(("127.0.0.1", 0), _Handler)
        httpd.owner = self
        if self._tls is not None:
            httpd.socket = self._tls.wrap_socket(
                httpd.socket, server_side=True, do_handshake_on_connect=False
            )
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, args=(0.05,), name="feedserver", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- routes and addresses -------------------------------------------------------------

    @property
    def port(self) -> int:
        assert self._httpd is not None, "start the server first"
        return int(self._httpd.server_address[1])

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        """The URL of `path`; `host` may be a name that a test resolver maps to 127.0.0.1."""
        scheme = "https" if self._tls is not None else "http"
        return f"{scheme}://{host}:{self.port}{path}"

    def add(self, path: str, body: bytes = b"", **spec: Any) -> Route:
        """Serve `path` (replacing any route there); keywords are Route fields."""
        route = Route(body=body, **spec)
        with self._lock:
            self.routes[path] = route
        return route

    def redirect(self, path: str, to: str, status: int = 302) -> Route:
        """Redirect `path` to `to`: a path on this server or any absolute URL."""
        target = to if "://" in to else self.url(to)
        return self.add(path, status=status, headers={"Location": target})

    def requests_to(self, path: str) -> list[Request]:
        """Requests whose path (without the query string) is `path`."""
        return [r for r in self.requests if r.path.split("?", 1)[0] == path]

    def clear(self) -> None:
        """Forget recorded requests and counters (routes stay)."""
        with self._lock:
            self.requests.clear()
            self.connections = self.in_flight = self.max_in_flight = 0

    # -- called from handler threads ------------------------------------------------------

    def _route(self, path: str) -> Route | None:
        with self._lock:
            return self.routes.get(path) or self.routes.get(path.split("?", 1)[0])

    def _enter(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _connected(self) -> None:
        with self._lock:
            self.connections += 1

    def _sleep(self, seconds: float) -> bool:
        """Sleep unless the server stops first; False when it stopped."""
        return not self._stopping.wait(seconds) if seconds > 0 else not self._stopping.is_set()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 64
    owner: FeedServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that hang up (timeouts, caps) are what these tests are about


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30
    server: _Server

    def setup(self) -> None:
        if isinstance(self.request, ssl.SSLSocket):
            self.request.do_handshake()
        super().setup()
        self.server.owner._connected()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        owner = self.server.owner
        owner._enter(Request(self.command, self.path, self.headers))
        try:
            route = owner._route(self.path)
            if route is None:
                self._send(Route(status=404, body=b"not found", content_type="text/plain"))
            elif route.reset:
                self._reset()
            elif owner._sleep(route.delay):
                self._send(route)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, TimeoutError):
            self.close_connection = True  # the client gave up: a test of caps or deadlines
        finally:
            owner._leave()

    def _not_modified(self, route: Route) -> bool:
        if route.status != 200:
            return False
        tags = self.headers.get("If-None-Match")
        if route.etag is not None and tags is not None:  # takes precedence (RFC 9110 13.1.2)
            return tags.strip() == "*" or route.etag in [t.strip() for t in tags.split(",")]
        since = self.headers.get("If-Modified-Since")
        if route.last_modified is None or since is None:
            return False
        try:
            return parsedate_to_datetime(since) >= parsedate_to_datetime(route.last_modified)
        except (TypeError, ValueError):
            return False

    def _send(self, route: Route) -> None:
        not_modified = self._not_modified(route)
        self.send_response(304 if not_modified else route.status)
        if route.content_type and not not_modified:
            self.send_header("Content-Type", route.content_type)
        if route.etag is not None:
            self.send_header("ETag", route.etag)
        if route.last_modified is not None:
            self.send_header("Last-Modified", route.last_modified)
        if route.gzip and not not_modified:
            self.send_header("Content-Encoding", "gzip")
        for name, value in route.headers.items():
            self.send_header(name, value)
        chunked = route.stream is not None and route.content_length is None
        if not_modified:
            self.end_headers()
            return
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            length = route.content_length if route.content_length is not None else len(route.body)
            self.send_header("Content-Length", str(length))
        self.end_headers()
        if self.command == "HEAD":
            return
        if route.stream is not None:
            self._write_stream(route.stream(), chunked)
        else:
            self._write_body(route)

    def _write_body(self, route: Route) -> None:
        if route.byte_delay <= 0:
            self.wfile.write(route.body)
            return
        for i in range(len(route.body)):
            if not self.server.owner._sleep(route.byte_delay):
                return
            self.wfile.write(route.body[i : i + 1])
            self.wfile.flush()

    def _write_stream(self, chunks: Iterable[bytes], chunked: bool) -> None:
        for chunk in chunks:
            if self.server.owner._stopping.is_set():
                return
            if chunk:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def _reset(self) -> None:
        # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()  # the socket really closes once its last file object is gone
        self.connection.close()
        self.close_connection = True


def endless(chunk: bytes = b"x" * 65536) -> Callable[[], Iterator[bytes]]:
    """A `stream=` body that never ends (for caps and deadlines)."""

    def chunks() -> Iterator[bytes]:
        while True:
            yield chunk

    return chunks


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll `condition` until true or `timeout`; for asserting on server-side effects."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A started FeedServer, stopped after the test."""
    with FeedServer() as server:
        yield server
