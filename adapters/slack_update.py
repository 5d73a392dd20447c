"""Coverage updates on Slack (SPEC Alerts): chat.update of the alert message, and with
`thread`, a reply in its thread (chat.postMessage with `thread_ts`) listing the new outlets.

The alert's reference is "CHANNEL/TS", from chat.postMessage's answer. chat.update replaces
the blocks only when it is given some (https://docs.slack.dev/reference/methods/chat.update),
so its plain-text fallback sends an empty list to drop them. Feed text in the reply is
escaped as the alert's is (adapters.slack_render); the only links are built from each
copy's own http(s) URL.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_errors import MESSAGE_ERRORS, delivery_error, error_code, transient
from adapters.slack_render import (
    INERT,
    MAX_FALLBACK,
    MAX_SECTION,
    MAX_TEXT,
    SOURCE_CHARS,
    SlackMessage,
    SlackMrkdwn,
    SlackText,
    join_lines,
    mrkdwn,
    safe_url,
)
from bot.deliver.adapter import DeliveryError
from bot.deliver.model import Update

log = logging.getLogger("newswatch.slack")


def slack_ref(channel: str, ts: str) -> str:
    return f"{channel}/{ts}"


def parse_ref(ref: str | None) -> tuple[str, str]:
    """(channel, ts) of an alert's reference; a message with none cannot be edited."""
    channel, _, ts = (ref or "").partition("/")
    if not (channel and ts):
        raise DeliveryError("slack: the alert has no message reference to edit", scope="gone")
    return channel, ts


def render_reply(update: Update) -> SlackMessage:
    """ "Now 3 outlets. New:" and a line a new copy: its linked title and its outlet."""
    head = f"Now {update.alert.outlets_text}. New:"
    lines = [head]
    for copy in update.copies:
        label = SlackMrkdwn.show(copy.title, 250) or "(untitled)"
        link = safe_url(copy.url)
        source = SlackMrkdwn.show(copy.source, SOURCE_CHARS) or "unknown source"
        lines.append(f"• {f'<{link}|{label}>' if link else label} · {source}")
    body = join_lines(lines, MAX_SECTION)
    text = SlackText.cut(body, MAX_TEXT)
    plain_lines = [head] + [
        f"• {SlackText.show(copy.source, SOURCE_CHARS).translate(INERT)}" for copy in update.copies
    ]
    fallback = join_lines(plain_lines, MAX_FALLBACK)
    return SlackMessage(
        text=text, blocks=({"type": "section", "text": mrkdwn(body)},), fallback=fallback
    )


async def edit_alert(client: AsyncWebClient, channel: str, ts: str, message: SlackMessage) -> None:
    """chat.update with blocks; after msg_too_long or invalid_blocks, once as plain text.
    A message that can no longer be edited (deleted, ...) is DeliveryError scope "gone"."""
    try:
        await _update(client, channel, ts, text=message.text, blocks=list(message.blocks))
        return
    except SlackApiError as exc:
        if error_code(exc) not in MESSAGE_ERRORS:
            raise delivery_error(exc, method="chat.update") from None
        log.warning(
            "slack refused the edited blocks; editing as plain text once",
            extra={"channel": channel, "reason": error_code(exc)},
        )
    except Exception as exc:
        raise transient(exc) from None
    try:
        await _update(client, channel, ts, text=message.fallback, blocks=[])
    except SlackApiError as exc:
        raise delivery_error(exc, after_fallback=True, method="chat.update") from None
    except Exception as exc:
        raise transient(exc) from None


async def _update(
    client: AsyncWebClient, channel: str, ts: str, *, text: str, blocks: list[Any]
) -> None:
    await client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
