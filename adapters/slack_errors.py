"""Slack's Web API errors as the DeliveryError scopes the outbox acts on, and the 429 policy.

transient (retry later), destination (stop the channel), message (give up on this message
after one shorter plain-text try). A 429 is waited out inline only when Slack asks for a few
seconds (https://docs.slack.dev/apis/web-api/rate-limits); a longer wait goes back to the
outbox so the one delivery loop keeps serving every other channel.
"""

from __future__ import annotations

import time
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.backoff import parse_retry_after
from bot.deliver.adapter import DeliveryError

MAX_INLINE_RETRY_AFTER = 5.0  # longer waits go back to the outbox, freeing the drain

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
# https://docs.slack.dev/reference/methods/chat.update#errors: the alert can never be edited
# again (deleted, not ours, past the workspace's edit window), so its update is dropped.
GONE_ERRORS = frozenset({"message_not_found", "cant_update_message", "edit_window_closed"})
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


def error_code(exc: SlackApiError) -> str:
    """Slack's `error` field, or the HTTP status when the answer had none."""
    response = exc.response
    data = getattr(response, "data", None)
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    return f"HTTP {getattr(response, 'status_code', '?')}"


def describe(exc: BaseException) -> str:
    """An exception for a log line or an error: its type, and its text when it has one."""
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def transient(exc: BaseException) -> DeliveryError:
    """A failure with no answer from Slack (timeout, connection): try again later."""
    # A timeout may come after Slack accepted the post: the outbox will send it again, so
    # an ambiguous failure can show at most one duplicate (README, "Slack").
    return DeliveryError(f"slack: {describe(exc)}", scope="transient")


def delivery_error(
    exc: SlackApiError, after_fallback: bool = False, method: str = "chat.postMessage"
) -> DeliveryError:
    """Slack's answer as a DeliveryError scope for the outbox."""
    status = getattr(exc.response, "status_code", 200)
    error = error_code(exc)
    reason = f"slack {method}: {error}"
    if status == 429 or error in ("ratelimited", "rate_limited"):
        return DeliveryError(
            reason, scope="transient", retry_after=retry_after(exc.response.headers, time.time())
        )
    if status >= 500 or error in TRANSIENT_ERRORS:
        return DeliveryError(reason, scope="transient")
    if error in DESTINATION_ERRORS:
        return DeliveryError(reason, scope="destination")
    if method == "chat.update" and error in GONE_ERRORS:
        return DeliveryError(reason, scope="gone")
    if after_fallback and error in MESSAGE_ERRORS:
        return DeliveryError(f"{reason} (plain-text fallback refused too)", scope="message")
    # Anything else is about this message (invalid_arguments, ...): retrying it unchanged
    # cannot help, and a retry loop is worse than one dead row the operator can see.
    return DeliveryError(reason, scope="message")
