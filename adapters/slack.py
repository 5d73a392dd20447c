"""Slack: alerts, notices and digests as Block Kit messages; /watch and /digest through bolt.

Outbound calls go through slack-sdk's AsyncWebClient on the service's one event loop, with
its rate-limit retry handler, so a 429 is waited out for the time Slack asks
(https://docs.slack.dev/apis/web-api/rate-limits). Errors become DeliveryError scopes the
outbox acts on: transient (retry later), destination (stop the channel), message (give up on
this message after one shorter plain-text try). Tokens come from the environment only and
are never logged.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_app import ListenerLimits, PendingCommand, SlackInbound
from adapters.slack_render import (
    SlackMessage,
    render_alert,
    render_digest,
    render_notice,
    reply_blocks,
    reply_text,
)
from adapters.slack_response import (
    ResponseUrlFailed,
    ResponseUrlRefused,
    check_response_url,
    post_response,
)
from bot.backoff import parse_retry_after
from bot.chat.commands import Command, Reply
from bot.config import Config
from bot.deliver.adapter import Adapter, DeliveryError
from bot.deliver.model import Alert, Digest, Message, Notice
from bot.ingest.netguard import Resolver
from bot.target import Target

log = logging.getLogger("newswatch.slack")

DEFAULT_API_URL = "https://slack.com/api/"
PER_CHANNEL_INTERVAL = 1.0  # "1 message per second per channel" (chat.postMessage docs)
MAX_INLINE_RETRY_AFTER = 5.0  # longer waits go back to the outbox, freeing the drain
API_TIMEOUT = 15.0
CONNECT_TIMEOUT = 30.0
REQUIRED_SCOPES = ("chat:write", "commands")

# https://docs.slack.dev/reference/methods/chat.postMessage#errors
DESTINATION_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "channel_is_archived",
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "missing_scope",
        "no_permission",
        "not_allowed_token_type",
        "access_denied",
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
        "restricted_action_non_threadable_channel",
        "team_access_not_granted",
        "ekm_access_denied",
        "org_login_required",
        "enterprise_is_restricted",
        "team_not_found",
    }
)
MESSAGE_ERRORS = frozenset(
    {
        "msg_too_long",
        "invalid_blocks",
        "invalid_blocks_format",
        "msg_blocks_too_long",
        "no_text",
        "too_many_attachments",
        "invalid_attachments",
        "markdown_text_conflict",
    }
)
TRANSIENT_ERRORS = frozenset(
    {
        "ratelimited",
        "rate_limited",
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
        "team_added_to_org",
        "timeout",
    }
)


def _retry_after_header(headers: Any) -> str | None:
    if not headers:
        return None
    for key in headers:
        if str(key).lower() == "retry-after":
            value = headers[key]
            return str(value[0] if isinstance(value, list | tuple) else value).strip()
    return None


def retry_after(headers: Any, now: float) -> float | None:
    """Seconds from a Retry-After header (Slack sends whole seconds), if there is one."""
    return parse_retry_after(_retry_after_header(headers), now)


class ShortRateLimitRetry(AsyncRateLimitErrorRetryHandler):
    """slack-sdk's 429 handler, but only for short waits.

    A Retry-After longer than a few seconds is handed back to the outbox (DeliveryError with
    retry_after) instead of holding the one delivery loop for every channel.
    """

    def __init__(self, max_wait: float = MAX_INLINE_RETRY_AFTER, max_retry_count: int = 2):
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait = max_wait

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        raw = _retry_after_header(response.headers)  # the base class sleeps int(raw) seconds
        return raw is not None and raw.isdigit() and int(raw) <= self.max_wait


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
        if not self._bot_token:
            raise RuntimeError("slack: SLACK_BOT_TOKEN is not set")
        try:
            response = await self.client.auth_test()
        except SlackApiError as exc:
            error = _error_code(exc)
            raise RuntimeError(
                f"slack: SLACK_BOT_TOKEN was refused by auth.test ({error})"
            ) from None
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise RuntimeError(
                f"slack: cannot reach {self.api_url} for auth.test ({_describe(exc)})"
            ) from None
        data = dict(response.data) if isinstance(response.data, dict) else {}
        data["scopes"] = str(response.headers.get("x-oauth-scopes", "") or "")
        return data

    async def _open_socket_url(self, client: AsyncWebClient) -> str:
        """apps.connections.open once, so a bad app token fails start-up with one line."""
        if not self._app_token:
            raise RuntimeError("slack: socket mode needs SLACK_APP_TOKEN")
        try:
            response = await client.apps_connections_open(app_token=self._app_token)
        except SlackApiError as exc:
            error = _error_code(exc)
            raise RuntimeError(
                f"slack: SLACK_APP_TOKEN was refused by apps.connections.open ({error})"
            ) from None
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise RuntimeError(
                f"slack: cannot reach {self.api_url} for apps.connections.open ({_describe(exc)})"
            ) from None
        return str(response["url"])

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
        if scopes:
            missing = [s for s in REQUIRED_SCOPES if s not in scopes]
            lines.append(f"slack: scopes: {', '.join(scopes)}")
            if missing:
                lines.append(f"slack: missing scopes {', '.join(missing)} - FAILED")
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

    async def send(self, target: str, message: Message) -> None:
        """Render and post; return only when Slack said ok for every part."""
        channel = Target.parse(target).address
        if isinstance(message, Alert):
            parts = [render_alert(message)]
        elif isinstance(message, Digest):
            parts = render_digest(message)
        elif isinstance(message, Notice):
            parts = [render_notice(message)]
        for part in parts:
            await self._deliver(channel, part)

    async def _deliver(self, channel: str, message: SlackMessage) -> None:
        """Post with blocks; after msg_too_long or invalid_blocks, once as plain text."""
        try:
            await self._post(channel, text=message.text, blocks=list(message.blocks))
            return
        except SlackApiError as exc:
            error = _error_code(exc)
            if error not in MESSAGE_ERRORS:
                raise _delivery_error(exc) from None
            log.warning(
                "slack refused the blocks; sending plain text once",
                extra={"channel": channel, "reason": error},
            )
        except Exception as exc:
            raise _transient(exc) from None
        try:
            await self._post(channel, text=message.fallback, blocks=None)
        except SlackApiError as exc:
            raise _delivery_error(exc, after_fallback=True) from None
        except Exception as exc:
            raise _transient(exc) from None

    async def _post(self, channel: str, text: str, blocks: list[Any] | None) -> None:
        """chat.postMessage, at most one a second per channel, unfurls off."""
        pace = self._pace.setdefault(channel, _Pace())
        async with pace.lock:
            wait = pace.last + self.interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            pace.last = time.monotonic()
            await self.client.chat_postMessage(
                channel=channel,
                text=text,
                blocks=blocks,
                unfurl_links=False,
                unfurl_media=False,
            )

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
                "command reply failed", extra={"channel": command.target, "reason": _describe(exc)}
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
        """Answer through the command's response_url (no channel membership needed).

        A response_url that is not Slack's (adapters.slack_response) gets nothing: the answer
        goes by chat.postEphemeral instead, and the log names only the URL's host.
        """
        blocks = reply_blocks(text) if text.strip() else None
        if pending.response_url:
            try:
                target = check_response_url(pending.response_url, self.config.slack.api_url)
                status = await post_response(
                    target,
                    {"text": text, "response_type": response_type, "blocks": blocks or []},
                    API_TIMEOUT,
                    self.resolver,
                )
            except ResponseUrlRefused as exc:
                log.warning(
                    "response_url refused; answering with chat.postEphemeral",
                    extra={"channel": f"slack:{pending.channel}", "reason": str(exc)},
                )
            except ResponseUrlFailed as exc:
                raise RuntimeError(str(exc)) from None
            else:
                if status != 200:
                    raise RuntimeError(f"response_url on {target.host} answered HTTP {status}")
                return
        await self.client.chat_postEphemeral(
            channel=pending.channel, user=pending.user, text=text, blocks=blocks
        )


def _error_code(exc: SlackApiError) -> str:
    response = exc.response
    data = getattr(response, "data", None)
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    return f"HTTP {getattr(response, 'status_code', '?')}"


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _transient(exc: BaseException) -> DeliveryError:
    # A timeout may come after Slack accepted the post: the outbox will send it again, so
    # an ambiguous failure can show at most one duplicate (README, "Slack").
    return DeliveryError(f"slack: {_describe(exc)}", scope="transient")


def _delivery_error(exc: SlackApiError, after_fallback: bool = False) -> DeliveryError:
    """Slack's answer as a DeliveryError scope for the outbox."""
    status = getattr(exc.response, "status_code", 200)
    error = _error_code(exc)
    reason = f"slack chat.postMessage: {error}"
    if status == 429 or error in ("ratelimited", "rate_limited"):
        return DeliveryError(
            reason, scope="transient", retry_after=retry_after(exc.response.headers, time.time())
        )
    if status >= 500 or error in TRANSIENT_ERRORS:
        return DeliveryError(reason, scope="transient")
    if error in DESTINATION_ERRORS:
        return DeliveryError(reason, scope="destination")
    if after_fallback and error in MESSAGE_ERRORS:
        return DeliveryError(f"{reason} (plain-text fallback refused too)", scope="message")
    # Anything else is about this message (invalid_arguments, ...): retrying it unchanged
    # cannot help, and a retry loop is worse than one dead row the operator can see.
    return DeliveryError(reason, scope="message")
