"""Slack HTTP mode at its edges: what reaches the listener, where answers go, where it listens.

Requests are written byte for byte to the real listener on loopback (any header, any body),
so the checks run exactly as they do for whoever can reach the port. Answers go to a
response_url only on Slack's own hosts or the configured api_url's origin; a second fake
Slack stands in for a host that must never receive them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from adapters.slack import SlackAdapter
from adapters.slack_listener import ListenerLimits
from adapters.slack_request import MalformedRequest, parse_body, signature_ok
from adapters.slack_response_url import (
    ResponseUrlRefused,
    check_response_url,
    post_response,
)
from bot.chat.commands import handle
from bot.config import Config, ConfigError, SlackConfig, load_config
from bot.ops.logs import redact
from bot.store.db import open_db
from tests.fakes.slack import (
    SIGNING_SECRET,
    FakeSlack,
    form,
    free_port,
    sign,
    slash_command,
)

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
SECRET_KEY = "T0SECRET/1234567890/AbCdEfSecretKey"  # the part of a response_url that is a key


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy in the environment changes how a response_url is reached: tests say when."""
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def victim() -> AsyncIterator[FakeSlack]:
    """Another server on loopback that a response_url might point at."""
    async with FakeSlack() as fake:
        yield fake


def make_config(tmp_path: Path, slack: FakeSlack, **extra: Any) -> Config:
    return Config(
        path=None,
        database=tmp_path / "nw.db",
        slack=SlackConfig(mode="http", port=free_port(), api_url=slack.base_url, **extra),
    )


async def started(config: Config, limits: ListenerLimits | None = None) -> SlackAdapter:
    instance = SlackAdapter(config)
    instance.interval = 0.0
    if limits is not None:
        instance.listener_limits = limits
    db = open_db(config.database)
    instance.on_command = lambda command: handle(db, command, time.time())
    await instance.start()
    return instance


@pytest.fixture
async def adapter(tmp_path: Path, slack: FakeSlack, slack_env: None) -> AsyncIterator[SlackAdapter]:
    """A started adapter in HTTP mode on the default host, commands on a real SQLite store."""
    instance = await started(make_config(tmp_path, slack))
    try:
        yield instance
    finally:
        await instance.close()


async def raw_post(
    port: int, body: bytes, headers: dict[str, str], host: str = "127.0.0.1"
) -> tuple[int, bytes]:
    """POST /slack/events as raw bytes: headers go out UTF-8 encoded, exactly as given."""
    reader, writer = await asyncio.open_connection(host, port)
    lines = [
        "POST /slack/events HTTP/1.1",
        f"Host: {host}:{port}",
        f"Content-Length: {len(body)}",
        "Connection: close",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    writer.write("\r\n".join(lines).encode("utf-8") + b"\r\n\r\n" + body)
    await writer.drain()
    status = await reader.readline()
    rest = await reader.read()
    writer.close()
    await writer.wait_closed()
    return int(status.split()[1]), rest


async def until(predicate: Callable[[], Any], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out waiting")


def loud(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    """Log records at `level` or above, or carrying a traceback."""
    return [
        f"{r.name} {r.levelname}: {r.getMessage()}"
        for r in caplog.records
        if r.levelno >= level or r.exc_info
    ]


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """Every captured line with its structured extras, as the log formatter writes them."""
    return "\n".join(
        " ".join(
            [r.getMessage(), *(str(getattr(r, k)) for k in ("channel", "reason") if hasattr(r, k))]
        )
        for r in caplog.records
    )


def command_body(text: str = "list", response_url: str = "") -> bytes:
    return form(slash_command("/watch", text, response_url=response_url)).encode()


def wrong_signature() -> dict[str, str]:
    return {
        "X-Slack-Request-Timestamp": str(int(time.time())),
        "X-Slack-Signature": "v0=" + "0" * 64,
    }


# -- item 12: verify first, then parse --------------------------------------------------

UNREADABLE = [  # garbage whichever code reads it
    pytest.param(b"{bad", JSON, id="bad-json"),
    pytest.param(b"{bad", FORM, id="form-that-starts-with-a-brace"),
    pytest.param(b"payload=%7Bnot+json", FORM, id="payload-not-json"),
    pytest.param(b"command=%2Fwatch&text=\xff\xfe", FORM, id="invalid-utf8"),
    pytest.param(b"command=%2Fwatch&text=%FF%FE", FORM, id="percent-escaped-invalid-utf8"),
    pytest.param(b"[1, 2]", JSON, id="json-list"),
    pytest.param(b'"watch list"', JSON, id="json-string"),
    pytest.param(b"null", JSON, id="json-null"),
    pytest.param(b"[" * 60_000, JSON, id="json-nested-too-deep"),  # under the 64 KiB cap
    pytest.param(b"payload=%5B1%5D", FORM, id="payload-list"),
    pytest.param(b'{"command": "/watch", "text": {"add": 1}}', JSON, id="json-text-object"),
    pytest.param(b'{"command": ["/watch"], "text": "list"}', JSON, id="json-command-list"),
    pytest.param(b"command=%2Fwatch", "text/plain", id="not-a-form"),
]
GARBAGE = [  # plus JSON objects whose fields bolt's own context builder trips over
    *UNREADABLE,
    pytest.param(b'{"team": 5}', JSON, id="json-team-number"),
    pytest.param(b'{"authorizations": 5}', JSON, id="json-authorizations-number"),
    pytest.param(b'{"enterprise": 5, "command": "/watch"}', JSON, id="json-enterprise-number"),
]


@pytest.mark.parametrize(("body", "content_type"), GARBAGE)
async def test_unsigned_garbage_gets_401_and_not_a_line_in_the_log(
    adapter: SlackAdapter, caplog: pytest.LogCaptureFixture, body: bytes, content_type: str
) -> None:
    caplog.set_level(logging.DEBUG)
    headers = {**wrong_signature(), "Content-Type": content_type}
    status, answer = await raw_post(adapter.config.slack.port, body, headers)
    assert status == 401
    assert b"Traceback" not in answer
    assert loud(caplog, logging.WARNING) == []


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"X-Slack-Request-Timestamp": "²"}, id="superscript-two-timestamp"),
        pytest.param({"X-Slack-Request-Timestamp": "١٧٠٠٠٠٠٠٠٠"}, id="arabic-indic-digits"),
        pytest.param({"X-Slack-Request-Timestamp": "9" * 5000}, id="5000-digit-timestamp"),
        pytest.param({"X-Slack-Request-Timestamp": "-1"}, id="negative-timestamp"),
        pytest.param({"X-Slack-Request-Timestamp": ""}, id="empty-timestamp"),
        pytest.param({"X-Slack-Signature": "v0=ß"}, id="non-ascii-signature"),
        pytest.param({"X-Slack-Signature": ""}, id="empty-signature"),
        pytest.param({"X-Slack-Signature": None}, id="no-signature"),
        pytest.param({"X-Slack-Request-Timestamp": None}, id="no-timestamp"),
    ],
)
async def test_a_malformed_signature_header_gets_401_and_not_a_line_in_the_log(
    adapter: SlackAdapter,
    caplog: pytest.LogCaptureFixture,
    headers: dict[str, str | None],
) -> None:
    caplog.set_level(logging.DEBUG)
    body = command_body()
    sent = {**sign(body), **headers}
    status, answer = await raw_post(
        adapter.config.slack.port, body, {k: v for k, v in sent.items() if v is not None}
    )
    assert status == 401
    assert b"Traceback" not in answer
    assert loud(caplog, logging.WARNING) == []


@pytest.mark.parametrize(("body", "content_type"), GARBAGE)
async def test_signed_garbage_gets_400_without_a_traceback_and_runs_nothing(
    adapter: SlackAdapter,
    slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    content_type: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    headers = {**sign(body), "Content-Type": content_type}
    status, answer = await raw_post(adapter.config.slack.port, body, headers)
    assert status == 400
    assert b"Traceback" not in answer
    assert loud(caplog, logging.ERROR) == []
    assert adapter.inbound is not None and not adapter.inbound.tasks


async def test_a_command_whose_text_holds_the_word_payload_still_runs(
    adapter: SlackAdapter, slack: FakeSlack
) -> None:
    """bolt reads any form body containing "payload" as an interactivity payload."""
    body = command_body("add payload", response_url=slack.response_url())
    status, _ = await raw_post(adapter.config.slack.port, body, sign(body))
    assert status == 200
    await until(lambda: slack.calls_to("response_url"))
    [reply] = slack.calls_to("response_url")
    assert "payload" in reply.payload["text"]


@pytest.mark.parametrize(
    ("stamp", "signature", "ok"),
    [
        ("1700000000", None, True),
        ("1700000000", "v0=" + "0" * 64, False),
        ("1699999000", None, False),  # 1000 s before now: outside the 5-minute window
        ("1700000400", None, False),  # 400 s in the future
        ("²", None, False),
        ("9" * 5000, None, False),
        ("+1700000000", None, False),
        (" 1700000000", None, False),
        ("1700000000", "v0=ß", False),
        ("1700000000", "", False),
    ],
)
def test_signature_ok_reads_only_ascii_digits_and_hex(
    stamp: str, signature: str | None, ok: bool
) -> None:
    body = b"command=%2Fwatch&text=\xff"  # the HMAC is over bytes, valid UTF-8 or not
    if signature is None:
        signature = sign(body, timestamp=1700000000)["X-Slack-Signature"]
    assert signature_ok(SIGNING_SECRET, body, stamp, signature, now=1700000000.0) is ok


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b"command=%2Fwatch&text=add+payload", FORM, {"command": "/watch", "text": "add payload"}),
        (b"ssl_check=1&token=x", FORM, {"ssl_check": "1", "token": "x"}),
        (b"payload=%7B%22type%22%3A%22x%22%7D", FORM, {"type": "x"}),
        (b'{"type": "url_verification", "challenge": "c"}', JSON, None),
        (b"command=%2Fwatch&text=a%26b", f"{FORM}; charset=utf-8", {"command": "/watch"}),
    ],
)
def test_parse_body_reads_what_slack_sends(
    body: bytes, content_type: str, expected: dict[str, str] | None
) -> None:
    parsed = parse_body(body, content_type)
    assert parsed.items() >= (expected or json.loads(body)).items()


@pytest.mark.parametrize(("body", "content_type"), UNREADABLE)
def test_parse_body_refuses_garbage_with_a_reason(body: bytes, content_type: str) -> None:
    with pytest.raises(MalformedRequest) as caught:
        parse_body(body, content_type)
    assert str(caught.value)


# -- item 13: where a response_url may go -------------------------------------------------

API = "http://127.0.0.1:3000/api/"


@pytest.mark.parametrize(
    ("url", "api_url", "private_ok"),
    [
        (f"https://hooks.slack.com/commands/{SECRET_KEY}", "", False),
        (f"https://HOOKS.Slack.com/commands/{SECRET_KEY}", "", False),
        (f"https://hooks.slack.com:443/actions/{SECRET_KEY}", "", False),
        (f"https://hooks.slack-gov.com/commands/{SECRET_KEY}", "", False),
        (f"https://hooks.slack.com/commands/{SECRET_KEY}", API, False),
        (f"http://127.0.0.1:3000/response/{SECRET_KEY}", API, True),
    ],
)
def test_response_urls_on_slack_hosts_or_the_api_url_origin_are_allowed(
    url: str, api_url: str, private_ok: bool
) -> None:
    target = check_response_url(url, api_url)
    assert target.allow_private is private_ok


@pytest.mark.parametrize(
    ("url", "api_url", "host"),
    [
        (f"http://hooks.slack.com/commands/{SECRET_KEY}", "", "hooks.slack.com"),
        (f"https://hooks.slack.com:8443/commands/{SECRET_KEY}", "", "hooks.slack.com"),
        (f"https://hooks.slack.com.evil.example/{SECRET_KEY}", "", "hooks.slack.com.evil.example"),
        (f"https://evil.example/commands/{SECRET_KEY}", "", "evil.example"),
        (f"https://slack.com/api/{SECRET_KEY}", "", "slack.com"),
        (f"https://user:pw@hooks.slack.com/commands/{SECRET_KEY}", "", "hooks.slack.com"),
        (f"http://169.254.169.254/latest/{SECRET_KEY}", "", "169.254.169.254"),
        (f"http://127.0.0.1:3001/response/{SECRET_KEY}", API, "127.0.0.1"),
        (f"https://127.0.0.1:3000/response/{SECRET_KEY}", API, "127.0.0.1"),
        (f"http://localhost:3000/response/{SECRET_KEY}", API, "localhost"),
        (f"file:///etc/{SECRET_KEY}", "", ""),
        (f"not a url {SECRET_KEY}", "", ""),
    ],
)
def test_response_urls_anywhere_else_are_refused_naming_only_the_host(
    url: str, api_url: str, host: str
) -> None:
    with pytest.raises(ResponseUrlRefused) as caught:
        check_response_url(url, api_url)
    assert caught.value.host == host
    assert "SecretKey" not in str(caught.value) and "T0SECRET" not in str(caught.value)


def fixed_resolver(*answers: str) -> Any:
    async def resolve(host: str, port: int) -> list[str]:
        return list(answers)

    return resolve


@pytest.mark.parametrize(
    "answers",
    [("10.0.0.5",), ("127.0.0.1",), ("169.254.169.254",), ("3.3.3.3", "192.168.1.1"), ("::1",)],
)
async def test_a_slack_host_that_resolves_to_a_private_address_gets_no_post(
    answers: tuple[str, ...],
) -> None:
    target = check_response_url(f"https://hooks.slack.com/commands/{SECRET_KEY}", "")
    with pytest.raises(ResponseUrlRefused) as caught:
        await post_response(target, {"text": "hi"}, 5.0, resolver=fixed_resolver(*answers))
    assert caught.value.host == "hooks.slack.com"
    assert "SecretKey" not in str(caught.value)


async def test_the_post_goes_to_the_address_that_was_checked(slack: FakeSlack) -> None:
    """The name is resolved once, by us: the connection is pinned to that answer."""
    api_url = f"http://fake-slack.invalid:{slack.port}/api/"
    url = f"http://fake-slack.invalid:{slack.port}/response/r1"
    target = check_response_url(url, api_url)
    status = await post_response(target, {"text": "hi"}, 5.0, resolver=fixed_resolver("127.0.0.1"))
    assert status == 200
    [call] = slack.calls_to("response_url")
    assert call.payload["text"] == "hi"


async def test_through_an_environment_proxy_the_proxy_resolves_the_name(
    slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As slack-sdk's Web API client does, a response_url POST honours HTTPS_PROXY."""
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{slack.port}")
    url = f"http://fake-slack.invalid:{slack.port}/response/r1"
    target = check_response_url(url, f"http://fake-slack.invalid:{slack.port}/api/")
    status = await post_response(target, {"text": "hi"}, 5.0, resolver=fixed_resolver("10.9.9.9"))
    assert status == 200
    [call] = slack.calls_to("response_url")
    assert call.payload["text"] == "hi"


async def test_a_response_url_redirect_is_not_followed(slack: FakeSlack, victim: FakeSlack) -> None:
    slack.response_redirect = victim.response_url("moved")
    target = check_response_url(slack.response_url(), slack.base_url)
    status = await post_response(target, {"text": "hi"}, 5.0)
    assert status == 307
    await asyncio.sleep(0.1)
    assert victim.calls == []


@pytest.mark.parametrize(
    "where",
    [
        pytest.param(lambda v: v.response_url(SECRET_KEY.replace("/", "-")), id="loopback"),
        pytest.param(lambda v: f"http://localhost:{v.port}/response/{SECRET_KEY}", id="localhost"),
        pytest.param(lambda v: f"http://169.254.169.254/latest/{SECRET_KEY}", id="metadata"),
        pytest.param(lambda v: f"https://evil.example/commands/{SECRET_KEY}", id="foreign-host"),
        pytest.param(lambda v: f"http://hooks.slack.com/commands/{SECRET_KEY}", id="plain-http"),
    ],
)
async def test_a_signed_command_with_a_response_url_elsewhere_is_answered_in_the_channel(
    adapter: SlackAdapter,
    slack: FakeSlack,
    victim: FakeSlack,
    caplog: pytest.LogCaptureFixture,
    where: Callable[[FakeSlack], str],
) -> None:
    caplog.set_level(logging.DEBUG)
    body = command_body("list", response_url=where(victim))
    status, _ = await raw_post(adapter.config.slack.port, body, sign(body))
    assert status == 200
    await until(lambda: slack.calls_to("chat.postEphemeral"))
    assert victim.calls == [] and slack.calls_to("response_url") == []
    assert "response_url refused" in logged(caplog)
    assert "SecretKey" not in logged(caplog) and "T0SECRET" not in logged(caplog)


async def test_a_failed_response_url_is_logged_by_its_host_only(
    adapter: SlackAdapter, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    slack.fail("response_url", status=500)
    body = command_body("list", response_url=slack.response_url(SECRET_KEY.replace("/", "-")))
    await raw_post(adapter.config.slack.port, body, sign(body))
    await until(lambda: any("reply failed" in r.getMessage() for r in caplog.records))
    assert "response_url on 127.0.0.1 answered HTTP 500" in logged(caplog)
    assert "SecretKey" not in logged(caplog) and "T0SECRET" not in logged(caplog)


@pytest.mark.parametrize(
    "url",
    [
        f"https://hooks.slack.com/commands/{SECRET_KEY}",
        f"https://hooks.slack.com/actions/{SECRET_KEY}",
        f"https://hooks.slack.com/app/{SECRET_KEY}",
        f"https://hooks.slack-gov.com/commands/{SECRET_KEY}",
    ],
)
def test_the_log_redacts_slack_response_urls(url: str) -> None:
    line = redact(f"reply to {url} failed")
    assert "SecretKey" not in line and "T0SECRET" not in line


# -- item 14: where the listener listens --------------------------------------------------


def write_config(tmp_path: Path, slack_table: str) -> Path:
    path = tmp_path / "newswatch.toml"
    path.write_text(f"[slack]\n{slack_table}", encoding="utf-8")
    return path


def test_the_listener_host_defaults_to_loopback(tmp_path: Path) -> None:
    config = load_config(str(write_config(tmp_path, 'mode = "http"\n')), {})
    assert config.slack.host == "127.0.0.1"


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "0.0.0.0", "::", "::1", "10.1.2.3", "localhost", "bot.internal"]
)
def test_the_listener_host_may_be_an_address_or_a_name(tmp_path: Path, host: str) -> None:
    config = load_config(str(write_config(tmp_path, f'host = "{host}"\n')), {})
    assert config.slack.host == host


@pytest.mark.parametrize(
    "value", ['""', "3000", '"http://0.0.0.0"', '"0.0.0.0:3000"', '"a b"', '"300.1.1.1"', '"-x"']
)
def test_a_bad_listener_host_names_the_key(tmp_path: Path, value: str) -> None:
    path = write_config(tmp_path, f"host = {value}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(str(path), {})
    assert "slack.host" in str(caught.value) and str(path) in str(caught.value)


async def can_connect(host: str, port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection(host, port)
    except OSError:
        return False
    writer.close()
    await writer.wait_closed()
    return True


async def test_by_default_the_listener_is_reachable_on_loopback_only(
    adapter: SlackAdapter,
) -> None:
    port = adapter.config.slack.port
    assert await can_connect("127.0.0.1", port)
    assert not await can_connect("127.0.0.2", port)  # another address of this machine


async def test_the_listener_binds_the_configured_host(
    tmp_path: Path, slack: FakeSlack, slack_env: None
) -> None:
    instance = await started(make_config(tmp_path, slack, host="127.0.0.2"))
    try:
        port = instance.config.slack.port
        assert not await can_connect("127.0.0.1", port)
        status, _ = await raw_post(port, b"", wrong_signature(), host="127.0.0.2")
        assert status == 401
        assert any("127.0.0.2" in line for line in await instance.doctor())
    finally:
        await instance.close()
