"""`newswatch doctor` for Discord: which servers and channels the bot can post in, over REST.

A doctor runs without the gateway, so permissions are computed the way Discord does
(https://discord.com/developers/docs/topics/permissions#permission-overwrites): the bot's
server permissions (GET /users/@me/guilds), then the channel's @everyone and member
overwrites. Role overwrites need the member's roles and are not applied; the line says so.
"""

from __future__ import annotations

from typing import Any

import discord

from bot.config import Config
from bot.target import Target

NEEDED = {
    "view_channel": "View Channel",
    "send_messages": "Send Messages",
    "embed_links": "Embed Links",
    "read_message_history": "Read Message History",
}


def missing(perms: discord.Permissions) -> list[str]:
    if perms.administrator:
        return []
    return [label for name, label in NEEDED.items() if not getattr(perms, name)]


def with_overwrites(
    base: int, channel: dict[str, Any], guild_id: str, user_id: str
) -> discord.Permissions:
    """Apply the @everyone, then the member, overwrite to the server-level permissions."""
    value = base
    overwrites = {str(o.get("id")): o for o in channel.get("permission_overwrites", [])}
    for key in (guild_id, user_id):
        overwrite = overwrites.get(key)
        if overwrite is not None:
            value = (value & ~int(overwrite.get("deny", 0))) | int(overwrite.get("allow", 0))
    return discord.Permissions(value)


async def doctor_lines(client: discord.Client, config: Config) -> list[str]:
    user = client.user
    lines = [f"discord: token ok: bot {user} ({user.id if user else '?'})"]
    try:
        guilds = await client.http.get_guilds(200)
    except discord.HTTPException as exc:
        return [*lines, f"discord: cannot list servers: HTTP {exc.status} - FAILED"]
    perms_by_guild: dict[str, int] = {}
    for guild in guilds:
        perms = int(guild.get("permissions", 0))
        perms_by_guild[str(guild["id"])] = perms
        lacking = missing(discord.Permissions(perms))
        state = f"missing {', '.join(lacking)}" if lacking else "can post"
        lines.append(f"discord: server {guild.get('name')} ({guild['id']}): {state}")
    if not guilds:
        lines.append("discord: the bot is in no server yet; add it with `newswatch discord invite`")
    for channel in config.channels:
        if channel.platform == "discord":
            lines.append(await _channel_line(client, channel.target, perms_by_guild))
    return lines


async def _channel_line(client: discord.Client, target: str, perms_by_guild: dict[str, int]) -> str:
    raw = Target.parse(target).address
    try:
        data: dict[str, Any] = dict(await client.http.get_channel(int(raw)))
    except (ValueError, discord.HTTPException) as exc:
        why = (
            f"HTTP {exc.status} {exc.text}" if isinstance(exc, discord.HTTPException) else "bad id"
        )
        return f"discord: channel {target}: cannot see it ({why}) - FAILED"
    guild_id = str(data.get("guild_id", ""))
    if guild_id not in perms_by_guild:
        return f"discord: channel {target}: not in a server the bot is in - FAILED"
    user_id = str(client.user.id) if client.user else ""
    lacking = missing(with_overwrites(perms_by_guild[guild_id], data, guild_id, user_id))
    name = f"#{data.get('name')} in server {guild_id}"
    if lacking:
        return f"discord: channel {target} ({name}): missing {', '.join(lacking)} - FAILED"
    return f"discord: channel {target} ({name}): can post (role overwrites not checked)"
