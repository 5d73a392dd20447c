"""Slack: alerts, notices and digests as Block Kit messages; /watch and /digest through bolt.

Outbound calls go through slack-sdk's AsyncWebClient on the service's one event loop, with
its rate-limit retry handler, so a 429 is waited out for the time Slack asks
(https://docs.slack.dev/apis/web-api/rate-limits). Errors become DeliveryError scopes the
outbox acts on: transient (retry later), destination (stop the channel), message (give up on
this message after one shorter plain-text try; adapters.slack_errors). The inbound half is
adapters.slack_app. Tokens come from the environment only and are never logged.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_app import SlackInbound
from adapters.slack_auth import auth_test, open_socket_url
from adapters.slack_command import PendingCommand
from adapters.slack_digest import render_digest
from adapters.slack_doctor import channel_lines, scope_lines
from adapters.slack_errors import (
    MESSAGE_ERRORS,
    ShortRateLimitRetry,
    delivery_error,
    describe,
    error_code,
    transient,
)
from adapters.slack_history import alert_metadata, find_delivered
from adapters.slack_listener import ListenerLimits
from adapters.slack_render import SlackMessage, render_alert, render_notice, reply_text
from adapters.slack_respond import respond
from adapters.slack_update import edit_alert, parse_ref, render_reply, slack_ref
from bot.chat.commands import Command, Reply
from bot.config import Config
from bot.deliver.adapter import Adapter, DeliveryError, Sent
from bot.deliver.model import Alert, Digest, Message, Notice, Update
from bot.ingest.netguard import Resolver
from bot.target import Target

log = logging.getLogger("newswatch.slack")

DEFAULT_API_URL = "https://slack.com/api/"
PER_CHANNEL_INTERVAL = 1.0  # "1 message per second per channel" (chat.postMessage docs)
API_TIMEOUT = 15.0
CONNECT_TIMEOUT = 30.0
REQUIRED_SCOPES = ("chat:write", "commands", "chat:write.public")  # docs/slack-app-manifest


@dataclass
class _Pace:
    """When a channel last got a message; the lock keeps its messages one at a time."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last: float = float("-inf")


class SlackAdapter(Adapter):
    platform = "slack"
    backlog_limit = 30  # at one message a second, half a minute of alerts

    def __init__(self, config: Config) -> None:
        super().__init__(config)
        self._bot_token = os.environ.get("SLACK_BOT_TOKEN", "")
        self._app_token = os.environ.get("SLACK_APP_TOKEN", "")
        self._signing_secret = os.environ.get("SLACK_SIGNING_SECRET", "")
        self.api_url = config.slack.api_url or DEFAULT_API_URL
        if not self.api_url.endswith("/"):
            self.api_url += "/"
        self.client = self._client(self._bot_token)
        self.inbound: SlackInbound | None = None
        self.auth: dict[str, Any] = {}
        self.interval = PER_CHANNEL_INTERVAL
        self.resolver: Resolver | None = None  # response_url DNS; tests inject a fake
        self.listener_limits = ListenerLimits()  # HTTP mode; tests shorten the deadlines
        self._pace: dict[str, _Pace] = {}

    def __repr__(self) -> str:  # never the tokens
        return f"SlackAdapter(api_url={self.api_url!r}, mode={self.config.slack.mode!r})"

    def _client(self, token: str | None) -> AsyncWebClient:
        handlers: list[AsyncRetryHandler] = [ShortRateLimitRetry()]
        return AsyncWebClient(
            token=token or None,
            base_url=self.api_url,
            timeout=int(API_TIMEOUT),
            retry_handlers=handlers,
        )

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """auth.test first, then Socket Mode (default) or the HTTP listener."""
        self.auth = await self._auth_test()
        if not self.listen:
            return
        mode = self.config.slack.mode
        app_client = self._client(None)
        inbound = SlackInbound(
            client=app_client,
            bot_token=self._bot_token,
            signing_secret=self._signing_secret,
            auth=self.auth,
            run=self._run_command,
        )
        try:
            if mode == "http":
                if not self._signing_secret:
                    raise RuntimeError("slack: http mode needs SLACK_SIGNING_SECRET")
                await inbound.start_http(
                    self.config.slack.host, self.config.slack.port, self.listener_limits
                )
            else:
                url = await self._open_socket_url(app_client)
                try:
                    await asyncio.wait_for(
                        inbound.start_socket(self._app_token, app_client, url), CONNECT_TIMEOUT
                    )
                except TimeoutError:
                    raise RuntimeError("slack: the Socket Mode connection did not open") from None
        except BaseException:
            await inbound.close()
            raise
        self.inbound = inbound
        log.info("slack connected", extra={"reason": f"{mode} mode, team {self.auth.get('team')}"})

    async def _auth_test(self) -> dict[str, Any]:
        return await auth_test(self.client, self._bot_token, self.api_url)

    async def _open_socket_url(self, client: AsyncWebClient) -> str:
        return await open_socket_url(client, self._app_token, self.api_url)

    async def close(self) -> None:
        if self.inbound is not None:
            await self.inbound.close()
            self.inbound = None

    async def doctor(self) -> list[str]:
        """What the token is and can do, from auth.test and its x-oauth-scopes header."""
        try:
            auth = await self._auth_test()
        except RuntimeError as exc:
            return [f"{exc} - FAILED"]
        lines = [
            f"slack: token ok: team {auth.get('team')} ({auth.get('team_id')}), "
            f"bot user @{auth.get('user')} ({auth.get('user_id')})"
        ]
        scopes = [s.strip() for s in str(auth.get("scopes", "")).split(",") if s.strip()]
        lines += scope_lines(scopes, REQUIRED_SCOPES)
        lines += await channel_lines(self.client, self.config, scopes)
        mode = self.config.slack.mode
        if mode == "http":
            slack = self.config.slack
            lines.append(f"slack: http mode: listens on {slack.host}:{slack.port}/slack/events")
        else:
            try:
                await self._open_socket_url(self._client(None))
                lines.append("slack: socket mode: SLACK_APP_TOKEN ok (apps.connections.open)")
            except RuntimeError as exc:
                lines.append(f"{exc} - FAILED")
        return lines

    # -- outbound --------------------------------------------------------------------------

    async def send(self, target: str, message: Message) -> Sent | None:
        """Render and post; return only when Slack said ok for every part (an alert's with
        its channel and ts, which its coverage updates edit)."""
        channel = Target.parse(target).address
        if isinstance(message, Update):
            await self._send_update(message)
            return None
        metadata = None
        if isinstance(message, Alert):
            parts = [render_alert(message)]
            metadata = alert_metadata(message)  # found again if the answer is lost
        elif isinstance(message, Digest):
            parts = render_digest(message)
        elif isinstance(message, Notice):
            parts = [render_notice(message)]
        sent = [await self._deliver(channel, part, metadata=metadata) for part in parts]
        return sent[0] if isinstance(message, Alert) else None

    async def delivered_already(
        self, target: str, messages: Sequence[Message]
    ) -> list[Sent | None]:
        """Alerts cut off mid-send that the channel's history shows (adapters.slack_history)."""
        return await find_delivered(self.client, Target.parse(target).address, target, messages)

    async def _send_update(self, update: Update) -> None:
        """Edit the alert; with `thread`, then reply in its thread with the new outlets."""
        channel, ts = parse_ref(update.ref)
        await edit_alert(self.client, channel, ts, render_alert(update.alert))
        if update.thread:
            await self._deliver(channel, render_reply(update), thread_ts=ts)

    async def _deliver(
        self,
        channel: str,
        message: SlackMessage,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Sent:
        """Post with blocks; after msg_too_long or invalid_blocks, once as plain text."""
        try:
            return await self._post(
                channel, message.text, list(message.blocks), thread_ts, metadata
            )
        except SlackApiError as exc:
            error = error_code(exc)
            if error not in MESSAGE_ERRORS:
                raise delivery_error(exc) from None
            log.warning(
                "slack refused the blocks; sending plain text once",
                extra={"channel": channel, "reason": error},
            )
        except Exception as exc:
            raise transient(exc) from None
        try:
            return await self._post(channel, message.fallback, None, thread_ts, metadata)
        except SlackApiError as exc:
            raise delivery_error(exc, after_fallback=True) from None
        except Exception as exc:
            raise transient(exc) from None

    async def _post(
        self,
        channel: str,
        text: str,
        blocks: list[Any] | None,
        thread_ts: str | None,
        metadata: dict[str, Any] | None = None,
    ) -> Sent:
        """chat.postMessage, at most one a second per channel, unfurls off; a reply in a
        thread with `thread_ts`."""
        pace = self._pace.setdefault(channel, _Pace())
        async with pace.lock:
            wait = pace.last + self.interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            pace.last = time.monotonic()
            response = await self.client.chat_postMessage(
                channel=channel,
                text=text,
                blocks=blocks,
                thread_ts=thread_ts,
                metadata=metadata,
                unfurl_links=False,
                unfurl_media=False,
            )
        ts = response.get("ts")
        return Sent(slack_ref(str(response.get("channel") or channel), str(ts)) if ts else None)

    # -- commands --------------------------------------------------------------------------

    async def _run_command(self, pending: PendingCommand) -> None:
        """Run an acked command through the core and answer it; never raises."""
        managers = self.config.slack.managers
        command = Command(
            name=pending.name,
            text=pending.text,
            target=f"slack:{pending.channel}",
            user=pending.user,
            can_manage=not managers or pending.user in managers,
            scope=f"slack:{pending.team}" if pending.team else "",
        )
        reply = self.run_command(command)
        try:
            if reply.digest is not None:
                await self._post_digest(command.target, reply, pending)
            else:
                kind = "in_channel" if reply.public else "ephemeral"
                await self._respond(pending, reply_text(reply.text), kind)
        except Exception as exc:
            log.warning(
                "command reply failed", extra={"channel": command.target, "reason": describe(exc)}
            )

    async def _post_digest(self, target: str, reply: Reply, pending: PendingCommand) -> None:
        assert reply.digest is not None
        try:
            await self.send(target, reply.digest)
        except DeliveryError as exc:
            hint = " Invite me with /invite first." if "not_in_channel" in exc.reason else ""
            await self._respond(
                pending,
                reply_text(f"I could not post the digest here: {exc.reason}.{hint}"),
                "ephemeral",
            )

    async def _respond(self, pending: PendingCommand, text: str, response_type: str) -> None:
        """Answer by response_url, else chat.postEphemeral (adapters.slack_respond)."""
        await respond(
            pending,
            text,
            response_type,
            client=self.client,
            api_url=self.config.slack.api_url,
            resolver=self.resolver,
            timeout=API_TIMEOUT,
        )
