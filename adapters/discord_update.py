"""Coverage updates on Discord (SPEC Alerts), and the REST call every send goes through.

An update edits the alert message (PATCH /channels/{c}/messages/{id}) with its embed
re-rendered, and with `thread` replies to it (a message with `message_reference`, which
fails rather than post a loose message when the alert is gone: fail_if_not_exists). The
reply lists the new outlets, escaped as every feed string is (adapters.discord_render),
links built only from each copy's own http(s) URL, no pings, no link previews.
https://discord.com/developers/docs/resources/message#edit-message and #create-message;
error codes: https://discord.com/developers/docs/topics/opcodes-and-status-codes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

import aiohttp
import discord

from adapters.discord_render import (
    CONTENT,
    DiscordText,
    alert_embed,
    escape,
    make_nonce,
    markdown_url,
    payload_base,
    safe_url,
    truncate,
)
from bot.backoff import MAX_RETRY_AFTER
from bot.deliver.adapter import DeliveryError
from bot.deliver.model import Update

DESTINATION_CODES = frozenset({10003, 50001, 50013})  # Unknown Channel, Missing Access/Permissions
# Unknown Message, Cannot edit a message authored by another user: the alert will never be
# editable again, so its update is dropped (and no later one is queued).
GONE_CODES = frozenset({10008, 50005})
SUPPRESS_EMBEDS = 1 << 2  # the reply's links get no previews: the alert above has the story


def describe_http(exc: discord.HTTPException) -> str:
    text = f"HTTP {exc.status}"
    if exc.code:
        text += f" code {exc.code}"
    return f"{text} ({exc.text})" if exc.text else text


def delivery_error(exc: discord.HTTPException, what: str) -> DeliveryError:
    """Discord's answer as the outbox scope."""
    reason = f"discord {what}: {describe_http(exc)}"
    if exc.status >= 500 or exc.status == 429:  # 429 here: no Via header, likely Cloudflare
        return DeliveryError(reason, scope="transient")
    if exc.code in GONE_CODES or (exc.code == 50035 and "message_reference" in exc.text):
        return DeliveryError(reason, scope="gone")
    if exc.status in (401, 403, 404) or exc.code in DESTINATION_CODES:
        return DeliveryError(reason, scope="destination")
    return DeliveryError(reason, scope="message")  # 400 Invalid Form Body and the like


async def guarded(call: Awaitable[Any], what: str, timeout: float) -> Any:
    """One REST call within `timeout`, its failure as the DeliveryError the outbox acts on."""
    try:
        return await asyncio.wait_for(call, timeout)
    except discord.RateLimited as exc:  # longer than discord.py waits in line
        # Capped here, so neither the log nor the stored error spells a 300-digit wait.
        wait = exc.retry_after if 0 <= exc.retry_after < MAX_RETRY_AFTER else MAX_RETRY_AFTER
        raise DeliveryError(
            f"discord: rate limited for {wait:.0f}s", scope="transient", retry_after=wait
        ) from None
    except discord.HTTPException as exc:
        raise delivery_error(exc, what) from None
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        # Discord may have created the message anyway: a retry carries the same nonce, and
        # enforce_nonce makes Discord return that message instead of a second one.
        raise DeliveryError(f"discord: {type(exc).__name__}", scope="transient") from None


def edit_payload(update: Update) -> dict[str, Any]:
    """The alert's embed as it reads now; no content, no pings."""
    return {"embeds": [alert_embed(update.alert)], "allowed_mentions": {"parse": []}}


def reply_payload(update: Update, target: str, message_id: str) -> dict[str, Any]:
    """ "Now 3 outlets. New:" and a line a new copy, as a reply to the alert."""
    lines = [f"Now {update.alert.outlets_text}. New:"]
    for copy in update.copies:
        title = escape(copy.title, DiscordText.story_title_maxlen, single_line=True)
        url = safe_url(copy.url)
        head = f"[{title or '(untitled)'}]({markdown_url(url)})" if url else title or "(untitled)"
        source = escape(copy.source, DiscordText.story_source_maxlen, single_line=True)
        lines.append(f"• {head} · {source}" if source else f"• {head}")
    kept: list[str] = []
    for line in lines:  # whole lines only, so no link is cut in half
        if len("\n".join([*kept, line, "…"])) > CONTENT:
            kept.append("…")
            break
        kept.append(line)
    base = payload_base(make_nonce("nu", target, update.story_id, update.through))
    base["allowed_mentions"] = {"parse": [], "replied_user": False}
    return {
        "content": truncate("\n".join(kept), CONTENT),
        "message_reference": {"message_id": message_id, "fail_if_not_exists": True},
        "flags": SUPPRESS_EMBEDS,
        **base,
    }
