"""Alerts cut off mid-send, found in the channel's history instead of posted twice.

Slack has no idempotency key for chat.postMessage, so an answer lost after Slack accepted a
post (a timeout, or the sender killed mid-send) leaves the outbox unsure. Each alert carries
message metadata naming its story; before sending such an alert again, the newest messages
of its channel (conversations.history, which needs the channels:history scope) are searched
for that metadata, or for the alert's very text where metadata is not kept. Without the
scope, or on any error, they are sent again (at most one duplicate, as before).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_errors import describe
from adapters.slack_render import render_alert
from adapters.slack_update import slack_ref
from bot.deliver.adapter import Sent
from bot.deliver.model import Alert, Message

log = logging.getLogger("newswatch.slack")

EVENT_TYPE = "newswatch_alert"
LOOKBACK = 100  # newest messages searched: a cut-off alert was among the last sent


def alert_metadata(alert: Alert) -> dict[str, Any]:
    """The message metadata an alert is posted with: its story, which one channel gets once."""
    return {"event_type": EVENT_TYPE, "event_payload": {"story": str(alert.story_id)}}


async def find_delivered(
    client: AsyncWebClient, channel: str, target: str, messages: Sequence[Message]
) -> list[Sent | None]:
    """For each message, the Slack message that holds it already, if it is an alert found in
    the channel's newest messages; None for the rest."""
    if not any(isinstance(message, Alert) for message in messages):
        return [None] * len(messages)
    try:
        response = await client.conversations_history(
            channel=channel, limit=LOOKBACK, include_all_metadata=True
        )
        history = [m for m in response.get("messages") or [] if isinstance(m, dict)]
    except Exception as exc:
        log.warning(
            "cannot read the channel's history; alerts cut off mid-send are sent again",
            extra={"channel": target, "reason": describe(exc)},
        )
        return [None] * len(messages)
    return [
        _held(history, channel, message) if isinstance(message, Alert) else None
        for message in messages
    ]


def _held(history: list[dict[str, Any]], channel: str, alert: Alert) -> Sent | None:
    """The posted message carrying the alert's story in its metadata, or (from a bot) its
    very text."""
    wanted = alert_metadata(alert)
    rendered = render_alert(alert)
    texts = {rendered.text, rendered.fallback}
    for message in history:
        metadata = message.get("metadata")
        if isinstance(metadata, dict):
            same = metadata.get("event_type") == wanted["event_type"] and (
                metadata.get("event_payload") == wanted["event_payload"]
            )
        else:  # where metadata is not kept: the bot's own post of the same text
            same = bool(message.get("bot_id")) and message.get("text") in texts
        if same and message.get("ts"):
            return Sent(slack_ref(channel, str(message["ts"])))
    return None
