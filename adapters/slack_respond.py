"""Answering an acked slash command: by its response_url, else by chat.postEphemeral.

The response_url needs no channel membership; one that is not Slack's
(adapters.slack_response_url) gets nothing, and the answer goes by chat.postEphemeral instead.
"""

from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_command import PendingCommand
from adapters.slack_render import reply_blocks
from adapters.slack_response_url import (
    ResponseUrlFailed,
    ResponseUrlRefused,
    check_response_url,
    post_response,
)
from bot.ingest.netguard import Resolver

log = logging.getLogger("newswatch.slack")


async def respond(
    pending: PendingCommand,
    text: str,
    response_type: str,
    *,
    client: AsyncWebClient,
    api_url: str,
    resolver: Resolver | None,
    timeout: float,
) -> None:
    """Answer through the command's response_url (no channel membership needed).

    A response_url that is not Slack's (nor on `api_url`, config.slack.api_url) gets nothing:
    the answer goes by chat.postEphemeral instead, and the log names only the URL's host.
    """
    blocks = reply_blocks(text) if text.strip() else None
    if pending.response_url:
        try:
            target = check_response_url(pending.response_url, api_url)
            status = await post_response(
                target,
                {"text": text, "response_type": response_type, "blocks": blocks or []},
                timeout,
                resolver,
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
    await client.chat_postEphemeral(
        channel=pending.channel, user=pending.user, text=text, blocks=blocks
    )
