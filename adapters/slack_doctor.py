"""`newswatch doctor` for Slack channels: can the bot post in each one, asked of conversations.info.

conversations.info (https://docs.slack.dev/reference/methods/conversations.info) needs
channels:read, which the manifest does not ask for: without it a channel is reported as not
checked, never as ok. A private channel the bot is not in reads as channel_not_found.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_errors import describe, error_code
from bot.config import Config
from bot.target import Target


def scope_lines(scopes: list[str], required: tuple[str, ...]) -> list[str]:
    """The token's scopes, those missing, and what a missing channels:history costs."""
    if not scopes:
        return []
    lines = [f"slack: scopes: {', '.join(scopes)}"]
    missing = [s for s in required if s not in scopes]
    if missing:
        lines.append(f"slack: missing scopes {', '.join(missing)} - FAILED")
    if "channels:history" not in scopes:
        lines.append(
            "slack: no channels:history scope: an alert whose answer is lost "
            "(a timeout, a killed worker) may be posted twice"
        )
    return lines


async def channel_lines(client: AsyncWebClient, config: Config, scopes: list[str]) -> list[str]:
    """One line for each configured Slack channel."""
    return [
        await channel_line(client, channel.target, scopes)
        for channel in config.channels
        if channel.platform == "slack"
    ]


async def channel_line(client: AsyncWebClient, target: str, scopes: list[str]) -> str:
    address = Target.parse(target).address
    try:
        response = await client.conversations_info(channel=address)
    except SlackApiError as exc:
        error = error_code(exc)
        if error == "missing_scope":
            needed = _field(exc, "needed") or "channels:read"
            return f"slack: channel {target}: not checked (conversations.info needs {needed})"
        if error == "channel_not_found":
            why = "not found, or private and the bot is not in it"
            return f"slack: channel {target}: {why} - FAILED"
        return f"slack: channel {target}: cannot check it ({error}) - FAILED"
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        return f"slack: channel {target}: cannot check it ({describe(exc)}) - FAILED"
    info = response.get("channel") or {}
    name = f"#{info.get('name')}" if info.get("is_channel") or info.get("is_group") else "a DM"
    if info.get("is_archived"):
        return f"slack: channel {target} ({name}): archived - FAILED"
    if info.get("is_im") or info.get("is_member"):
        return f"slack: channel {target} ({name}): can post"
    if info.get("is_private"):
        return f"slack: channel {target} ({name}): private and the bot is not in it - FAILED"
    if "chat:write.public" in scopes:
        return f"slack: channel {target} ({name}): can post (public; the bot is not in it)"
    why = "the bot is not in it and the token lacks chat:write.public"
    return f"slack: channel {target} ({name}): {why} - FAILED"


def _field(exc: SlackApiError, key: str) -> str:
    data: Any = getattr(exc.response, "data", None)
    return str(data.get(key) or "") if isinstance(data, dict) else ""
