"""A fake Slack Web API on loopback that the real slack-sdk AsyncWebClient talks to.

    async with FakeSlack() as slack:
        client = AsyncWebClient(token=BOT_TOKEN, base_url=slack.base_url)
        slack.fail("chat.postMessage", status=429, retry_after=1)
        ...
        assert slack.calls_to("chat.postMessage")[-1].payload["unfurl_links"] is False

It answers like Slack (https://docs.slack.dev/reference/methods): HTTP 200 with
`{"ok": true, ...}` or `{"ok": false, "error": "..."}`, a bearer-token check, the Block Kit
limits that make Slack say invalid_blocks or msg_too_long, 429 with Retry-After and 5xx on
demand. chat.update edits a message by `channel` + `ts` (message_not_found for one that is
not there or was deleted, cant_update_message for another user's, edit_window_closed past
the workspace's edit window; blocks left out are kept, an empty list drops them), and
chat.postMessage with `thread_ts` replies in a thread (invalid_thread_ts for a malformed
ts; an unknown but well-formed one is accepted, as Slack does, with no thread to show it).
Every request is recorded with its method, decoded payload and arrival time
(time.monotonic, the event loop's clock). conversations.history lists a channel's messages
newest first, with their metadata when asked (missing_scope without channels:history). It
also serves `response_url`s (which fail or redirect on demand) and a Socket Mode WebSocket
(apps.connections.open, hello, envelopes and their acks), and signs slash commands the way
Slack does (https://docs.slack.dev/authentication/verifying-requests-from-slack).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import re
import socket
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import urlencode

from aiohttp import WSMsgType, web

_TS = re.compile(r"^\d{10}\.\d{6}$")  # a message ts as Slack writes one
BOT_TOKEN = "xoxb-0000-fake-bot-token"
APP_TOKEN = "xapp-1-A0FAKE-0000-fake-app-token"
SIGNING_SECRET = "fake-signing-secret-0123456789abcdef"
TEAM_ID = "T0FAKE"
BOT_USER = "U0BOT"
SCOPES = "chat:write,commands,chat:write.public"  # the manifest's, so doctor finds none missing
MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_TEXT = 40_000
MAX_BLOCK_CHARS = 13_000


@dataclass(frozen=True)
class Call:
    """One request as the fake received it."""

    method: str  # "chat.postMessage", ..., or "response_url"
    payload: dict[str, Any]
    headers: dict[str, str]
    at: float


@dataclass
class Fault:
    """A planned failure for the next `times` matching calls."""

    method: str
    times: int = 1
    status: int = 200
    error: str | None = None
    retry_after: int | None = None
    channel: str | None = None
    accept: bool = False  # store the message first, then fail (an ambiguous failure)
    delay: float = 0.0  # before the answer (after storing the message, with accept)


@dataclass
class FakeSlack:
    bot_token: str = BOT_TOKEN
    app_token: str = APP_TOKEN
    scopes: str = SCOPES
    calls: list[Call] = field(default_factory=list)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # channel -> lasting error
    # conversations.info: every channel is a public one the bot is in, unless changed here
    channel_info: dict[str, dict[str, Any]] = field(default_factory=dict)
    response_redirect: str = ""  # response_urls answer 307 to this URL instead of "ok"
    edit_window: float | None = None  # seconds a message stays editable (None: forever)
    replies: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    port: int = 0

    def __post_init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self._ts = itertools.count(100)
        self._sockets: list[web.WebSocketResponse] = []
        self._acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._connected = asyncio.Event()

    # -- life cycle -----------------------------------------------------------------------

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)  # slack-sdk GETs conversations.info
        app.router.add_post("/response/{key}", self._response_url)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def close(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeSlack:
        return await self.start()

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, key: str = "r1") -> str:
        return f"http://127.0.0.1:{self.port}/response/{key}"

    # -- what tests read and arrange ------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def posted(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Messages Slack accepted, in order (all channels, or one)."""
        if channel is not None:
            return list(self.messages.get(channel, []))
        return [m for ms in self.messages.values() for m in ms]

    def fail(self, method: str, **kwargs: Any) -> None:
        """Make the next call(s) to `method` fail: see Fault for the knobs."""
        self.faults.append(Fault(method=method, **kwargs))

    def refuse(self, channel: str, error: str) -> None:
        """Every post to this channel answers ok: false with this error."""
        self.refused[channel] = error

    def delete(self, channel: str, ts: str) -> None:
        """Someone deleted this message in Slack: it is gone from the channel."""
        history = self.messages.get(channel, [])
        self.messages[channel] = [m for m in history if m["ts"] != ts]

    def post_as_user(self, channel: str, text: str, user: str = "U0HUMAN") -> str:
        """A message another user wrote in the channel (the bot cannot edit it); its ts."""
        ts = f"1700000000.{next(self._ts):06d}"
        message = {"type": "message", "user": user, "ts": ts, "text": text, "blocks": None}
        self.messages.setdefault(channel, []).append(message)
        return ts

    def thread(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """The replies posted in the thread of message `ts`, in order."""
        return list(self.replies.get((channel, ts), []))

    # -- the Web API ----------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        payload = await _payload(request)
        self.calls.append(Call(method, payload, dict(request.headers), time.monotonic()))
        fault = self._fault(method, payload)
        if fault is not None and not fault.accept:
            await asyncio.sleep(fault.delay)
            return _fault_response(fault)
        result = self._answer(method, payload, _token(request, payload))
        if fault is not None:  # accepted: posted, then a slow or failed answer
            await asyncio.sleep(fault.delay)
            return _fault_response(fault)
        headers = {"X-OAuth-Scopes": self.scopes} if method == "auth.test" else {}
        return web.json_response(result, headers=headers)

    def _fault(self, method: str, payload: dict[str, Any]) -> Fault | None:
        for fault in self.faults:
            if fault.method in (method, "*") and fault.channel in (None, payload.get("channel")):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def _answer(self, method: str, payload: dict[str, Any], token: str) -> dict[str, Any]:
        if method == "apps.connections.open":
            if token != self.app_token:
                return _error("invalid_auth" if token else "not_authed")
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket?ticket=1"}
        if not token:
            return _error("not_authed")
        if token != self.bot_token:
            return _error("invalid_auth")
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://fake-team.slack.com/",
                "team": "Fake Team",
                "user": "newswatch",
                "team_id": TEAM_ID,
                "user_id": BOT_USER,
                "bot_id": "B0BOT",
                "is_enterprise_install": False,
            }
        if method == "conversations.info":
            return self._conversation(str(payload.get("channel") or ""))
        if method == "conversations.history":
            return self._history(payload)
        if method not in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            return _error("unknown_method")
        channel = str(payload.get("channel") or "")
        if not channel:
            return _error("channel_not_found")
        if channel in self.refused:
            return _error(self.refused[channel])
        if method == "chat.update":
            return self._update(channel, payload)
        problem = _check_message(payload)
        if problem:
            return _error(problem)
        ts = f"1700000000.{next(self._ts):06d}"
        message = {
            "type": "message",
            "user": BOT_USER,
            "bot_id": "B0BOT",
            "ts": ts,
            "text": payload.get("text", ""),
            "blocks": payload.get("blocks"),
            "metadata": _metadata(payload.get("metadata")),
            "_at": time.monotonic(),  # when it was posted, for the edit window (not Slack's)
        }
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        thread_ts = payload.get("thread_ts")
        if thread_ts:
            if not _TS.match(str(thread_ts)):
                return _error("invalid_thread_ts")
            message["thread_ts"] = str(thread_ts)
            self.replies.setdefault((channel, str(thread_ts)), []).append(message)
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        self.messages.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _update(self, channel: str, payload: dict[str, Any]) -> dict[str, Any]:
        """chat.update: `channel` and `ts` name the message; text and blocks replace its own
        (blocks left out are kept, `[]` removes them)."""
        old = next(
            (m for m in self.messages.get(channel, []) if m["ts"] == payload.get("ts")), None
        )
        if old is None:
            return _error("message_not_found")
        if old.get("user") != BOT_USER:
            return _error("cant_update_message")
        if self.edit_window is not None and time.monotonic() - old["_at"] > self.edit_window:
            return _error("edit_window_closed")
        blocks = payload.get("blocks")
        problem = _check_message({"text": payload.get("text"), "blocks": blocks or None})
        if problem:
            return _error(problem)
        old["text"] = payload.get("text", "")
        if blocks is not None:
            old["blocks"] = blocks or None
        old["edited"] = {"user": BOT_USER, "ts": f"1700000000.{next(self._ts):06d}"}
        return {
            "ok": True,
            "channel": channel,
            "ts": old["ts"],
            "text": old["text"],
            "message": old,
        }

    def _history(self, payload: dict[str, Any]) -> dict[str, Any]:
        """conversations.history as Slack answers it: missing_scope without channels:history,
        the newest `limit` (default 100) messages first, after `oldest` if given, and each
        message's metadata only with include_all_metadata (thread replies are not listed)."""
        scopes = self.scopes.split(",")
        if "channels:history" not in scopes:
            return {
                **_error("missing_scope"),
                "needed": "channels:history",
                "provided": self.scopes,
            }
        channel = str(payload.get("channel") or "")
        if not channel or self.refused.get(channel) == "channel_not_found":
            return _error("channel_not_found")
        oldest = float(payload.get("oldest") or 0)
        limit = int(payload.get("limit") or 100)
        with_metadata = str(payload.get("include_all_metadata")).lower() in ("true", "1")
        kept = [m for m in self.messages.get(channel, []) if float(m["ts"]) > oldest]
        shown = []
        for message in reversed(kept[-limit:] if limit > 0 else kept):
            public = {k: v for k, v in message.items() if not k.startswith("_")}
            if not with_metadata or public.get("metadata") is None:
                public.pop("metadata", None)
            shown.append(public)
        return {"ok": True, "messages": shown, "has_more": len(kept) > len(shown)}

    def _conversation(self, channel: str) -> dict[str, Any]:
        """conversations.info as Slack answers it: missing_scope (with `needed` and
        `provided`) without channels:read, channel_not_found for a channel refused so."""
        scopes = self.scopes.split(",")
        if "channels:read" not in scopes:
            return {**_error("missing_scope"), "needed": "channels:read", "provided": self.scopes}
        if not channel or self.refused.get(channel) == "channel_not_found":
            return _error("channel_not_found")
        info = {
            "id": channel,
            "name": f"news-{channel.lower()}",
            "is_channel": True,
            "is_private": False,
            "is_archived": False,
            "is_member": True,
        }
        return {"ok": True, "channel": {**info, **self.channel_info.get(channel, {})}}

    async def _response_url(self, request: web.Request) -> web.Response:
        payload = await _payload(request)
        payload["_key"] = request.match_info["key"]
        self.calls.append(Call("response_url", payload, dict(request.headers), time.monotonic()))
        if self.response_redirect:
            raise web.HTTPTemporaryRedirect(self.response_redirect)
        fault = self._fault("response_url", payload)
        if fault is not None:
            return _fault_response(fault)
        return web.Response(text="ok")

    # -- Socket Mode ----------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json(
            {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0FAKE"}}
        )
        self._connected.set()
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                data = json.loads(msg.data)
                future = self._acks.pop(str(data.get("envelope_id")), None)
                if future is not None and not future.done():
                    future.set_result(data)
        self._sockets.remove(ws)
        return ws

    async def socket_send(
        self, kind: str, payload: dict[str, Any], retry_attempt: int = 0, timeout: float = 5.0
    ) -> dict[str, Any]:
        """Send an envelope over the Socket Mode connection and wait for the app's ack."""
        await asyncio.wait_for(self._connected.wait(), timeout)
        envelope_id = f"env-{next(self._ts)}"
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._acks[envelope_id] = future
        await self._sockets[-1].send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": True,
                "retry_attempt": retry_attempt,
                "retry_reason": "timeout" if retry_attempt else "",
            }
        )
        return await asyncio.wait_for(future, timeout)


def _metadata(value: Any) -> dict[str, Any] | None:
    """A message's metadata as chat.postMessage takes it: an object, or JSON of one (the
    SDK sends it as JSON in a form post)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) else None


def _error(error: str) -> dict[str, Any]:
    return {"ok": False, "error": error}


def _fault_response(fault: Fault) -> web.Response:
    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
    if fault.status >= 500:
        return web.Response(
            status=fault.status,
            text="<html>upstream error</html>",
            content_type="text/html",
            headers=headers,
        )
    error = fault.error or ("ratelimited" if fault.status == 429 else "internal_error")
    return web.json_response(_error(error), status=fault.status, headers=headers)


def _token(request: web.Request, payload: dict[str, Any]) -> str:
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        return auth.removeprefix("Bearer ").strip()
    return str(payload.get("token") or "")


async def _payload(request: web.Request) -> dict[str, Any]:
    """The arguments, whichever way slack-sdk sent them: query, form or JSON body."""
    payload: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        payload.update(await request.json())
    elif request.can_read_body:
        payload.update(dict(await request.post()))
        if isinstance(payload.get("blocks"), str):  # form-encoded blocks are a JSON string
            payload["blocks"] = json.loads(payload["blocks"])
    return payload


def _check_message(payload: dict[str, Any]) -> str | None:
    """Slack's own refusals for a message payload, or None."""
    blocks = payload.get("blocks")
    text = payload.get("text")
    if not text and not blocks:
        return "no_text"
    if text is not None and len(str(text)) > MAX_TEXT:
        return "msg_too_long"
    if blocks is None:
        return None
    if not isinstance(blocks, list) or not blocks or len(blocks) > MAX_BLOCKS:
        return "invalid_blocks"
    total = 0
    for block in blocks:
        if not isinstance(block, dict) or block.get("type") not in (
            "section",
            "context",
            "header",
            "divider",
            "rich_text",
            "actions",
            "image",
        ):
            return "invalid_blocks"
        texts = [block["text"]] if "text" in block else []
        texts += [e for e in block.get("elements", []) if e.get("type") in ("plain_text", "mrkdwn")]
        for obj in texts:
            if obj.get("type") not in ("plain_text", "mrkdwn") or not obj.get("text"):
                return "invalid_blocks"
            if block["type"] == "header" and obj["type"] != "plain_text":
                return "invalid_blocks"
            limit = MAX_HEADER if block["type"] == "header" else MAX_SECTION
            if len(obj["text"]) > limit:
                return "invalid_blocks"
            total += len(obj["text"])
    return "msg_blocks_too_long" if total > MAX_BLOCK_CHARS else None


def sign(
    body: str | bytes, timestamp: int | None = None, secret: str = SIGNING_SECRET
) -> dict[str, str]:
    """The headers Slack sends with a signed request (v0 HMAC-SHA256 of v0:ts:body).

    `body` may be bytes, so a test can sign a body that is not valid UTF-8.
    """
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    raw = body if isinstance(body, bytes) else body.encode()
    base = f"v0:{stamp}:".encode() + raw
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": "application/x-www-form-urlencoded",
    }


def slash_command(
    command: str,
    text: str,
    *,
    response_url: str,
    channel: str = "C123",
    user: str = "U1",
    trigger_id: str = "1337.42.abcdef",
) -> dict[str, str]:
    """A slash command payload as Slack sends it (text with &, <, > as entities)."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return {
        "token": "deprecated-verification-token",
        "team_id": TEAM_ID,
        "team_domain": "fake",
        "channel_id": channel,
        "channel_name": "news",
        "user_id": user,
        "user_name": "someone",
        "command": command,
        "text": escaped,
        "api_app_id": "A0FAKE",
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def form(payload: dict[str, str]) -> str:
    return urlencode(payload)


def free_port() -> int:
    """A loopback port nothing listens on now, for the app's HTTP mode listener."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Mentions as Slack reads them in message text (https://docs.slack.dev/messaging/formatting-
# message-text#mentioning-users): special mentions, user groups and members, with an optional
# `|label`. An escaped `&lt;!here&gt;` is text, and so is anything in a plain_text object.
LIVE_MENTION = re.compile(
    r"<(!here|!channel|!everyone|!subteam\^[A-Z0-9]+|@[UW][A-Z0-9]+)(?:\|[^>]*)?>"
)


def pings(message: dict[str, Any]) -> list[str]:
    """Whom a posted message notifies, each once in order (`!here`, `!subteam^S1`, `@U1`):
    the mentions in its top-level text and in the mrkdwn of its blocks (section text and
    fields, context elements); plain_text never mentions anyone."""
    texts = [str(message.get("text") or "")]
    for block in message.get("blocks") or []:
        objects = [block.get("text") or {}, *block.get("fields", []), *block.get("elements", [])]
        texts += [str(o.get("text", "")) for o in objects if o.get("type") == "mrkdwn"]
    found = (match.group(1) for text in texts for match in LIVE_MENTION.finditer(text))
    return list(dict.fromkeys(found))
