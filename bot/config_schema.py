"""The shape of newswatch.toml, declared: every key, its type, its default and its wording.

bot.config_decode checks a parsed file against these Structs (unknown keys, wrong types, ranges);
bot.config then checks only what a type cannot say (durations, URLs, targets, cron, zones, hosts).
[slack], [discord] and [[sources]] entries are used as they come; a channel's watchlists
are loaded from its entry.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from bot.target import TARGET_FORMS

DURATION = "a duration like 30s, 5m, 2h or 7d"
DEFAULT_SOURCES: tuple[tuple[str, str], ...] = (
    ("search", "https://news.google.com/rss/search?q={query}&hl=en-US&gl=US&ceid=US:en"),
    ("url", "https://variety.com/feed/"),
    ("url", "https://deadline.com/feed/"),
    ("url", "https://www.hollywoodreporter.com/feed/"),
    ("url", "https://www.theverge.com/rss/index.xml"),
    ("url", "https://techcrunch.com/feed/"),
)


class SourceConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A feed URL, or a search template with `{query}` polled once per distinct watch query."""

    url: Annotated[str, Meta(description="a feed URL")] | None = None
    search: Annotated[str, Meta(description="a search URL with {query}")] | None = None


class ChannelEntry(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A [[channels]] entry as written: its watchlists are still names."""

    target: Annotated[str, Meta(description=TARGET_FORMS)]
    watchlists: Annotated[tuple[str, ...], Meta(description="a list of names or paths")] = (
        "default",
    )
    digest: Annotated[str, Meta(description='a cron string like "0 9 * * *"')] | None = None


class SlackConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """[slack]: how the Slack app connects; its tokens come only from the environment."""

    mode: Annotated[Literal["socket", "http"], Meta(description="socket or http")] = "socket"
    # http mode listens here: loopback, behind the TLS proxy
    host: Annotated[str, Meta(description='an IP address or a host name ("0.0.0.0")')] = "127.0.0.1"
    port: Annotated[int, Meta(ge=1, le=65535, description="a port number")] = 3000
    managers: Annotated[tuple[str, ...], Meta(description="a list of user ids")] = ()
    api_url: str = ""


class DiscordConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """[discord]: where the REST API and the gateway are; the token is in the environment."""

    api_url: str = ""
    gateway_url: str = ""


class AlertsConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """[alerts]: what a channel is told when more outlets carry a story it was alerted to."""

    updates: Annotated[
        Literal["edit", "thread", "off"], Meta(description="edit, thread or off")
    ] = "edit"


Duration = Annotated[str, Meta(description=DURATION)]


class ConfigFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The whole file as written; None is a key left out (TOML has no null)."""

    database: Annotated[str, Meta(description="a file path or a postgresql:// URL")] = (
        "newswatch.db"
    )
    poll_interval: Duration = "5m"
    backfill: Duration = "24h"
    max_age: Duration = "7d"
    retention: Duration | None = None  # left out: 30 days, or max_age when that is longer
    allow_private_networks: bool = False
    lease: Duration = "5m"  # PostgreSQL workers: a claimed source's lease (bot.store.pg.leases)
    timezone: Annotated[str, Meta(description='an IANA time zone name like "Europe/Paris"')] = "UTC"
    sources: (
        Annotated[tuple[SourceConfig, ...], Meta(description="an array of tables ([[sources]])")]
        | None
    ) = None
    channels: (
        Annotated[tuple[ChannelEntry, ...], Meta(description="an array of tables ([[channels]])")]
        | None
    ) = None
    alerts: AlertsConfig = msgspec.field(default_factory=AlertsConfig)
    slack: SlackConfig = msgspec.field(default_factory=SlackConfig)
    discord: DiscordConfig = msgspec.field(default_factory=DiscordConfig)


def default_sources() -> tuple[SourceConfig, ...]:
    """The sources of a file that leaves out [[sources]], and of the built-in default."""
    return tuple(
        SourceConfig(url=value) if kind == "url" else SourceConfig(search=value)
        for kind, value in DEFAULT_SOURCES
    )


def is_listen_host(value: str) -> bool:
    """An IP address, or a host name of letters, digits and inner hyphens (RFC 1123)."""
    try:
        ipaddress.ip_address(value)
        return True
    except ValueError:
        pass
    labels = value.removesuffix(".").split(".")
    return (
        0 < len(value) <= 253
        and not labels[-1].isdigit()  # 300.1.1.1 is a bad address, not a name
        and all(
            0 < len(label) <= 63
            and not label.startswith("-")
            and not label.endswith("-")
            and all(c.isascii() and (c.isalnum() or c == "-") for c in label)
            for label in labels
        )
    )
