"""Fetch one feed URL: conditional GET, capped size and time, checked redirects, no SSRF.

httpx alone has no size cap, no SSRF guard and only per-read timeouts, and its error text
holds full URLs (HARDENING). So redirects are followed here hop by hop, each hop resolved
and checked, the body is decoded under a cap, and every failure becomes a short reason.
Logging: `bot.ops.logs.setup_logging` holds the "httpx" logger at WARNING, since httpx logs full
URLs at INFO; this module never logs a URL.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import socket
import ssl
import time
import zlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http.cookiejar import Cookie, CookieJar
from types import TracebackType
from typing import Any

import httpx

from bot.backoff import parse_retry_after
from bot.ingest.netguard import BlockedAddress, Resolver, parse_http_url, resolve_public

log = logging.getLogger("newswatch.fetch")

REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT = frozenset({301, 308})  # RFC 9110 section 15.4: the others are temporary
GZIP_MAGIC = b"\x1f\x8b"
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]{0,31}):")  # RFC 3986 section 3.1
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)


@dataclass(frozen=True)
class FetchResult:
    """The outcome of one fetch; `error` is a short reason that never holds the URL."""

    status: int | None
    body: bytes | None
    etag: str | None
    last_modified: str | None
    final_url: str
    permanent_url: str | None = None
    error: str | None = None
    retry_after: float | None = None
    content_type: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def ok(self) -> bool:
        return (self.status == 200 and self.body is not None) or self.status == 304


class _Failure(Exception):
    """A failure whose reason is already short and URL-free."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason, self.status = reason, status


class _NoCookies(CookieJar):
    """Keep no cookies: requests go to IP URLs, so a jar would share them across one CDN IP."""

    def set_cookie(self, cookie: Cookie) -> None:
        return None


def _size(n: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale and n % scale == 0:
            return f"{n // scale} {unit}"
    return f"{n} bytes"


class _Inflater:
    """A gzip/zlib/raw-deflate decoder that never holds more than `limit` decoded bytes.

    httpx's own decoder can turn one 64 KiB gzip chunk into 67 MB at once (HARDENING C4), so
    each `decompress` call is bounded with `max_length` and the rest left in unconsumed_tail.
    """

    def __init__(self, limit: int, too_big: str) -> None:
        self._limit, self._too_big = limit, too_big
        self._out = bytearray()
        self._head = b""
        self._z: Any = None  # zlib's Decompress type is not public

    def feed(self, data: bytes) -> None:
        if self._z is None:  # wait for two bytes to tell gzip, zlib and raw deflate apart
            self._head += data
            if len(self._head) < 2:
                return
            data, self._head = self._head, b""
            self._z = zlib.decompressobj(_wbits(data))
        while data:
            if self._z.eof:  # a second gzip member (RFC 1952 section 2.2), else trailing junk
                if data[:2] != GZIP_MAGIC:
                    return
                self._z = zlib.decompressobj(31)
            self._out += self._z.decompress(data, self._limit - len(self._out) + 1)
            if len(self._out) > self._limit:
                raise _Failure(self._too_big, 200)
            data = self._z.unconsumed_tail or self._z.unused_data

    def finish(self) -> bytes:
        if self._head or (self._z is not None and not self._z.eof):
            raise _Failure("truncated compressed body", 200)
        return bytes(self._out)


def _wbits(head: bytes) -> int:
    if head[:2] == GZIP_MAGIC:
        return 31
    # RFC 9110 section 8.4.1.2: "deflate" means zlib (RFC 1950), but some servers send raw
    # RFC 1951 data; a zlib header is CM=8 with a 16-bit check value divisible by 31.
    if head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0:
        return 15
    return -15


async def _check_location(response: httpx.Response) -> None:
    """Refuse a redirect to a non-http(s) URL before httpx builds a request from it.

    httpx turns every Location into a next request even with follow_redirects off, and
    `data:,x` fails there as InvalidURL; this response hook runs first and names the scheme.
    """
    location = response.headers.get("Location") if response.is_redirect else None
    if not location:
        return
    scheme = _SCHEME.match(location.strip())
    if scheme is not None and scheme.group(1).lower() not in ("http", "https"):
        reason = f"redirect to a non-http(s) URL ({scheme.group(1).lower()}:)"
        raise _Failure(reason, response.status_code)
    try:
        httpx.URL(location)
    except httpx.InvalidURL:
        raise _Failure("redirect to a malformed URL", response.status_code) from None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _describe(exc: BaseException, timeout: float) -> str:
    """A short reason for a transport failure; never str(exc), which holds the URL."""
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return f"timeout after {timeout:g}s"
    chain = _causes(exc)
    for kind, reason in (
        (ssl.SSLError, "TLS error"),
        (ConnectionRefusedError, "connection refused"),
        (ConnectionResetError, "connection reset"),
        (socket.gaierror, "DNS lookup failed"),
        (TimeoutError, f"timeout after {timeout:g}s"),
        (httpx.ConnectError, "connection failed"),
        (httpx.ProtocolError, "protocol error"),
        (zlib.error, "corrupt compressed body"),
        (OSError, "network error"),
    ):
        if any(isinstance(e, kind) for e in chain):
            return reason
    return f"network error ({type(exc).__name__})"


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


class _Deadline:
    """One fetch's total time budget, paused while the fetch waits for a per-host slot."""

    def __init__(self, timeout: asyncio.Timeout, seconds: float) -> None:
        self._timeout, self._left = timeout, seconds
        self._loop = asyncio.get_running_loop()
        timeout.reschedule(self._loop.time() + seconds)

    def pause(self) -> None:
        when = self._timeout.when()
        if when is not None:
            self._left = when - self._loop.time()
            self._timeout.reschedule(None)

    def resume(self) -> None:
        self._timeout.reschedule(self._loop.time() + self._left)


class Fetcher:
    """One shared httpx client for all feeds, with SPEC "Polling" limits on every fetch."""

    def __init__(
        self,
        *,
        allow_private: bool = False,
        timeout: float = 30.0,
        max_bytes: int = 10 * 1024 * 1024,
        max_redirects: int = 5,
        per_host: int = 4,
        user_agent: str = "newswatch/0.1 (+https://github.com/newswatch)",
        transport: httpx.AsyncBaseTransport | None = None,
        resolver: Resolver | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._allow_private, self._timeout, self._max_bytes = allow_private, timeout, max_bytes
        self._max_redirects, self._per_host = max_redirects, per_host
        self._resolver, self._clock = resolver, clock
        self._too_big = f"response over {_size(max_bytes)}"
        self._slots: dict[str, asyncio.Semaphore] = {}
        # No keep-alive: the pool keys connections by (scheme, IP, port), so a kept TLS
        # connection verified for one host could carry a request for another host on the
        # same CDN address. Polls are minutes apart, so reuse would gain little anyway.
        # trust_env=False: an env proxy would resolve names itself (undoing the pinning
        # below) and httpcore's proxy tunnel ignores sni_hostname.
        self._client = httpx.AsyncClient(
            transport=transport
            or httpx.AsyncHTTPTransport(limits=httpx.Limits(max_keepalive_connections=0)),
            follow_redirects=False,
            timeout=httpx.Timeout(timeout),
            trust_env=False,
            cookies=_NoCookies(),
            event_hooks={"response": [_check_location]},
            headers={
                "User-Agent": user_agent,
                "Accept": ACCEPT,
                "Accept-Encoding": "gzip, deflate",
            },
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET `url` within every limit; never raises (short of cancellation)."""
        hops = [url]
        status: int | None = None
        try:
            async with asyncio.timeout(None) as timeout:
                deadline = _Deadline(timeout, self._timeout)
                return await self._follow(hops, etag, last_modified, deadline)
        except _Failure as exc:
            reason, status = exc.reason, exc.status
        except BlockedAddress as exc:
            reason = f"blocked: {exc}"
        except (httpx.HTTPError, OSError, zlib.error) as exc:  # TimeoutError is an OSError
            reason = _describe(exc, self._timeout)
        except Exception as exc:  # a bug here must not stop the poll of every other feed
            log.exception("fetch failed unexpectedly")
            reason = f"internal error ({type(exc).__name__})"
        return FetchResult(status, None, etag, last_modified, hops[-1], error=reason)

    async def _follow(
        self, hops: list[str], etag: str | None, last_modified: str | None, deadline: _Deadline
    ) -> FetchResult:
        headers = {}
        if etag:  # RFC 9110 section 13.1.2: If-None-Match takes precedence at the server
            headers["If-None-Match"] = etag
        if last_modified:  # section 13.1.3
            headers["If-Modified-Since"] = last_modified
        permanent, status = True, None
        for _ in range(self._max_redirects + 1):
            url = parse_http_url(hops[-1])
            async with self._slot(url.raw_host.decode("ascii").lower(), deadline):
                response = await self._open(url, headers)
                status = response.status_code
                try:
                    location = response.headers.get("Location")
                    if status not in REDIRECTS or not location:
                        return await self._finish(
                            response, hops, etag, last_modified, permanent and len(hops) > 1
                        )
                    target = url.join(location)
                    if url.scheme == "https" and target.scheme == "http":
                        raise _Failure("redirect from https to http refused", status)
                    if str(target) in hops:
                        raise _Failure("redirect loop", status)
                    permanent = permanent and status in PERMANENT
                    hops.append(str(target))
                finally:
                    await response.aclose()
        raise _Failure("too many redirects", status)

    @asynccontextmanager
    async def _slot(self, host: str, deadline: _Deadline) -> AsyncIterator[None]:
        """At most `per_host` requests at once per host (SPEC); queueing is not fetch time."""
        slot = self._slots.setdefault(host, asyncio.Semaphore(self._per_host))
        if slot.locked():
            deadline.pause()
            try:
                await slot.acquire()
            finally:
                deadline.resume()
        else:
            await slot.acquire()
        try:
            yield
        finally:
            slot.release()

    async def _open(self, url: httpx.URL, headers: dict[str, str]) -> httpx.Response:
        """Send the request to an address that passed the check, trying each in turn.

        DNS rebinding (HARDENING C2): the request goes to the checked IP itself, with the
        Host header and TLS SNI on the name. httpcore then verifies the certificate against
        `sni_hostname` ("used to confirm the hostname supplied by the SSL certificate",
        httpcore docs, Extensions). Reading `network_stream` "server_addr" after the fact
        would come too late: the request, and any GET side effect, would already be sent.
        """
        host = url.raw_host.decode("ascii")
        port = url.port or (443 if url.scheme == "https" else 80)
        addresses = await resolve_public(host, port, self._allow_private, self._resolver)
        extensions = {} if _is_ip(host) or url.scheme != "https" else {"sni_hostname": host}
        pinned = {**headers, "Host": url.netloc.decode("ascii")}
        failure: httpx.ConnectError | None = None
        for address in addresses:
            request = self._client.build_request(
                "GET", url.copy_with(host=address), headers=pinned, extensions=extensions
            )
            try:
                return await self._client.send(request, stream=True)
            except httpx.ConnectError as exc:
                failure = exc
        assert failure is not None  # resolve_public never returns an empty list
        raise failure

    async def _finish(
        self,
        response: httpx.Response,
        hops: list[str],
        etag: str | None,
        last_modified: str | None,
        permanent: bool,
    ) -> FetchResult:
        status, final = response.status_code, hops[-1]
        ctype = response.headers.get("Content-Type")
        moved = final if permanent else None
        if status == 304:  # RFC 9110 section 15.4.5: validators may be updated, else kept
            new_etag = response.headers.get("ETag") or etag
            new_modified = response.headers.get("Last-Modified") or last_modified
            return FetchResult(304, None, new_etag, new_modified, final, moved, content_type=ctype)
        if status != 200:
            wait = None
            if status in (429, 503):  # RFC 9110 section 10.2.3
                wait = parse_retry_after(response.headers.get("Retry-After"), self._clock())
            error = f"HTTP {status}"
            return FetchResult(status, None, etag, last_modified, final, None, error, wait, ctype)
        body = await self._read_body(response)
        new_etag, new_modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
        return FetchResult(200, body, new_etag, new_modified, final, moved, content_type=ctype)

    async def _read_body(self, response: httpx.Response) -> bytes:
        """Read raw bytes (never aiter_bytes) and decode them under the cap."""
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            raise _Failure(self._too_big, 200)
        coding = response.headers.get("Content-Encoding", "identity").strip().lower()
        if coding not in ("identity", "", "gzip", "x-gzip", "deflate"):
            raise _Failure("unsupported Content-Encoding", 200)
        inflater = None if coding in ("identity", "") else _Inflater(self._max_bytes, self._too_big)
        raw, received = bytearray(), 0
        if response.is_stream_consumed:  # read already (httpx.MockTransport with content=)
            chunks: AsyncIterator[bytes] = _once(response.content)
            inflater = None
        else:
            chunks = response.aiter_raw()
        async for chunk in chunks:
            received += len(chunk)
            if received > self._max_bytes:  # raw bytes are capped too, not only decoded ones
                raise _Failure(self._too_big, 200)
            if inflater is not None:
                inflater.feed(chunk)
            else:
                raw += chunk
        body = inflater.finish() if inflater is not None else bytes(raw)
        if body[:2] == GZIP_MAGIC:  # HARDENING B5: gzip bytes without Content-Encoding
            inflater = _Inflater(self._max_bytes, self._too_big)
            inflater.feed(body)
            body = inflater.finish()
        return body
