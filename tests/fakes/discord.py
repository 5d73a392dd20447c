"""A fake Discord (REST API v10 and the gateway) on loopback that the real discord.py talks to.

    async with FakeDiscord() as fake:
        config = DiscordConfig(api_url=fake.api_url)
        fake.fail("create_message", status=429, retry_after=0.2)
        interaction = await fake.slash("watch", [sub("add", query="Sora")])
        callback = await fake.callback(interaction, timeout=3)

It answers as Discord documents (https://discord.com/developers/docs/reference): bodies
with `Content-Type: application/json` exactly (discord.py compares the header as a
string), `{"message", "code"}` errors, 429 with a `retry_after` body, `Retry-After`,
`X-RateLimit-*` and `Via` headers (discord.py treats a 429 without `Via` as a Cloudflare
ban), the message limits that make Discord say 50035, and `nonce` + `enforce_nonce`: the
same nonce from the same author within minutes returns the earlier message, not a second.
Messages can be edited (PATCH: 10008 Unknown Message for one deleted or never there, 50005
for another user's, the same limits) and replied to (`message_reference`: a reply to a
missing message is a 50035 unless `fail_if_not_exists` is false, when it posts as a plain
message); tests delete messages and post as other users.
The gateway speaks HELLO, IDENTIFY -> READY + GUILD_CREATE, heartbeat ACK and RESUME, in
zlib-stream when the client asks for it, and tests inject INTERACTION_CREATE.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import zlib
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.discord_payloads import (
    APP_ID,
    BOT_TOKEN,
    BOT_USER,
    CHANNEL_ID,
    GUILD_ID,
    MANAGE_GUILD,
    POSTING,
    Fault,
    application,
    check_edit,
    check_message,
    error,
    fault_response,
    guild,
    interaction,
    json_response,
    message,
    option,
    sub,
    text_channel,
    unknown_reference,
)

__all__ = ["APP_ID", "BOT_TOKEN", "CHANNEL_ID", "GUILD_ID", "MANAGE_GUILD", "POSTING"]
__all__ += ["Call", "FakeDiscord", "Fault", "option", "sub"]
NONCE_WINDOW = 300.0  # Discord: "within the past few minutes"
UNAUTHENTICATED = frozenset({"callback", "webhook", "webhook_edit"})  # the token is the key
ERROR_50035 = {"message": "Invalid Form Body", "code": 50035}


@dataclass(frozen=True)
class Call:
    """One request as the fake received it; `route` names the endpoint, like create_message."""

    route: str
    method: str
    path: str
    json: Any
    headers: dict[str, str]
    at: float


@dataclass
class FakeDiscord:
    token: str = BOT_TOKEN
    guild_permissions: int = POSTING
    calls: list[Call] = field(default_factory=list)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    refused: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    commands: list[dict[str, Any]] = field(default_factory=list)
    guild_commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    identify: list[dict[str, Any]] = field(default_factory=list)
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    followups: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0
    gateway_dials: list[float] = field(default_factory=list)  # when each upgrade arrived

    def __post_init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self._ids = itertools.count(5_000_000_000_000_000_000)
        self._nonces: dict[tuple[str, str], tuple[float, dict[str, Any]]] = {}
        self._sockets: list[tuple[web.WebSocketResponse, Any]] = []
        self._seq = itertools.count(1)
        self._ready = asyncio.Event()
        self._arrived = asyncio.Condition()
        self._tokens: dict[str, str] = {}  # interaction id -> token
        self._gateway_faults: list[tuple[str, int]] = []  # how the next dials fail

    # -- life cycle -----------------------------------------------------------------------

    async def start(self) -> FakeDiscord:
        app = web.Application()
        api = "/api/v10"
        routes = [
            ("GET", "/gateway/bot", "gateway_bot", self._gateway_bot),
            ("GET", "/users/@me", "me", self._me),
            ("GET", "/users/@me/guilds", "my_guilds", self._my_guilds),
            ("GET", "/oauth2/applications/@me", "application", self._application),
            ("GET", "/applications/{app}/commands", "commands", self._get_commands),
            ("PUT", "/applications/{app}/commands", "commands", self._put_commands),
            (
                "GET",
                "/applications/{app}/guilds/{guild}/commands",
                "guild_commands",
                self._get_commands,
            ),
            (
                "PUT",
                "/applications/{app}/guilds/{guild}/commands",
                "guild_commands",
                self._put_commands,
            ),
            ("GET", "/channels/{channel}", "channel", self._channel),
            ("POST", "/channels/{channel}/messages", "create_message", self._create_message),
            (
                "PATCH",
                "/channels/{channel}/messages/{message}",
                "edit_message",
                self._edit_message,
            ),
            ("POST", "/interactions/{id}/{token}/callback", "callback", self._callback),
            ("POST", "/webhooks/{app}/{token}", "webhook", self._followup),
            ("PATCH", "/webhooks/{app}/{token}/messages/{message}", "webhook_edit", self._followup),
        ]
        for method, path, name, handler in routes:
            app.router.add_route(method, api + path, self._wrap(name, handler))
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/gateway/", self._gateway)  # discord.py dials `{url}/?v=10&...`
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def close(self) -> None:
        for ws, _ in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # -- what tests read and arrange ------------------------------------------------------

    def calls_to(self, route: str) -> list[Call]:
        return [call for call in self.calls if call.route == route]

    def posted(self, channel: str = CHANNEL_ID) -> list[dict[str, Any]]:
        """Messages Discord created in a channel, in order."""
        return list(self.messages.get(channel, []))

    def fail(self, route: str, **kwargs: Any) -> None:
        """Make the next call(s) to a route fail: see Fault for the knobs."""
        self.faults.append(Fault(route=route, **kwargs))

    def fail_gateway(self, times: int = 1, how: str = "refuse", code: int = 1011) -> None:
        """Make the next `times` gateway dials fail: "refuse" answers the upgrade with 503 (an
        outage), "close" accepts it and closes at once with `code` before HELLO."""
        self._gateway_faults += [(how, code)] * times

    def refuse(self, channel: str, status: int = 403, code: int = 50001, message: str = "") -> None:
        """Every post to this channel fails like Discord (Missing Access, Unknown Channel...)."""
        self.refused[channel] = (status, code, message)

    def delete(self, message_id: str, channel: str = CHANNEL_ID) -> None:
        """Someone deleted this message in Discord."""
        self.messages[channel] = [m for m in self.posted(channel) if m["id"] != message_id]

    def post_as_user(self, content: str, channel: str = CHANNEL_ID) -> str:
        """A message another user wrote in the channel (the bot cannot edit it); its id."""
        created = message(str(next(self._ids)), channel, {"content": content})
        created["author"] = {**created["author"], "id": "6000000000000000006", "bot": False}
        self.messages.setdefault(channel, []).append(created)
        return str(created["id"])

    def find(self, message_id: str, channel: str = CHANNEL_ID) -> dict[str, Any] | None:
        return next((m for m in self.posted(channel) if m["id"] == message_id), None)

    # -- REST -----------------------------------------------------------------------------

    def _wrap(self, name: str, handler: Any) -> Any:
        async def endpoint(request: web.Request) -> web.StreamResponse:
            body = await request.json() if request.can_read_body else None
            headers = dict(request.headers)
            self.calls.append(
                Call(name, request.method, request.path, body, headers, time.monotonic())
            )
            if name not in UNAUTHENTICATED and headers.get("Authorization") != f"Bot {self.token}":
                return json_response({"message": "401: Unauthorized", "code": 0}, 401)
            fault = self._fault(name)
            if fault is not None and not fault.accept:
                await asyncio.sleep(fault.delay)
                return fault_response(fault)
            response: web.StreamResponse = await handler(request, body)
            if fault is None:
                return response
            await asyncio.sleep(fault.delay)  # accepted: created, then a slow or failed answer
            return fault_response(fault)

        return endpoint

    def _fault(self, route: str) -> Fault | None:
        for fault in self.faults:
            if fault.route in (route, "*"):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    async def _gateway_bot(self, request: web.Request, body: Any) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1}
        return json_response({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})

    async def _me(self, request: web.Request, body: Any) -> web.Response:
        return json_response(BOT_USER)

    async def _my_guilds(self, request: web.Request, body: Any) -> web.Response:
        partial = {"id": GUILD_ID, "name": "Newsroom", "icon": None, "owner": False}
        return json_response(
            [{**partial, "permissions": str(self.guild_permissions), "features": []}]
        )

    async def _application(self, request: web.Request, body: Any) -> web.Response:
        return json_response(application())

    async def _get_commands(self, request: web.Request, body: Any) -> web.Response:
        guild_id = request.match_info.get("guild")
        return json_response(self.guild_commands.get(guild_id, []) if guild_id else self.commands)

    async def _put_commands(self, request: web.Request, body: Any) -> web.Response:
        """Bulk overwrite: the given list replaces every command in that scope."""
        guild_id = request.match_info.get("guild")
        stored = [
            {**command, "id": str(next(self._ids)), "application_id": APP_ID, "version": "1"}
            | ({"guild_id": guild_id} if guild_id else {})
            for command in body or []
        ]
        if guild_id:
            self.guild_commands[guild_id] = stored
        else:
            self.commands = stored
        return json_response(stored)

    async def _channel(self, request: web.Request, body: Any) -> web.Response:
        channel = request.match_info["channel"]
        if channel in self.refused:
            return error(*self.refused[channel])
        if channel != CHANNEL_ID:
            return error(404, 10003)
        return json_response(text_channel(channel))

    async def _create_message(self, request: web.Request, body: Any) -> web.Response:
        channel = request.match_info["channel"]
        if channel in self.refused:
            return error(*self.refused[channel])
        problem = check_message(body)
        if problem:
            return json_response({**ERROR_50035, "errors": problem}, 400)
        nonce = str(body.get("nonce") or "")
        now = time.monotonic()
        if nonce and body.get("enforce_nonce"):
            earlier = self._nonces.get((channel, nonce))
            if earlier is not None and now - earlier[0] < NONCE_WINDOW:
                return json_response(earlier[1])
        reference = dict(body.get("message_reference") or {})
        replied = self.find(str(reference.get("message_id")), channel) if reference else None
        if reference and replied is None and reference.get("fail_if_not_exists", True):
            return json_response({**ERROR_50035, "errors": unknown_reference()}, 400)
        created = message(str(next(self._ids)), channel, body)
        if replied is not None:  # a reply (type 19) to a message that is there
            created.update(type=19, referenced_message=replied)
            created["message_reference"] = {"message_id": replied["id"], "channel_id": channel}
        self.messages.setdefault(channel, []).append(created)
        if nonce:
            self._nonces[(channel, nonce)] = (now, created)
        return json_response(created)

    async def _edit_message(self, request: web.Request, body: Any) -> web.Response:
        """PATCH a message: only the bot's own, with the limits of a new one."""
        channel, message_id = request.match_info["channel"], request.match_info["message"]
        if channel in self.refused:
            return error(*self.refused[channel])
        found = self.find(message_id, channel)
        if found is None:
            return error(404, 10008)
        if found["author"]["id"] != BOT_USER["id"]:
            return error(403, 50005)
        problem = check_edit(body)
        if problem:
            return json_response({**ERROR_50035, "errors": problem}, 400)
        for key in ("content", "embeds", "flags"):
            if key in body:
                found[key] = body[key]
        found["edited_timestamp"] = "2027-01-15T09:40:00.000000+00:00"
        found["_edits"] = [*found.get("_edits", []), body]  # for assertions (not Discord's)
        return json_response(found)

    # -- interactions ---------------------------------------------------------------------

    async def _callback(self, request: web.Request, body: Any) -> web.Response:
        """POST /interactions/{id}/{token}/callback: type 4 (message) or 5 (deferred)."""
        iid, token = request.match_info["id"], request.match_info["token"]
        if self._tokens.get(iid) != token:
            return error(404, 10062, "Unknown interaction")
        if any(c["interaction_id"] == iid for c in self.callbacks):
            return error(400, 40060, "Interaction has already been acknowledged.")
        data = dict(body.get("data") or {})
        flags = int(data.get("flags") or 0)
        created = message(str(next(self._ids)), CHANNEL_ID, data, flags)
        async with self._arrived:
            self.callbacks.append({"interaction_id": iid, "at": time.monotonic(), **body})
            self._arrived.notify_all()
        if request.query.get("with_response") not in ("1", "true"):
            return web.Response(status=204)
        callback = {
            "id": iid,
            "type": 2,
            "response_message_id": created["id"],
            "response_message_loading": body.get("type") == 5,
            "response_message_ephemeral": bool(flags & 64),
        }
        resource = {"type": body.get("type"), "message": created}
        return json_response({"interaction": callback, "resource": resource})

    async def _followup(self, request: web.Request, body: Any) -> web.Response:
        """Follow-ups (POST) and edits (PATCH) of an interaction's messages, by its token."""
        token = request.match_info["token"]
        if token not in self._tokens.values() or request.match_info["app"] != APP_ID:
            return error(404, 10015, "Unknown Webhook")
        sent = body or {}
        created = message(str(next(self._ids)), CHANNEL_ID, sent, int(sent.get("flags") or 0))
        async with self._arrived:
            self.followups.append({"token": token, "method": request.method, **sent})
            self._arrived.notify_all()
        return json_response(created)

    async def callback(self, interaction_id: str, timeout: float = 3.0) -> dict[str, Any]:
        """The interaction's callback, waiting at most `timeout` (Discord allows 3 s)."""

        def found() -> dict[str, Any] | None:
            return next((c for c in self.callbacks if c["interaction_id"] == interaction_id), None)

        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(found), timeout)
        result = found()
        assert result is not None
        return result

    async def wait_followups(self, count: int, timeout: float = 3.0) -> list[dict[str, Any]]:
        async with self._arrived:
            await asyncio.wait_for(
                self._arrived.wait_for(lambda: len(self.followups) >= count), timeout
            )
        return list(self.followups)

    async def slash(
        self,
        name: str,
        options: list[dict[str, Any]] | None = None,
        *,
        permissions: int = POSTING | MANAGE_GUILD,
        user_id: str = "6000000000000000006",
        channel_id: str = CHANNEL_ID,
        timeout: float = 5.0,
    ) -> str:
        """Send INTERACTION_CREATE for a guild slash command over the gateway; returns its id."""
        await asyncio.wait_for(self._ready.wait(), timeout)
        iid, token = str(next(self._ids)), f"interaction-token-{next(self._ids)}"
        self._tokens[iid] = token
        known = next((c for c in self.commands if c["name"] == name), None)
        command_id = known["id"] if known else str(next(self._ids))
        command = {"id": command_id, "name": name, "type": 1, "options": options or []}
        payload = interaction(
            iid,
            token,
            command,
            permissions=permissions,
            app_permissions=self.guild_permissions,
            user_id=user_id,
            channel_id=channel_id,
        )
        await self.dispatch("INTERACTION_CREATE", payload)
        return iid

    # -- the gateway ----------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        self.gateway_dials.append(time.monotonic())
        how, code = self._gateway_faults.pop(0) if self._gateway_faults else ("", 0)
        if how == "refuse":
            return web.Response(status=503, text="upstream connect error")
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        if how == "close":
            await ws.close(code=code, message=b"Closed by the test")
            return ws
        # zlib-stream: one compression context for the connection, each payload ending in a
        # Z_SYNC_FLUSH (https://discord.com/developers/docs/events/gateway#transport-compression).
        zctx = zlib.compressobj() if request.query.get("compress") == "zlib-stream" else None
        entry = (ws, zctx)
        self._sockets.append(entry)
        await self._send(
            entry, {"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None}
        )
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            if frame.get("op") == 1:
                await self._send(entry, {"op": 11, "d": None, "s": None, "t": None})
            elif frame.get("op") == 2:
                self.identify.append(frame["d"])
                if frame["d"].get("token") != self.token:
                    await ws.close(code=4004, message=b"Authentication failed.")
                    break
                await self._ready_and_guilds(entry)
            elif frame.get("op") == 6:
                await self._dispatch(entry, "RESUMED", {})
        self._sockets.remove(entry)
        return ws

    async def _ready_and_guilds(self, entry: tuple[web.WebSocketResponse, Any]) -> None:
        ready = {
            "v": 10,
            "user": BOT_USER,
            "guilds": [{"id": GUILD_ID, "unavailable": True}],
            "session_id": "fake-session-1",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": APP_ID, "flags": 0},
            "private_channels": [],
            "relationships": [],
            "user_settings": {},
        }
        await self._dispatch(entry, "READY", ready)
        await self._dispatch(entry, "GUILD_CREATE", guild(self.guild_permissions))
        self._ready.set()

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a DISPATCH (op 0) event to the newest gateway connection."""
        await self._dispatch(self._sockets[-1], event, data)

    async def _dispatch(
        self, entry: tuple[web.WebSocketResponse, Any], event: str, data: dict[str, Any]
    ) -> None:
        await self._send(entry, {"op": 0, "d": data, "s": next(self._seq), "t": event})

    async def _send(self, entry: tuple[web.WebSocketResponse, Any], frame: dict[str, Any]) -> None:
        ws, zctx = entry
        text = json.dumps(frame)
        if zctx is None:
            await ws.send_str(text)
        else:
            await ws.send_bytes(zctx.compress(text.encode()) + zctx.flush(zlib.Z_SYNC_FLUSH))
