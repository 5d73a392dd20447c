"""Fetcher against a real loopback server (and httpx.MockTransport where a public host is needed).

HARDENING C1-C9, F12, F13, F15; SPEC "Polling" limits. Loopback tests set allow_private.
"""

from __future__ import annotations

import asyncio
import gzip
import shutil
import socket
import ssl
import subprocess
import time
import zlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest

from bot.backoff import MAX_RETRY_AFTER
from bot.ingest.fetch import Fetcher, FetchResult
from tests.feedserver import FeedServer, endless

# The `feed_server` fixture comes from tests/conftest.py (importing it here too trips F811).

RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
PUBLIC_IP = "93.184.216.34"
Handler = Callable[[httpx.Request], httpx.Response]


def loopback(**options: object) -> Fetcher:
    return Fetcher(allow_private=True, **options)  # type: ignore[arg-type]


def static_dns(table: dict[str, list[str]]) -> Callable[[str, int], Awaitable[list[str]]]:
    async def resolve(host: str, port: int) -> list[str]:
        return list(table[host])

    return resolve


def mock(handler: Handler, dns: dict[str, list[str]] | None = None, **options: object) -> Fetcher:
    """A Fetcher whose network is `handler` and whose DNS is `dns` (public by default)."""
    table = dns or {"feed.example": [PUBLIC_IP], "other.example": [PUBLIC_IP]}
    return Fetcher(
        transport=httpx.MockTransport(handler),
        resolver=static_dns(table),
        **options,  # type: ignore[arg-type]
    )


async def get(fetcher: Fetcher, url: str, **validators: str) -> FetchResult:
    async with fetcher:
        return await fetcher.fetch(url, **validators)


# -- status codes and validators ---------------------------------------------------------------


async def test_200_returns_the_body_validators_and_content_type(feed_server: FeedServer) -> None:
    feed_server.add(
        "/feed.xml",
        RSS,
        content_type="application/rss+xml",
        etag='"v1"',
        last_modified="Mon, 01 Jan 2024 00:00:00 GMT",
    )
    result = await get(loopback(), feed_server.url("/feed.xml"))
    assert result.ok and result.status == 200 and result.error is None
    assert result.body == RSS
    assert (result.etag, result.last_modified) == ('"v1"', "Mon, 01 Jan 2024 00:00:00 GMT")
    assert result.content_type == "application/rss+xml"
    assert result.final_url == feed_server.url("/feed.xml") and result.permanent_url is None
    request = feed_server.requests[-1]
    assert request.headers.get("Accept-Encoding") == "gzip, deflate"
    assert request.headers.get("User-Agent", "").startswith("newswatch/")


async def test_304_when_the_sent_validators_match(feed_server: FeedServer) -> None:
    modified = "Mon, 01 Jan 2024 00:00:00 GMT"
    feed_server.add("/feed.xml", RSS, etag='"v1"', last_modified=modified)
    result = await get(
        loopback(), feed_server.url("/feed.xml"), etag='"v1"', last_modified=modified
    )
    assert result.not_modified and result.ok and result.status == 304
    assert result.body is None and result.error is None
    assert (result.etag, result.last_modified) == ('"v1"', modified)
    sent = feed_server.requests[-1].headers
    assert sent.get("If-None-Match") == '"v1"' and sent.get("If-Modified-Since") == modified


async def test_304_on_last_modified_alone(feed_server: FeedServer) -> None:
    modified = "Mon, 01 Jan 2024 00:00:00 GMT"
    feed_server.add("/feed.xml", RSS, last_modified=modified)
    result = await get(loopback(), feed_server.url("/feed.xml"), last_modified=modified)
    assert result.not_modified and result.last_modified == modified


async def test_no_conditional_headers_without_validators(feed_server: FeedServer) -> None:
    feed_server.add("/feed.xml", RSS, etag='"v1"')
    await get(loopback(), feed_server.url("/feed.xml"))
    sent = feed_server.requests[-1].headers
    assert sent.get("If-None-Match") is None and sent.get("If-Modified-Since") is None


async def test_500_is_an_error_with_the_status(feed_server: FeedServer) -> None:
    feed_server.add("/feed.xml", b"oops", status=500)
    result = await get(loopback(), feed_server.url("/feed.xml"))
    assert (result.status, result.error, result.body, result.ok) == (500, "HTTP 500", None, False)
    assert result.retry_after is None


async def test_429_retry_after_in_seconds(feed_server: FeedServer) -> None:
    feed_server.add("/feed.xml", status=429, headers={"Retry-After": "120"})
    result = await get(loopback(), feed_server.url("/feed.xml"))
    assert (result.status, result.error, result.retry_after) == (429, "HTTP 429", 120.0)


async def test_503_retry_after_as_an_http_date(feed_server: FeedServer) -> None:
    now = 1_750_000_000.0
    when = format_datetime(datetime.fromtimestamp(now + 300, UTC), usegmt=True)
    feed_server.add("/feed.xml", status=503, headers={"Retry-After": when})
    result = await get(loopback(clock=lambda: now), feed_server.url("/feed.xml"))
    assert (result.status, result.retry_after) == (503, 300.0)


async def test_a_huge_retry_after_is_capped_at_six_hours(feed_server: FeedServer) -> None:
    feed_server.add("/feed.xml", status=429, headers={"Retry-After": "86400000"})
    result = await get(loopback(), feed_server.url("/feed.xml"))
    assert result.retry_after == MAX_RETRY_AFTER == 6 * 3600


# The Retry-After table of cases (seconds, HTTP-dates, garbage) is in tests/test_backoff.py.


# -- time and size limits ----------------------------------------------------------------------


async def test_a_slow_server_hits_the_total_deadline(feed_server: FeedServer) -> None:
    # One byte every 0.3 s never trips a per-read timeout; the total deadline must.
    feed_server.add("/slow.xml", RSS, byte_delay=0.3)
    started = time.monotonic()
    result = await get(loopback(timeout=1.5), feed_server.url("/slow.xml"))
    elapsed = time.monotonic() - started
    assert result.error == "timeout after 1.5s" and result.body is None
    assert 1.4 < elapsed < 3.0


async def test_a_body_over_the_cap_is_refused(feed_server: FeedServer) -> None:
    feed_server.add("/big.xml", b"x" * 5000)
    result = await get(loopback(max_bytes=1000), feed_server.url("/big.xml"))
    assert (result.status, result.body, result.error) == (200, None, "response over 1000 bytes")


async def test_the_default_cap_is_named_in_mebibytes(feed_server: FeedServer) -> None:
    feed_server.add("/big.xml", stream=endless())
    result = await get(loopback(), feed_server.url("/big.xml"))
    assert result.error == "response over 10 MiB"


async def test_a_lying_content_length_with_an_endless_body_is_cut_at_the_cap(
    feed_server: FeedServer,
) -> None:
    feed_server.add("/liar.xml", stream=endless(), content_length=10 * 1024)
    result = await get(loopback(max_bytes=64 * 1024), feed_server.url("/liar.xml"))
    # httpx reads Content-Length bytes, then the rest is junk on a closed connection.
    assert result.body is not None and len(result.body) == 10 * 1024


async def test_an_endless_chunked_body_is_cut_at_the_cap(feed_server: FeedServer) -> None:
    feed_server.add("/endless.xml", stream=endless())
    result = await get(loopback(max_bytes=256 * 1024), feed_server.url("/endless.xml"))
    assert result.error == "response over 256 KiB"


# -- content codings ---------------------------------------------------------------------------


async def test_a_gzip_body_is_decoded(feed_server: FeedServer) -> None:
    feed_server.add("/feed.xml", RSS, gzip=True)
    result = await get(loopback(), feed_server.url("/feed.xml"))
    assert result.body == RSS


async def test_a_gzip_bomb_is_cut_at_the_decoded_cap(feed_server: FeedServer) -> None:
    feed_server.add("/bomb.xml", b"\0" * (20 * 1024 * 1024), gzip=True)  # ~20 KB on the wire
    result = await get(loopback(max_bytes=1024 * 1024), feed_server.url("/bomb.xml"))
    assert (result.body, result.error) == (None, "response over 1 MiB")


async def test_raw_gzip_without_content_encoding_is_decoded(feed_server: FeedServer) -> None:
    feed_server.add("/compressed.xml", gzip.compress(RSS), content_type="application/xml")
    result = await get(loopback(), feed_server.url("/compressed.xml"))
    assert result.body == RSS


async def test_a_raw_gzip_bomb_without_content_encoding_is_cut_at_the_cap(
    feed_server: FeedServer,
) -> None:
    feed_server.add("/bomb.xml", gzip.compress(b"\0" * (8 * 1024 * 1024)))
    result = await get(loopback(max_bytes=1024 * 1024), feed_server.url("/bomb.xml"))
    assert result.error == "response over 1 MiB"


@pytest.mark.parametrize("wbits", [15, -15], ids=["zlib", "raw-deflate"])
async def test_deflate_bodies_are_decoded_in_both_forms(
    feed_server: FeedServer, wbits: int
) -> None:
    packer = zlib.compressobj(wbits=wbits)
    body = packer.compress(RSS) + packer.flush()
    feed_server.add("/feed.xml", body, headers={"Content-Encoding": "deflate"})
    result = await get(loopback(), feed_server.url("/feed.xml"))
    assert result.body == RSS


async def test_truncated_gzip_is_an_error(feed_server: FeedServer) -> None:
    feed_server.add("/cut.xml", gzip.compress(RSS * 50)[:-20], headers={"Content-Encoding": "gzip"})
    result = await get(loopback(), feed_server.url("/cut.xml"))
    assert (result.body, result.error) == (None, "truncated compressed body")


async def test_corrupt_gzip_is_an_error(feed_server: FeedServer) -> None:
    feed_server.add("/bad.xml", b"\x1f\x8b" + b"garbage" * 10, headers={"Content-Encoding": "gzip"})
    result = await get(loopback(), feed_server.url("/bad.xml"))
    assert result.error == "corrupt compressed body"


# -- redirects ---------------------------------------------------------------------------------


async def test_a_redirect_chain_is_followed_to_the_final_url(feed_server: FeedServer) -> None:
    feed_server.redirect("/a", "/b", status=302)
    feed_server.redirect("/b", "/c", status=301)
    feed_server.add("/c", RSS)
    result = await get(loopback(), feed_server.url("/a"))
    assert result.body == RSS and result.final_url == feed_server.url("/c")
    assert result.permanent_url is None  # one hop was temporary
    assert [r.path for r in feed_server.requests] == ["/a", "/b", "/c"]


async def test_permanent_redirects_report_the_new_url(feed_server: FeedServer) -> None:
    feed_server.redirect("/old", "/older", status=301)
    feed_server.redirect("/older", "/new", status=308)
    feed_server.add("/new", RSS)
    result = await get(loopback(), feed_server.url("/old"))
    assert result.permanent_url == feed_server.url("/new")


async def test_five_redirects_are_allowed(feed_server: FeedServer) -> None:
    for i in range(5):
        feed_server.redirect(f"/r{i}", f"/r{i + 1}")
    feed_server.add("/r5", RSS)
    result = await get(loopback(), feed_server.url("/r0"))
    assert result.ok


async def test_six_redirects_are_refused(feed_server: FeedServer) -> None:
    for i in range(6):
        feed_server.redirect(f"/r{i}", f"/r{i + 1}")
    feed_server.add("/r6", RSS)
    result = await get(loopback(), feed_server.url("/r0"))
    assert (result.error, result.body) == ("too many redirects", None)
    assert len(feed_server.requests) == 6  # /r6 never asked


async def test_a_redirect_loop_is_detected(feed_server: FeedServer) -> None:
    feed_server.redirect("/a", "/b")
    feed_server.redirect("/b", "/a")
    result = await get(loopback(), feed_server.url("/a"))
    assert result.error == "redirect loop" and len(feed_server.requests) == 2


async def test_a_redirect_to_a_private_address_is_refused() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(302, headers={"Location": "http://127.0.0.1:6379/"})

    result = await get(mock(handler), "http://feed.example/feed.xml")
    assert result.error == "blocked: resolves to a private address"
    assert len(seen) == 1 and result.final_url == "http://127.0.0.1:6379/"


async def test_a_redirect_to_a_name_resolving_privately_is_refused() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(301, headers={"Location": "https://internal.example/"})

    dns = {"feed.example": [PUBLIC_IP], "internal.example": ["10.1.2.3"]}
    result = await get(mock(handler, dns), "https://feed.example/feed.xml")
    assert result.error == "blocked: resolves to a private address" and len(seen) == 1


async def test_an_https_to_http_downgrade_is_refused() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Host"])
        return httpx.Response(302, headers={"Location": "http://other.example/feed.xml"})

    result = await get(mock(handler), "https://feed.example/feed.xml")
    assert result.error == "redirect from https to http refused" and seen == ["feed.example"]


@pytest.mark.parametrize(
    ("location", "scheme"),
    [
        ("data:,hello", "data"),
        ("file:///etc/passwd", "file"),
        ("ftp://ftp.example/feed.xml", "ftp"),
        ("javascript:alert(1)", "javascript"),
        ("gopher://gopher.example/1", "gopher"),
    ],
)
async def test_a_redirect_to_a_non_http_url_is_a_failure_with_its_scheme(
    feed_server: FeedServer, location: str, scheme: str, caplog: pytest.LogCaptureFixture
) -> None:
    feed_server.add("/feed.xml", status=302, headers={"Location": location})
    result = await get(loopback(), feed_server.url("/feed.xml"))
    assert (result.error, result.body) == (f"redirect to a non-http(s) URL ({scheme}:)", None)
    assert len(feed_server.requests) == 1
    assert not [r for r in caplog.records if r.exc_info]  # a refusal, not a crash


async def test_a_redirect_to_a_malformed_url_is_a_failure_that_says_so(
    feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    feed_server.add("/feed.xml", status=301, headers={"Location": "http://a:notaport/"})
    result = await get(loopback(), feed_server.url("/feed.xml"))
    assert result.error == "redirect to a malformed URL"
    assert not [r for r in caplog.records if r.exc_info]


# -- transport failures ------------------------------------------------------------------------


async def test_connection_refused_is_a_short_reason() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = await get(loopback(), f"http://127.0.0.1:{port}/feed.xml")
    assert (result.status, result.error) == (None, "connection refused")


async def test_connection_reset_is_a_short_reason(feed_server: FeedServer) -> None:
    feed_server.add("/reset", reset=True)
    result = await get(loopback(), feed_server.url("/reset"))
    assert (result.status, result.error) == (None, "connection reset")


async def test_a_dns_failure_is_a_short_reason() -> None:
    async def no_such_name(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    result = await get(Fetcher(resolver=no_such_name), "https://nowhere.example/feed")
    assert result.error == "DNS lookup failed"


@pytest.mark.parametrize(
    ("raised", "reason"),
    [
        (httpx.RemoteProtocolError("peer closed connection"), "protocol error"),
        (httpx.ReadTimeout("timed out"), "timeout after 30s"),
        (httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED]"), "connection failed"),
        (RuntimeError("a bug"), "internal error (RuntimeError)"),
    ],
)
async def test_transport_exceptions_become_reasons_and_never_escape(
    raised: Exception, reason: str
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise raised

    result = await get(mock(handler), "https://feed.example/feed.xml?token=s3cret")
    assert (result.status, result.error) == (None, reason)


# -- SSRF at fetch time (HARDENING C1, C2) -----------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:6379/",
        "http://[::1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/",
        "http://0x7f.1/",
        "http://2130706433/",
        "http://localhost./",
        "http://[::ffff:127.0.0.1]/",
    ],
)
async def test_every_c1_url_is_refused_before_any_connection(url: str) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    fetcher = Fetcher(transport=httpx.MockTransport(handler))
    result = await get(fetcher, url)
    assert result.error == "blocked: resolves to a private address" and seen == []


async def test_a_name_resolving_to_loopback_is_refused_with_no_connection(
    feed_server: FeedServer,
) -> None:
    feed_server.add("/feed.xml", RSS)
    fetcher = Fetcher(resolver=static_dns({"public.example": ["127.0.0.1"]}))
    result = await get(fetcher, feed_server.url("/feed.xml", host="public.example"))
    assert result.error == "blocked: resolves to a private address"
    assert feed_server.connections == 0 and feed_server.requests == []


async def test_the_checked_address_is_the_one_connected_with_the_host_kept(
    feed_server: FeedServer,
) -> None:
    # "feed.test" exists only in this resolver: success proves the socket went to its answer.
    feed_server.add("/feed.xml", RSS)
    fetcher = loopback(resolver=static_dns({"feed.test": ["127.0.0.1"]}))
    result = await get(fetcher, feed_server.url("/feed.xml", host="feed.test"))
    assert result.body == RSS
    assert result.final_url == feed_server.url("/feed.xml", host="feed.test")
    assert feed_server.requests[-1].headers.get("Host") == f"feed.test:{feed_server.port}"


async def test_dns_rebinding_cannot_swap_the_address_after_the_check() -> None:
    answers = iter([[PUBLIC_IP], ["127.0.0.1"]])
    lookups: list[str] = []

    async def rebinding(host: str, port: int) -> list[str]:
        lookups.append(host)
        return next(answers)

    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=RSS)

    fetcher = Fetcher(transport=httpx.MockTransport(handler), resolver=rebinding)
    result = await get(fetcher, "https://rebind.example/feed.xml")
    assert result.body == RSS and lookups == ["rebind.example"]
    [request] = seen
    assert request.url.host == PUBLIC_IP and request.headers["Host"] == "rebind.example"
    assert request.extensions["sni_hostname"] == "rebind.example"


# -- concurrency -------------------------------------------------------------------------------


async def test_at_most_four_requests_at_once_per_host(feed_server: FeedServer) -> None:
    feed_server.add("/slow.xml", RSS, delay=0.25)
    async with loopback() as fetcher:
        results = await asyncio.gather(
            *(fetcher.fetch(feed_server.url(f"/slow.xml?n={i}")) for i in range(10))
        )
    assert all(r.ok for r in results)
    assert feed_server.max_in_flight == 4 and len(feed_server.requests) == 10


async def test_waiting_for_a_host_slot_does_not_eat_the_deadline(feed_server: FeedServer) -> None:
    feed_server.add("/slow.xml", RSS, delay=0.6)
    async with loopback(timeout=1.0, per_host=1) as fetcher:
        results = await asyncio.gather(
            *(fetcher.fetch(feed_server.url("/slow.xml")) for _ in range(3))
        )
    assert [r.error for r in results] == [None, None, None]


async def test_a_hanging_feed_does_not_hold_up_another_host(feed_server: FeedServer) -> None:
    feed_server.add("/hang.xml", RSS, delay=5.0)
    feed_server.add("/feed.xml", RSS)
    dns = static_dns({"slow.test": ["127.0.0.1"], "fast.test": ["127.0.0.1"]})
    async with loopback(timeout=1.0, per_host=1, resolver=dns) as fetcher:
        hanging = asyncio.ensure_future(fetcher.fetch(feed_server.url("/hang.xml", "slow.test")))
        await asyncio.sleep(0.05)
        started = time.monotonic()
        fast = await fetcher.fetch(feed_server.url("/feed.xml", "fast.test"))
        assert fast.ok and time.monotonic() - started < 0.5
        assert (await hanging).error == "timeout after 1s"


async def test_cookies_are_not_kept_between_fetches(feed_server: FeedServer) -> None:
    feed_server.add("/feed.xml", RSS, headers={"Set-Cookie": "session=abc; Path=/"})
    async with loopback() as fetcher:
        await fetcher.fetch(feed_server.url("/feed.xml"))
        await fetcher.fetch(feed_server.url("/feed.xml"))
    assert [r.headers.get("Cookie") for r in feed_server.requests] == [None, None]


# -- secrets (HARDENING F15) -------------------------------------------------------------------


async def test_error_strings_never_contain_the_query_string(feed_server: FeedServer) -> None:
    secret = "token=s3cr3t-value"
    feed_server.add("/500", status=500)
    feed_server.add("/slow", RSS, byte_delay=0.5)
    feed_server.add("/reset", reset=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    urls = [
        feed_server.url(f"/500?{secret}"),
        feed_server.url(f"/slow?{secret}"),
        feed_server.url(f"/reset?{secret}"),
        f"http://127.0.0.1:{closed_port}/?{secret}",
        f"ftp://127.0.0.1/?{secret}",
    ]
    async with loopback(timeout=1.0) as fetcher:
        results = await asyncio.gather(*(fetcher.fetch(url) for url in urls))
    async with Fetcher() as strict:
        results.append(await strict.fetch(f"http://10.0.0.1/?{secret}"))
    assert all(r.error for r in results)
    for result in results:
        assert "s3cr3t" not in (result.error or "") and "?" not in (result.error or "")


# -- TLS (certificate checked against the name, not the pinned IP) ----------------------------


def _certificate(tmp: Path, name: str) -> tuple[Path, Path]:
    cert, key = tmp / f"{name}.pem", tmp / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-days", "1", "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
@pytest.mark.parametrize(("asked", "ok"), [("feed.test", True), ("other.test", False)])
async def test_tls_is_verified_against_the_host_name(tmp_path: Path, asked: str, ok: bool) -> None:
    cert, key = _certificate(tmp_path, "feed.test")
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    client_ctx = ssl.create_default_context(cafile=str(cert))
    with FeedServer(tls=server_ctx) as server:
        server.add("/feed.xml", RSS)
        fetcher = Fetcher(
            allow_private=True,
            transport=httpx.AsyncHTTPTransport(verify=client_ctx),
            resolver=static_dns({asked: ["127.0.0.1"]}),
        )
        result = await get(fetcher, server.url("/feed.xml", host=asked))
    assert (result.body == RSS) is ok
    assert result.error == (None if ok else "TLS error")


async def test_repeated_fetches_look_for_no_module_on_disk(feed_server: FeedServer) -> None:
    """A quiet poll is mostly fetches: none may search sys.path again (httpcore imports
    sniffio at every pool lock; were it missing, each fetch would search for it anew)."""
    import sys
    from importlib.abc import MetaPathFinder

    searched: list[str] = []

    class Recorder(MetaPathFinder):
        def find_spec(self, name: str, path: object = None, target: object = None) -> None:
            searched.append(name)

    feed_server.add("/feed.xml", RSS, etag='"v1"')
    async with loopback() as fetcher:
        await fetcher.fetch(feed_server.url("/feed.xml"))  # the first fetch may import lazily
        sys.meta_path.insert(0, Recorder())
        try:
            for _ in range(20):
                result = await fetcher.fetch(feed_server.url("/feed.xml"), etag='"v1"')
                assert result.not_modified
        finally:
            sys.meta_path.pop(0)
    assert searched == []
