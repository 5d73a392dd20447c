"""The two calls that prove Slack's tokens at start-up and in doctor, each failing with one
line that names the token and never shows it."""

from __future__ import annotations

from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack_errors import describe, error_code


async def auth_test(client: AsyncWebClient, bot_token: str, api_url: str) -> dict[str, Any]:
    """auth.test: who the bot token is, with its scopes (the x-oauth-scopes header)."""
    if not bot_token:
        raise RuntimeError("slack: SLACK_BOT_TOKEN is not set")
    try:
        response = await client.auth_test()
    except SlackApiError as exc:
        error = error_code(exc)
        raise RuntimeError(f"slack: SLACK_BOT_TOKEN was refused by auth.test ({error})") from None
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        raise RuntimeError(
            f"slack: cannot reach {api_url} for auth.test ({describe(exc)})"
        ) from None
    data = dict(response.data) if isinstance(response.data, dict) else {}
    data["scopes"] = str(response.headers.get("x-oauth-scopes", "") or "")
    return data


async def open_socket_url(client: AsyncWebClient, app_token: str, api_url: str) -> str:
    """apps.connections.open once, so a bad app token fails start-up with one line."""
    if not app_token:
        raise RuntimeError("slack: socket mode needs SLACK_APP_TOKEN")
    try:
        response = await client.apps_connections_open(app_token=app_token)
    except SlackApiError as exc:
        error = error_code(exc)
        raise RuntimeError(
            f"slack: SLACK_APP_TOKEN was refused by apps.connections.open ({error})"
        ) from None
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        raise RuntimeError(
            f"slack: cannot reach {api_url} for apps.connections.open ({describe(exc)})"
        ) from None
    return str(response["url"])
