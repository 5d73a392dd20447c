"""Discord: alerts, notices and digests as embeds over REST; /watch and /digest as app commands.

One discord.py client runs on the service's event loop (login, then the gateway connection
as a background task that retries a failed start with backoff; never `Client.run()`).
Messages are posted with `POST /channels/{id}/messages` through discord.py's own HTTP
client and rate-limit handling, carrying the exact payloads of adapters.discord_render: no
mentions, and a deterministic nonce with enforce_nonce so a retry after an ambiguous
failure cannot post twice. Errors become the DeliveryError scopes the outbox acts on. The
token comes from DISCORD_BOT_TOKEN only and is never logged, shown in repr or put in an
error.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

import aiohttp
import discord
from discord.http import MultipartParameters

from adapters.discord_client import DEFAULT_API_URL, NewswatchClient
from adapters.discord_doctor import doctor_lines
from adapters.discord_gateway import FIRST_RETRY, MAX_RETRY, GatewaySession
from adapters.discord_render import digest_payloads, message_payloads
from adapters.discord_reply import reply_chunks
from adapters.discord_update import describe_http, edit_payload, guarded, reply_payload
from bot.chat.commands import Command
from bot.config import Config
from bot.deliver.adapter import Adapter, DeliveryError, Sent
from bot.deliver.model import Alert, Message, Update
from bot.target import Target, TargetError

log = logging.getLogger("newswatch.discord")

CONNECT_TIMEOUT = 30.0
SEND_TIMEOUT = 20.0
# View Channel, Send Messages, Embed Links, Read Message History: all newswatch needs
# (https://discord.com/developers/docs/topics/permissions#permissions-bitwise-permission-flags).
INVITE_PERMISSIONS = discord.Permissions(
    view_channel=True, send_messages=True, embed_links=True, read_message_history=True
)
INVITE_SCOPES = ("bot", "applications.commands")


class DiscordAdapter(Adapter):
    one_session = True  # one gateway session per bot: the leader's, with several workers
    platform = "discord"
    backlog_limit = 30  # after an outage, more than this goes out as one digest
    guild_ready_timeout = 2.0  # discord.py waits this long after the last GUILD_CREATE
    send_timeout = SEND_TIMEOUT
    gateway_retry = FIRST_RETRY  # the pause after a failed gateway attempt, doubled each time
    gateway_retry_max = MAX_RETRY

    def __init__(self, config: Config) -> None:
        super().__init__(config)
        self._token = os.environ.get("DISCORD_BOT_TOKEN", "")
        self.api_url = (config.discord.api_url or DEFAULT_API_URL).rstrip("/")
        self.client: NewswatchClient | None = None
        self._session: GatewaySession | None = None

    def __repr__(self) -> str:  # never the token
        return f"DiscordAdapter(api_url={self.api_url!r})"

    # -- lifecycle -------------------------------------------------------------------------

    def _new_client(self) -> NewswatchClient:
        return NewswatchClient(self.api_url, self._on_slash, self.guild_ready_timeout)

    async def _login(self) -> NewswatchClient:
        """A logged-in client (REST only): GET /users/@me and the application."""
        if not self._token:
            raise RuntimeError("discord: DISCORD_BOT_TOKEN is not set")
        client = self._new_client()
        try:
            await asyncio.wait_for(client.login(self._token), CONNECT_TIMEOUT)
        except BaseException as exc:
            await client.close()
            if isinstance(exc, discord.LoginFailure):
                raise RuntimeError(
                    "discord: DISCORD_BOT_TOKEN was refused by GET /users/@me (401 Unauthorized)"
                ) from None
            if isinstance(exc, discord.HTTPException):
                raise RuntimeError(
                    f"discord: {self.api_url} refused the login: {describe_http(exc)}"
                ) from None
            if isinstance(exc, aiohttp.ClientError | OSError | TimeoutError):
                raise RuntimeError(
                    f"discord: cannot reach {self.api_url} ({type(exc).__name__})"
                ) from None
            raise
        return client

    async def start(self) -> None:
        """Log in over REST, then open the gateway in the background; wait for READY a while.

        A gateway that fails to open does not stop the service: alerts go out over REST and
        the session is retried with backoff (adapters.discord_gateway). Only a bad token, an
        unreachable REST API, or a close that no retry can mend stops start-up.
        """
        client = await self._login()
        if self.listen:  # else a one-shot command, or a worker that does not lead: REST only
            await self._listen(client)
        self.client = client

    async def lead(self) -> None:
        """This worker has just become leader: open the gateway the last leader held."""
        if self.client is not None and self._session is None:
            await self._listen(self.client)

    async def follow(self) -> None:
        """This worker no longer leads: close its gateway (stopping it closes the client,
        REST too), then log in again over REST only, so it goes on sending."""
        session, self._session = self._session, None
        if session is not None:
            await session.stop()
            self.client = await self._login()

    async def _listen(self, client: NewswatchClient) -> None:
        """Open the gateway in the background and wait for READY a while (see start)."""
        session = GatewaySession(
            client, lambda: self._gateway(client), self.gateway_retry, self.gateway_retry_max
        )
        session.start()
        try:
            outcome = await session.first_outcome(CONNECT_TIMEOUT)
        except BaseException:
            await session.stop()
            raise
        if outcome == "failed":
            await session.stop()
            raise RuntimeError(f"discord: the gateway connection failed ({session.fatal})")
        self._session = session
        if outcome != "ready":
            log.warning(
                "discord gateway not connected yet; retrying in the background",
                extra={"reason": "alerts go out over REST; commands work once it connects"},
            )

    async def _gateway(self, client: NewswatchClient) -> str | None:
        """[discord] gateway_url, else what `{api_url}/gateway/bot` says (as Discord does)."""
        if self.config.discord.gateway_url:
            return self.config.discord.gateway_url
        if not self.config.discord.api_url:
            return None  # real Discord: discord.py's default gateway is right
        _, url, _ = await client.http.get_bot_gateway()  # GatewayNotFound: retried
        return url

    async def close(self) -> None:
        client, self.client = self.client, None
        session, self._session = self._session, None
        if session is not None:
            await session.stop()
        elif client is not None:
            await client.close()

    # -- outbound --------------------------------------------------------------------------

    async def send(self, target: str, message: Message) -> Sent | None:
        """Post every payload in order; return once Discord created (or had) each, an
        alert with its message id (which coverage updates edit and reply to)."""
        channel = _channel_id(target)
        if isinstance(message, Update):
            await self._update(channel, message, target)
            return None
        sent = [await self._post(channel, p) for p in message_payloads(message, target)]
        return sent[0] if isinstance(message, Alert) else None

    async def _update(self, channel: int, update: Update, target: str) -> None:
        """Edit the alert (adapters.discord_update); with `thread`, reply to it as well."""
        if not (update.ref or "").isdigit():
            raise DeliveryError("discord: the alert has no message id to edit", scope="gone")
        params = MultipartParameters(payload=edit_payload(update), multipart=None, files=None)
        http = self._http()
        edit = http.edit_message(channel, int(update.ref or 0), params=params)
        await guarded(edit, "PATCH /channels/messages", self.send_timeout)
        if update.thread:
            await self._post(channel, reply_payload(update, target, str(update.ref)))

    def _http(self) -> discord.http.HTTPClient:
        if self.client is None or self.client.is_closed():
            # discord.py closes the client (and its HTTP session) after a fatal gateway close
            # such as 4004 (token reset): keep the alerts, and say what happened.
            raise DeliveryError("discord: not connected (see the log)", scope="transient")
        return self.client.http

    async def _post(self, channel: int, payload: dict[str, Any]) -> Sent:
        params = MultipartParameters(payload=payload, multipart=None, files=None)
        send = self._http().send_message(channel, params=params)
        created = await guarded(send, "POST /channels/messages", self.send_timeout)
        message_id = created.get("id") if isinstance(created, dict) else None
        return Sent(str(message_id) if message_id else None)

    # -- commands --------------------------------------------------------------------------

    async def _on_slash(self, interaction: discord.Interaction[Any], name: str, text: str) -> None:
        """Run a slash command through the core (SQLite only) and answer within Discord's 3 s."""
        if interaction.guild_id is None or interaction.channel_id is None:
            await _answer(interaction, ["newswatch works in server channels only."], True)
            return
        perms = interaction.permissions
        command = Command(
            name=name,
            text=text,
            target=f"discord:{interaction.channel_id}",
            user=str(interaction.user.id),
            can_manage=perms.manage_guild or perms.administrator,
            scope=f"discord:{interaction.guild_id}",
        )
        reply = self.run_command(command)
        try:
            if reply.digest is not None:
                await _answer_digest(interaction, digest_payloads(reply.digest, command.target))
            else:
                chunks = reply_chunks(reply.text) or ["Done."]
                await _answer(interaction, chunks, ephemeral=not reply.public)
        except discord.HTTPException as exc:
            log.warning(
                "command reply failed",
                extra={"channel": command.target, "reason": describe_http(exc)},
            )

    # -- doctor and command line ------------------------------------------------------------

    async def doctor(self) -> list[str]:
        """The bot, its servers, and whether it can post in each configured channel."""
        try:
            client = self.client or await self._login()
        except RuntimeError as exc:
            return [f"{exc} - FAILED"]
        try:
            return await doctor_lines(client, self.config)
        finally:
            if client is not self.client:
                await client.close()

    async def sync_commands(self, guild_id: int | None = None) -> list[str]:
        """Upload /watch and /digest: globally, or to one server (instant, for testing)."""
        client = await self._login()
        try:
            if guild_id is None:
                synced = await client.tree.sync()
            else:
                guild = discord.Object(id=guild_id)
                # Without copy_global_to a guild sync uploads an empty list, which wipes
                # that server's commands (DESIGN, traps).
                client.tree.copy_global_to(guild=guild)
                synced = await client.tree.sync(guild=guild)
        finally:
            await client.close()
        return sorted(command.name for command in synced)

    async def invite_url(self, client_id: int | None = None) -> str:
        """The OAuth2 URL that adds the bot with exactly the permissions it needs."""
        if client_id is None:
            client = await self._login()
            try:
                client_id = client.application_id
            finally:
                await client.close()
        return discord.utils.oauth_url(
            client_id or 0, permissions=INVITE_PERMISSIONS, scopes=INVITE_SCOPES
        )


async def run_cli(config: Config, action: str, guild: int | None, client_id: int | None) -> int:
    """`newswatch discord sync [--guild ID]` and `newswatch discord invite`."""
    adapter = DiscordAdapter(config)
    if action == "invite":
        print(await adapter.invite_url(client_id))
        return 0
    names = await adapter.sync_commands(guild)
    where = f"server {guild}" if guild else "every server (global; may take up to an hour)"
    print(f"synced /{', /'.join(names)} to {where}")
    return 0


async def _answer(
    interaction: discord.Interaction[Any], chunks: list[str], ephemeral: bool
) -> None:
    none = discord.AllowedMentions.none()
    await interaction.response.send_message(chunks[0], ephemeral=ephemeral, allowed_mentions=none)
    for chunk in chunks[1:]:
        await interaction.followup.send(chunk, ephemeral=ephemeral, allowed_mentions=none)


async def _answer_digest(
    interaction: discord.Interaction[Any], payloads: list[dict[str, Any]]
) -> None:
    """The digest in the channel, publicly: the interaction response, then follow-ups."""
    none = discord.AllowedMentions.none()
    for i, payload in enumerate(payloads):
        embeds = [discord.Embed.from_dict(e) for e in payload.get("embeds", [])]
        content = str(payload.get("content") or "")
        if i == 0:
            await interaction.response.send_message(
                content or None, embeds=embeds, allowed_mentions=none
            )
        else:
            await interaction.followup.send(content, embeds=embeds, allowed_mentions=none)


def _channel_id(target: str) -> int:
    try:
        raw = Target.parse(target).address
    except TargetError:
        raw = ""
    if not raw.isdigit():
        raise DeliveryError(f"discord: {target!r} is not a channel id", scope="destination")
    return int(raw)
