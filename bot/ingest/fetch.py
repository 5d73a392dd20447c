"""Fetch one feed URL: conditional GET, capped size and time, checked redirects, no SSRF.

httpx alone has no size cap, no SSRF guard and only per-read timeouts, and its error text
holds full URLs (HARDENING). So redirects are followed here hop by hop, each hop resolved
and checked (bot.ingest.redirects), the body is decoded under a cap (bot.ingest.body), and
every failure becomes a short reason (bot.ingest.reasons).
Logging: `bot.ops.logs.setup_logging` holds the "httpx" logger at WARNING, since httpx logs full
URLs at INFO; this module never logs a URL.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
import zlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http.cookiejar import Cookie, CookieJar
from types import TracebackType

import httpx

from bot.backoff import parse_retry_after
from bot.ingest.body import read_body
from bot.ingest.hostslots import SharedSlots, shared_slot
from bot.ingest.netguard import BlockedAddress, Resolver, parse_http_url, resolve_public
from bot.ingest.reasons import FetchFailure, describe
from bot.ingest.redirects import PERMANENT, REDIRECTS, check_location, next_hop

log = logging.getLogger("newswatch.fetch")

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


class _NoCookies(CookieJar):
    """Keep no cookies: requests go to IP URLs, so a jar would share them across one CDN IP."""

    def set_cookie(self, cookie: Cookie) -> None:
        return None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


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
        self._slots: dict[str, asyncio.Semaphore] = {}
        # With several workers on one database, the host's slots among all of them too.
        self.shared_slots: SharedSlots | None = None
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
            event_hooks={"response": [check_location]},
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
        except FetchFailure as exc:
            reason, status = exc.reason, exc.status
        except BlockedAddress as exc:
            reason = f"blocked: {exc}"
        except (httpx.HTTPError, OSError, zlib.error) as exc:  # TimeoutError is an OSError
            reason = describe(exc, self._timeout)
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
                    hops.append(next_hop(url, location, hops, status))
                    permanent = permanent and status in PERMANENT
                finally:
                    await response.aclose()
        raise FetchFailure("too many redirects", status)

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
            async with shared_slot(self.shared_slots, host, self._per_host, deadline):
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
        body = await read_body(response, self._max_bytes)
        new_etag, new_modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
        return FetchResult(200, body, new_etag, new_modified, final, moved, content_type=ctype)
