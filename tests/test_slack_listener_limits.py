"""The Slack HTTP listener at the HTTP level (red-team issue 11 item 3): whoever can reach the
port gets a quiet 4xx for malformed HTTP, a deadline for the body, caps on body and header
size and on open connections, and the log gets no traceback. Everything is written byte for
byte to the real listener on loopback."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.slack import SlackAdapter
from adapters.slack_listener import ListenerLimits
from tests.fakes.slack import FakeSlack, sign
from tests.test_slack_http_mode import command_body, loud, make_config, started

HANG_GUARD = 10.0  # only stops a broken listener from hanging the suite


@pytest.fixture
async def adapter(
    tmp_path: Path, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[SlackAdapter]:
    """HTTP mode with a short body deadline and a small connection cap, so tests can reach them."""
    from tests.fakes.slack import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET

    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    limits = ListenerLimits(body_deadline=0.5, idle_deadline=0.5, max_connections=4)
    instance = await started(make_config(tmp_path, slack), limits)
    try:
        yield instance
    finally:
        await instance.close()


async def exchange(port: int, data: bytes, hang_up: bool = False) -> bytes:
    """Write raw bytes, then read all the listener answers until it closes the connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    if hang_up:
        writer.close()
        await writer.wait_closed()
        return b""
    try:
        return await asyncio.wait_for(reader.read(), HANG_GUARD)
    finally:
        writer.close()


def status_of(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1."), answer[:200]
    return int(answer.split()[1])


def head(*lines: str) -> bytes:
    return ("\r\n".join(["POST /slack/events HTTP/1.1", "Host: x", *lines]) + "\r\n\r\n").encode()


@pytest.mark.parametrize(
    ("data", "status"),
    [
        pytest.param(head("Content-Length: -1"), 400, id="negative-content-length"),
        pytest.param(head("Content-Length: 1x"), 400, id="content-length-not-a-number"),
        pytest.param(
            head("Content-Length: 0", "Connection: close") + b"GARBAGE \x00\xff\r\n\r\n",
            400,
            id="data-after-connection-close",
        ),
        pytest.param(head("X-Big: " + "a" * 100_000), 400, id="100-kb-header"),
        pytest.param(head(*(f"X-{n}: {n}" for n in range(500))), 400, id="500-headers"),
        pytest.param(b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 404, id="get"),
        pytest.param(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" * 20, 400, id="tls-hello"),
    ],
)
async def test_malformed_http_gets_a_quiet_4xx(
    adapter: SlackAdapter, caplog: pytest.LogCaptureFixture, data: bytes, status: int
) -> None:
    caplog.set_level(logging.DEBUG)
    answer = await exchange(adapter.config.slack.port, data)
    assert status_of(answer) == status
    assert b"Traceback" not in answer
    assert loud(caplog, logging.WARNING) == []


async def test_a_client_that_hangs_up_mid_body_leaves_no_traceback(
    adapter: SlackAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = command_body()
    data = head(f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in sign(body).items()))
    await exchange(adapter.config.slack.port, data + body[:10], hang_up=True)
    # The next request is answered only once the listener has dealt with the first.
    answer = await exchange(adapter.config.slack.port, head("Content-Length: 0"))
    assert status_of(answer) == 401
    await asyncio.sleep(0.1)
    assert loud(caplog, logging.WARNING) == []


async def test_a_body_that_stops_coming_is_cut_off_at_the_deadline(
    adapter: SlackAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    answer = await exchange(adapter.config.slack.port, head("Content-Length: 1000") + b"x" * 10)
    assert status_of(answer) == 408
    assert loud(caplog, logging.WARNING) == []


async def test_headers_that_stop_coming_are_cut_off_at_the_idle_deadline(
    adapter: SlackAdapter,
) -> None:
    answer = await exchange(adapter.config.slack.port, b"POST /slack/events HTTP/1.1\r\nHo")
    assert answer == b""  # closed: nothing to answer a request that never arrived


@pytest.mark.parametrize(
    "lines",
    [
        pytest.param(["Content-Length: 65537"], id="declared"),
        pytest.param(["Transfer-Encoding: chunked"], id="chunked"),
    ],
)
async def test_a_body_over_64_kib_gets_413_without_being_read_whole(
    adapter: SlackAdapter, caplog: pytest.LogCaptureFixture, lines: list[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    body = b"x" * 65537
    if lines == ["Transfer-Encoding: chunked"]:
        body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    answer = await exchange(adapter.config.slack.port, head(*lines) + body)
    assert status_of(answer) == 413
    assert loud(caplog, logging.WARNING) == []


async def test_a_body_of_64_kib_is_still_read(adapter: SlackAdapter) -> None:
    body = b"x" * 65536
    answer = await exchange(adapter.config.slack.port, head(f"Content-Length: {len(body)}") + body)
    assert status_of(answer) == 401  # read whole, then refused for its signature


async def test_connections_over_the_cap_are_refused_and_the_cap_frees_up(
    adapter: SlackAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    port = adapter.config.slack.port
    held = [await asyncio.open_connection("127.0.0.1", port) for _ in range(4)]
    for _, writer in held:  # a request in progress on each: headers sent, body pending
        writer.write(head("Content-Length: 1000"))
        await writer.drain()
    await asyncio.sleep(0.05)
    over = await exchange(port, head("Content-Length: 0"))
    assert status_of(over) == 503
    for reader, writer in held:
        await asyncio.wait_for(reader.read(), HANG_GUARD)  # each cut off at the deadline
        writer.close()
    assert status_of(await exchange(port, head("Content-Length: 0"))) == 401
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) <= 1
    assert not [r for r in caplog.records if r.exc_info]
