"""The discord.py client newswatch runs: fewest intents, no mentions, its own API base.

discord.py builds every REST URL from one class attribute (`discord.http.Route.BASE`) and
always dials `wss://gateway.discord.gg/` first (`DiscordWebSocket.DEFAULT_GATEWAY`), and
`Client.connect()` takes no gateway argument. Rather than mutate those process-wide, this
client owns an HTTPClient subclass that rewrites both on the way out, and interaction
responses (which discord.py sends through a separate webhook adapter found in a context
variable) get a matching adapter set in the client's own task. So one client can talk to
`[discord] api_url` while the rest of the process is untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.http import HTTPClient, Route
from discord.webhook.async_ import AsyncWebhookAdapter

log = logging.getLogger("newswatch.discord")
DEFAULT_API_URL = "https://discord.com/api/v10"
DEFAULT_GATEWAY = str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
MAX_INLINE_RATE_LIMIT = 30.0  # discord.py's floor; a longer 429 goes back to the outbox

SlashHandler = Callable[[discord.Interaction[Any], str, str], Awaitable[None]]


def _rebase(url: str, base: str) -> str:
    """Discord's URL with our API base in front of the path (no-op for the default base)."""
    default = Route.BASE
    return base + url[len(default) :] if base != default and url.startswith(default) else url


class RoutedHTTP(HTTPClient):
    """discord.py's HTTP client (and its rate-limit handling), aimed at a chosen API and gateway."""

    def __init__(
        self, loop: Any, api_url: str, max_ratelimit_timeout: float = MAX_INLINE_RATE_LIMIT
    ) -> None:
        super().__init__(loop, max_ratelimit_timeout=max_ratelimit_timeout)
        self.api_url = api_url.rstrip("/")
        self.gateway: str | None = None  # set once known: [discord] gateway_url or /gateway/bot

    async def request(self, route: Route, **kwargs: Any) -> Any:
        route.url = _rebase(route.url, self.api_url)
        return await super().request(route, **kwargs)

    async def ws_connect(self, url: str, *, compress: int = 0) -> aiohttp.ClientWebSocketResponse:
        # Only the first dial (and a dial after INVALID_SESSION) uses DEFAULT_GATEWAY; resumes
        # use READY's resume_gateway_url, which the server chose and we leave alone.
        if self.gateway and url.startswith(DEFAULT_GATEWAY):
            query = url[len(DEFAULT_GATEWAY) :].lstrip("/")
            url = self.gateway.rstrip("/") + "/" + query
        return await super().ws_connect(url, compress=compress)


class RoutedWebhooks(AsyncWebhookAdapter):
    """Interaction callbacks and follow-ups, sent to the same API base as REST."""

    def __init__(self, api_url: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.api_url = api_url.rstrip("/")

    async def request(self, route: Route, session: aiohttp.ClientSession, **kwargs: Any) -> Any:
        route.url = _rebase(route.url, self.api_url)
        return await super().request(route, session, **kwargs)


class NewswatchClient(discord.Client):
    """Guild events only (to know servers and channels), AllowedMentions.none() by default."""

    def __init__(
        self, api_url: str, on_slash: SlashHandler, guild_ready_timeout: float = 2.0
    ) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        # discord.py warns once per process that voice libraries are missing; newswatch
        # never uses voice, so the warning is noise in every `newswatch run`.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        super().__init__(
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=guild_ready_timeout,
            max_ratelimit_timeout=MAX_INLINE_RATE_LIMIT,
        )
        # Swap in the routed HTTP client before anything holds the old one: the connection
        # state reads `http` from here, and the command tree is built after this.
        self.http = RoutedHTTP(self.loop, api_url)
        self._connection.http = self.http
        self.routed: RoutedHTTP = self.http
        self.webhooks = RoutedWebhooks(api_url)
        self.tree = build_tree(self, on_slash)

    async def on_ready(self) -> None:
        """Each new session (the first, and any after the gateway dropped one) is logged."""
        guilds = ", ".join(f"{g.name} ({g.id})" for g in self.guilds) or "no servers yet"
        log.info("discord connected", extra={"reason": f"as {self.user}, in {guilds}"})


UNKNOWN_COMMAND = (
    "newswatch does not know that command as Discord sent it (its registration is out of "
    "date); ask a server admin to run `newswatch discord sync`."
)


class NewswatchTree(app_commands.CommandTree[Any]):
    """The command tree, answering what it cannot route: a stale registration sends commands
    or options newswatch no longer has, and the user gets a short reply, not "The application
    did not respond", while the log gets one line, not a traceback."""

    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        mismatch = (
            app_commands.CommandNotFound,
            app_commands.CommandSignatureMismatch,
            app_commands.TransformerError,
        )
        extra = {"channel": f"discord:{interaction.channel_id}", "reason": type(error).__name__}
        if isinstance(error, mismatch):
            log.warning("a slash command that does not match newswatch's", extra=extra)
            text = UNKNOWN_COMMAND
        else:
            log.error("a slash command failed", extra=extra)
            text = "Sorry, that command failed; the log has the details."
        if interaction.response.is_done():
            return
        try:
            await interaction.response.send_message(text, ephemeral=True)
        except discord.HTTPException as exc:  # the interaction expired: nothing more to do
            log.warning("could not answer a slash command", extra={"reason": str(exc.status)})


def build_tree(client: discord.Client, on_slash: SlashHandler) -> app_commands.CommandTree[Any]:
    """`/watch add|remove|why|list|pause|resume` and `/digest [window]`, guild-only."""
    tree: app_commands.CommandTree[Any] = NewswatchTree(client)
    tree.add_command(_watch_group(on_slash))

    @tree.command(name="digest", description="Post a digest of this channel's stories")
    @app_commands.guild_only()
    @app_commands.describe(window="How far back, like 24h or 7d (default: since the last one)")
    async def digest(interaction: discord.Interaction, window: str | None = None) -> None:
        if await _stale(interaction, window or ""):
            return
        await on_slash(interaction, "digest", window or "")

    return tree


def _watch_group(on_slash: SlashHandler) -> app_commands.Group:
    """/watch and its subcommands. Discord takes default_member_permissions on top-level
    commands only, so Manage Server is declared on the whole group (server admins can open it
    to more roles under Server Settings > Integrations) and checked again for every change."""
    watch = app_commands.Group(
        name="watch",
        description="Watch the news for a query in this channel",
        guild_only=True,
        allowed_contexts=app_commands.AppCommandContext(guild=True),
        default_permissions=discord.Permissions(manage_guild=True),
    )

    @watch.command(name="add", description="Add a watch to this channel")
    @app_commands.describe(query='What to watch, e.g. SAG-AFTRA -golf or "OpenAI" Hollywood')
    async def add(interaction: discord.Interaction, query: str) -> None:
        if await _stale(interaction, query):
            return
        await on_slash(interaction, "watch", f"add {query}")

    @watch.command(name="remove", description="Remove a watch (by query or #id)")
    @app_commands.describe(query="The query as listed, or its id")
    async def remove(interaction: discord.Interaction, query: str) -> None:
        if await _stale(interaction, query):
            return
        await on_slash(interaction, "watch", f"remove {query}")

    @watch.command(name="why", description="Why an item is in its story, and each watch on it")
    @app_commands.describe(item="The item's link, or a story id")
    async def why(interaction: discord.Interaction, item: str) -> None:
        if await _stale(interaction, item):
            return
        await on_slash(interaction, "watch", f"why {item}")

    for name, description in (
        ("list", "List this channel's watches"),
        ("pause", "Pause every watch in this channel"),
        ("resume", "Resume this channel's watches"),
    ):
        watch.add_command(_plain_watch_command(on_slash, name, description))
    return watch


def _plain_watch_command(
    on_slash: SlashHandler, name: str, description: str
) -> app_commands.Command[Any, ..., None]:
    """A /watch subcommand without options."""

    async def run(interaction: discord.Interaction) -> None:
        await on_slash(interaction, "watch", name)

    return app_commands.Command(name=name, description=description, callback=run)


async def _stale(interaction: discord.Interaction[Any], value: object) -> bool:
    """discord.py hands a str-typed option over untransformed: a number or a boolean means
    the command was registered with other option types. Answer it as a stale command."""
    if isinstance(value, str):
        return False
    log.warning(
        "a slash command that does not match newswatch's",
        extra={"channel": f"discord:{interaction.channel_id}", "reason": type(value).__name__},
    )
    await interaction.response.send_message(UNKNOWN_COMMAND, ephemeral=True)
    return True
