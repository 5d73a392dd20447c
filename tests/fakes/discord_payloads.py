"""Discord API objects as the fake Discord sends them: users, guilds, messages, interactions.

Shapes follow https://discord.com/developers/docs/resources and the gateway events docs,
with the fields discord.py 2.x reads. `Fault` and the responses carry Discord's error and
rate-limit conventions.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

BOT_TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAx.GfAkEx.fake-discord-bot-token-0123456789"
APP_ID = "1000000000000000001"
GUILD_ID = "2000000000000000002"
CHANNEL_ID = "3000000000000000003"
OWNER_ID = "4000000000000000004"
MANAGE_GUILD = 1 << 5
POSTING = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 16)  # view, send, embed links, history
JOINED = "2026-01-01T00:00:00+00:00"
BOT_USER = {
    "id": APP_ID,
    "username": "newswatch",
    "discriminator": "0",
    "global_name": None,
    "avatar": None,
    "bot": True,
    "flags": 0,
    "verified": True,
    "mfa_enabled": False,
}
ERRORS = {
    10003: "Unknown Channel",
    10008: "Unknown Message",
    50005: "Cannot edit a message authored by another user",
    50001: "Missing Access",
    50013: "Missing Permissions",
    50035: "Invalid Form Body",
}


@dataclass
class Fault:
    """A planned failure for the next `times` calls to a route."""

    route: str
    times: int = 1
    status: int = 500
    code: int = 0
    message: str = ""
    retry_after: float | None = None
    is_global: bool = False
    accept: bool = False  # do the work first, then fail (an ambiguous failure)
    delay: float = 0.0  # before the answer (after doing the work, with accept)


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """Exactly `Content-Type: application/json`: discord.py's json_or_text compares strings."""
    sent = {
        "Content-Type": "application/json",
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "4",
        "X-RateLimit-Reset-After": "1.000",
        "X-RateLimit-Reset": f"{time.time() + 1:.3f}",
        "X-RateLimit-Bucket": "fakebucket",
        **(headers or {}),
    }
    return web.Response(status=status, body=json.dumps(data).encode(), headers=sent)


def error(status: int, code: int, message: str = "") -> web.Response:
    """Discord's error body: {"message", "code"}."""
    return json_response(
        {"message": message or ERRORS.get(code, "Bad Request"), "code": code}, status
    )


def fault_response(fault: Fault) -> web.Response:
    if fault.status == 429:
        wait = fault.retry_after if fault.retry_after is not None else 1.0
        headers = {
            "Retry-After": str(max(1, round(wait))),
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset-After": f"{wait:.3f}",
            "X-RateLimit-Scope": "global" if fault.is_global else "user",
            "Via": "1.1 google",  # discord.py treats a 429 without Via as a Cloudflare ban
        }
        if fault.is_global:
            headers["X-RateLimit-Global"] = "true"
        body = {"message": "You are being rate limited.", "retry_after": wait}
        return json_response({**body, "global": fault.is_global}, 429, headers)
    if fault.status >= 500:
        return web.Response(status=fault.status, text="upstream error", content_type="text/plain")
    return error(fault.status, fault.code, fault.message)


def application() -> dict[str, Any]:
    owner = {"id": OWNER_ID, "username": "owner", "discriminator": "0", "avatar": None}
    return {
        "id": APP_ID,
        "name": "newswatch",
        "icon": None,
        "description": "",
        "bot_public": False,
        "bot_require_code_grant": False,
        "owner": owner,
        "verify_key": "0" * 64,
        "flags": 0,
        "bot": BOT_USER,
    }


def text_channel(channel: str) -> dict[str, Any]:
    return {
        "id": channel,
        "type": 0,
        "guild_id": GUILD_ID,
        "name": "news",
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "rate_limit_per_user": 0,
        "last_message_id": None,
        "flags": 0,
    }


def guild(permissions: int) -> dict[str, Any]:
    """GUILD_CREATE: the server, its @everyone role, one text channel and the bot's member."""
    everyone = {
        "id": GUILD_ID,
        "name": "@everyone",
        "permissions": str(permissions),
        "position": 0,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }
    member = {"user": BOT_USER, "roles": [], "joined_at": JOINED, "deaf": False, "mute": False}
    return {
        "id": GUILD_ID,
        "name": "Newsroom",
        "icon": None,
        "owner_id": OWNER_ID,
        "unavailable": False,
        "large": False,
        "member_count": 2,
        "features": [],
        "roles": [everyone],
        "emojis": [],
        "stickers": [],
        "channels": [text_channel(CHANNEL_ID)],
        "threads": [],
        "members": [{**member, "flags": 0}],
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "joined_at": JOINED,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "premium_tier": 0,
        "preferred_locale": "en-US",
        "system_channel_flags": 0,
        "nsfw_level": 0,
    }


def message(message_id: str, channel: str, body: dict[str, Any], flags: int = 0) -> dict[str, Any]:
    return {
        "id": message_id,
        "channel_id": channel,
        "guild_id": GUILD_ID,
        "author": BOT_USER,
        "content": body.get("content") or "",
        "timestamp": "2027-01-15T09:30:00.000000+00:00",
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": pings_everyone(body),
        "mentions": [member_user(user) for user in pinged(body, "users")],
        "mention_roles": pinged(body, "roles"),
        "attachments": [],
        "embeds": body.get("embeds") or [],
        "pinned": False,
        "type": 0,
        "flags": flags | int(body.get("flags") or 0),
        "nonce": body.get("nonce"),
        "_sent": body,  # what the bot sent, for assertions (Discord has no such field)
    }


def interaction(
    iid: str,
    token: str,
    command: dict[str, Any],
    *,
    permissions: int,
    app_permissions: int,
    user_id: str,
    channel_id: str,
) -> dict[str, Any]:
    """INTERACTION_CREATE for a guild slash command (type 2), as Discord sends it."""
    user = {"id": user_id, "username": "reporter", "discriminator": "0", "avatar": None}
    return {
        "id": iid,
        "application_id": APP_ID,
        "type": 2,
        "token": token,
        "version": 1,
        "guild_id": GUILD_ID,
        "guild": {"id": GUILD_ID, "locale": "en-US", "features": []},
        "channel_id": channel_id,
        "channel": text_channel(channel_id),
        "member": {
            "user": user,
            "roles": [],
            "permissions": str(permissions),
            "joined_at": JOINED,
            "deaf": False,
            "mute": False,
            "flags": 0,
        },
        "app_permissions": str(app_permissions),
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": GUILD_ID},
        "context": 0,
        "attachment_size_limit": 10_485_760,
        "data": command,
    }


def check_message(body: Any) -> dict[str, Any] | None:
    """Discord's own refusals for a create-message body (the `errors` of a 50035), or None."""
    if not isinstance(body, dict):
        return {"_errors": [{"code": "DICT_TYPE_CONVERT"}]}
    embeds = body.get("embeds") or []
    mentions = check_allowed_mentions(body.get("allowed_mentions"))
    if mentions is not None:
        return mentions
    if not body.get("content") and not embeds:
        return {"content": {"_errors": [{"code": "BASE_TYPE_REQUIRED"}]}}
    if len(body.get("content") or "") > 2000:
        return {"content": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH"}]}}
    if len(embeds) > 10 or len(str(body.get("nonce") or "")) > 25:
        return {"embeds" if len(embeds) > 10 else "nonce": {"_errors": [{"code": "MAX"}]}}
    total = 0
    for embed in embeds:
        sizes = [len(embed.get("title", "")), len(embed.get("description", ""))]
        sizes += [len(f["name"]) + len(f["value"]) for f in embed.get("fields", [])]
        sizes.append(len(embed.get("footer", {}).get("text", "")))
        if sizes[0] > 256 or sizes[1] > 4096 or len(embed.get("fields", [])) > 25:
            return {"embeds": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH"}]}}
        total += sum(sizes)
    return {"embeds": {"_errors": [{"code": "MAX_EMBED_SIZE_EXCEEDED"}]}} if total > 6000 else None


# Mentions in a message's content (https://discord.com/developers/docs/reference#message-
# formatting): users `<@ID>` or `<@!ID>`, roles `<@&ID>`. Embeds never mention anyone.
MENTION_FORMS = {"users": re.compile(r"<@!?([0-9]+)>"), "roles": re.compile(r"<@&([0-9]+)>")}


def pinged(body: dict[str, Any], kind: str) -> list[str]:
    """The users or roles a message notifies, as Discord decides: those its content mentions
    that allowed_mentions lets through (its `parse` names the kind, or its list holds the id);
    no allowed_mentions lets every mention through."""
    content = str(body.get("content") or "")
    found = list(dict.fromkeys(MENTION_FORMS[kind].findall(content)))
    allowed = body.get("allowed_mentions")
    if allowed is None or kind in allowed.get("parse", []):
        return found
    listed = {str(x) for x in allowed.get(kind) or []}
    return [x for x in found if x in listed]


def member_user(user_id: str) -> dict[str, Any]:
    """A mentioned user as a message's `mentions` lists it."""
    return {
        "id": user_id,
        "username": f"member{user_id[-4:]}",
        "discriminator": "0",
        "avatar": None,
    }


def check_allowed_mentions(allowed: Any) -> dict[str, Any] | None:
    """Discord refuses a type both parsed and listed, and a list of more than 100 ids."""
    if allowed is None:
        return None
    if not isinstance(allowed, dict):
        return {"allowed_mentions": {"_errors": [{"code": "DICT_TYPE_CONVERT"}]}}
    for kind in ("users", "roles"):
        listed = allowed.get(kind)
        if listed is not None and (kind in allowed.get("parse", []) or len(listed) > 100):
            return {"allowed_mentions": {"_errors": [{"code": "MENTION_CONFLICT"}]}}
    return None


def check_edit(body: Any) -> dict[str, Any] | None:
    """Discord's refusals for an edit-message body: every field is optional there, the
    limits are the same as a new message's."""
    if not isinstance(body, dict):
        return {"_errors": [{"code": "DICT_TYPE_CONVERT"}]}
    if "content" not in body and "embeds" not in body:
        return None
    return check_message({"content": "x", **body} if not body.get("content") else body)


def unknown_reference() -> dict[str, Any]:
    """The 50035 `errors` of a reply to a message that is not there (fail_if_not_exists)."""
    problem = {"code": "REPLIES_UNKNOWN_MESSAGE", "message": "Unknown message"}
    return {"message_reference": {"_errors": [problem]}}


def pings_everyone(body: dict[str, Any]) -> bool:
    """Would Discord notify @everyone/@here? Only content pings, if allowed_mentions lets it."""
    content = str(body.get("content") or "")
    allowed = body.get("allowed_mentions")
    parse = ["everyone", "users", "roles"] if allowed is None else allowed.get("parse", [])
    return "everyone" in parse and ("@everyone" in content or "@here" in content)


def sub(name: str, **values: Any) -> dict[str, Any]:
    """A subcommand option (type 1) with string options (type 3)."""
    options = [{"name": key, "type": 3, "value": value} for key, value in values.items()]
    return {"name": name, "type": 1, "options": options}


def option(name: str, value: str) -> dict[str, Any]:
    return {"name": name, "type": 3, "value": value}
