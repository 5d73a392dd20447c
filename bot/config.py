"""The TOML configuration: found, read, checked in full before anything starts.

Every mistake is one ConfigError that names the file and the key, so that start-up
either has a whole, valid configuration or stops with one line (exit 2).
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.durations import parse_duration
from bot.netguard import BlockedAddress, check_url_syntax
from bot.safefiles import UnsafeFileError, read_text_capped
from bot.watchlists import Watchlist, WatchlistError, check_channel_watchlists, load_watchlist

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SOURCES: tuple[tuple[str, str], ...] = (
    ("search", "https://news.google.com/rss/search?q={query}&hl=en-US&gl=US&ceid=US:en"),
    ("url", "https://variety.com/feed/"),
    ("url", "https://deadline.com/feed/"),
    ("url", "https://www.hollywoodreporter.com/feed/"),
    ("url", "https://www.theverge.com/rss/index.xml"),
    ("url", "https://techcrunch.com/feed/"),
)
TOP_KEYS = {
    "database",
    "poll_interval",
    "backfill",
    "max_age",
    "retention",
    "allow_private_networks",
    "sources",
    "channels",
    "slack",
    "discord",
}
TARGET_KINDS = ("console", "jsonl", "slack", "discord")
MAX_CONFIG_BYTES = 1 << 20  # a FIFO, /dev/zero or a huge file is refused, never read on


class ConfigError(Exception):
    """A configuration mistake, named by file and key."""

    def __init__(self, where: str, key: str, message: str) -> None:
        super().__init__(f"{where}: {key}: {message}" if key else f"{where}: {message}")


@dataclass(frozen=True)
class SourceConfig:
    """A feed URL, or a search template with `{query}` polled once per distinct watch query."""

    url: str | None = None
    search: str | None = None


@dataclass(frozen=True)
class ChannelConfig:
    """A chat destination, the watchlists synced into it, and its digest schedule."""

    target: str
    watchlists: tuple[Watchlist, ...]
    digest: str | None = None

    @property
    def platform(self) -> str:
        return self.target.split(":", 1)[0]


@dataclass(frozen=True)
class SlackConfig:
    mode: str = "socket"
    host: str = "127.0.0.1"  # http mode listens here: loopback, behind the TLS proxy
    port: int = 3000
    managers: tuple[str, ...] = ()
    api_url: str = ""


@dataclass(frozen=True)
class DiscordConfig:
    api_url: str = ""
    gateway_url: str = ""


@dataclass(frozen=True)
class Config:
    """The whole, checked configuration."""

    path: Path | None
    database: Path
    poll_interval: float = 300.0
    backfill: float = 86400.0
    max_age: float = 7 * 86400.0
    retention: float = 30 * 86400.0  # items first seen longer ago are pruned (bot.retention)
    allow_private_networks: bool = False
    sources: tuple[SourceConfig, ...] = ()
    channels: tuple[ChannelConfig, ...] = ()
    slack: SlackConfig = field(default_factory=SlackConfig)
    discord: DiscordConfig = field(default_factory=DiscordConfig)

    @property
    def where(self) -> str:
        return str(self.path) if self.path else "built-in default"

    def jsonl_path(self, target: str) -> Path:
        """The file a `jsonl:PATH` target appends to: PATH, relative to the config's folder."""
        base = self.path.resolve().parent if self.path else Path.cwd()
        return _resolve(base, target.split(":", 1)[1])


def find_config_path(explicit: str | None, environ: Mapping[str, str] | None = None) -> Path | None:
    """`--config PATH`, else `$NEWSWATCH_CONFIG`, else `./newswatch.toml`, else None (built-in)."""
    env = os.environ if environ is None else environ
    if explicit:
        return Path(explicit)
    if env.get("NEWSWATCH_CONFIG"):
        return Path(env["NEWSWATCH_CONFIG"])
    local = Path("newswatch.toml")
    return local if local.exists() else None


def load_config(
    explicit: str | None = None,
    environ: Mapping[str, str] | None = None,
    check_tokens: bool = True,
) -> Config:
    """Find and load the configuration; with no file at all, the built-in default."""
    env = os.environ if environ is None else environ
    path = find_config_path(explicit, env)
    if path is None:
        return default_config()
    try:
        data = tomllib.loads(read_text_capped(path, MAX_CONFIG_BYTES))
    except FileNotFoundError:
        raise ConfigError(str(path), "", "no such file") from None
    except UnsafeFileError as exc:
        raise ConfigError(str(path), "", exc.reason) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), "", f"cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), "", f"not valid TOML: {exc}") from None
    config = parse_config(data, path)
    if check_tokens:
        check_secrets(config, env)
    return config


def default_config() -> Config:
    """SQLite at ./newswatch.db, the default watchlist and sources, alerts on the console."""
    return Config(
        path=None,
        database=Path.cwd() / "newswatch.db",
        sources=default_sources(),
        channels=(_default_channel("built-in default"),),
    )


def default_sources() -> tuple[SourceConfig, ...]:
    return tuple(
        SourceConfig(url=value) if kind == "url" else SourceConfig(search=value)
        for kind, value in DEFAULT_SOURCES
    )


def _default_channel(where: str) -> ChannelConfig:
    watchlist = _load_watchlist("default", Path.cwd(), where, "channels[0].watchlists[0]")
    return ChannelConfig(target="console", watchlists=(watchlist,))


def parse_config(data: Mapping[str, Any], path: Path) -> Config:
    """Check every key of a parsed TOML document and build the Config."""
    where = str(path)
    base = path.resolve().parent
    _no_unknown(data, TOP_KEYS, where, "")
    database = _resolve(base, _string(data, "database", where, "", "newswatch.db"))
    poll_interval = _duration(data, "poll_interval", where, "5m")
    if poll_interval < 10:
        raise ConfigError(where, "poll_interval", "must be at least 10s")
    backfill = _duration(data, "backfill", where, "24h")
    max_age = _duration(data, "max_age", where, "7d")
    retention = _duration(data, "retention", where, "30d")
    if "retention" not in data:
        retention = max(retention, max_age)  # unset: 30 days, or max_age when that is longer
    if retention < max(max_age, 72 * 3600.0):
        # An item must outlive both the alert window and the 72 h story-merging window.
        raise ConfigError(where, "retention", "must be at least max_age and at least 72h")
    allow_private = data.get("allow_private_networks", False)
    if not isinstance(allow_private, bool):
        raise ConfigError(where, "allow_private_networks", "must be true or false")
    # A file that leaves out sources or channels keeps the built-in ones, as users expect.
    sources = (
        tuple(
            _source(entry, where, f"sources[{i}]")
            for i, entry in enumerate(_table_list(data, "sources", where))
        )
        if "sources" in data
        else default_sources()
    )
    channels = (
        tuple(
            _channel(entry, where, f"channels[{i}]", base)
            for i, entry in enumerate(_table_list(data, "channels", where))
        )
        if "channels" in data
        else (_default_channel(where),)
    )
    targets = [channel.target for channel in channels]
    for i, target in enumerate(targets):
        if targets.index(target) != i:
            raise ConfigError(where, f"channels[{i}].target", f"{target!r} is configured twice")
    return Config(
        path=path,
        database=database,
        poll_interval=poll_interval,
        backfill=backfill,
        max_age=max_age,
        retention=retention,
        allow_private_networks=allow_private,
        sources=sources,
        channels=channels,
        slack=_slack(data.get("slack", {}), where),
        discord=_discord(data.get("discord", {}), where),
    )


def check_secrets(config: Config, environ: Mapping[str, str]) -> None:
    """A configured adapter without its token stops start-up; the token itself is never echoed."""
    platforms = {channel.platform for channel in config.channels}
    where = config.where
    if "slack" in platforms:
        if not environ.get("SLACK_BOT_TOKEN"):
            raise ConfigError(
                where, "channels", "a slack target needs SLACK_BOT_TOKEN in the environment"
            )
        needed = "SLACK_APP_TOKEN" if config.slack.mode == "socket" else "SLACK_SIGNING_SECRET"
        if not environ.get(needed):
            raise ConfigError(
                where, "slack.mode", f"{config.slack.mode} mode needs {needed} in the environment"
            )
    if "discord" in platforms and not environ.get("DISCORD_BOT_TOKEN"):
        raise ConfigError(
            where, "channels", "a discord target needs DISCORD_BOT_TOKEN in the environment"
        )


def _source(entry: Mapping[str, Any], where: str, key: str) -> SourceConfig:
    _no_unknown(entry, {"url", "search"}, where, key)
    url, search = entry.get("url"), entry.get("search")
    if (url is None) == (search is None):
        raise ConfigError(where, key, "needs exactly one of url or search")
    value = url if url is not None else search
    field_key = f"{key}.{'url' if url is not None else 'search'}"
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(where, field_key, "must be a non-empty string")
    if search is not None and "{query}" not in search:
        raise ConfigError(where, field_key, "a search template needs {query}")
    try:
        check_url_syntax(value.replace("{query}", "q"))
    except BlockedAddress as exc:
        raise ConfigError(where, field_key, str(exc)) from None
    return SourceConfig(url=url, search=search)


def _channel(entry: Mapping[str, Any], where: str, key: str, base: Path) -> ChannelConfig:
    _no_unknown(entry, {"target", "watchlists", "digest"}, where, key)
    target = entry.get("target")
    if not isinstance(target, str):
        raise ConfigError(
            where, f"{key}.target", "required: console | jsonl:PATH | slack:ID | discord:ID"
        )
    kind, _, rest = target.partition(":")
    if kind not in TARGET_KINDS or (kind == "console") != (rest == ""):
        raise ConfigError(
            where,
            f"{key}.target",
            f"{target!r} is not console | jsonl:PATH | slack:ID | discord:ID",
        )
    # The target stays as written: it names the channel in the store and in every record
    # (SPEC: "channel is the target string as configured"); the file it means is resolved
    # from the config's folder when it is written (Config.jsonl_path).
    names = entry.get("watchlists", ["default"])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ConfigError(where, f"{key}.watchlists", "must be a list of names or paths")
    watchlists = tuple(
        _load_watchlist(name, base, where, f"{key}.watchlists[{i}]") for i, name in enumerate(names)
    )
    try:
        check_channel_watchlists(watchlists)
    except WatchlistError as exc:
        raise ConfigError(where, f"{key}.watchlists", str(exc)) from None
    digest = entry.get("digest")
    if digest is not None:
        _check_cron(digest, where, f"{key}.digest")
    return ChannelConfig(target=target, watchlists=watchlists, digest=digest)


def _load_watchlist(name: str, base: Path, where: str, key: str) -> Watchlist:
    try:
        return load_watchlist(name, base)
    except WatchlistError as exc:
        raise ConfigError(where, key, str(exc)) from None


def _check_cron(value: Any, where: str, key: str) -> None:
    from apscheduler.triggers.cron import CronTrigger

    if not isinstance(value, str):
        raise ConfigError(where, key, 'must be a cron string like "0 9 * * *"')
    try:
        CronTrigger.from_crontab(value)
    except ValueError as exc:
        raise ConfigError(where, key, f"bad cron {value!r}: {exc}") from None


def _slack(data: Any, where: str) -> SlackConfig:
    if not isinstance(data, dict):
        raise ConfigError(where, "slack", "must be a table")
    _no_unknown(data, {"mode", "host", "port", "managers", "api_url"}, where, "slack")
    mode = data.get("mode", "socket")
    if mode not in ("socket", "http"):
        raise ConfigError(where, "slack.mode", f"{mode!r} is not socket or http")
    port = data.get("port", 3000)
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        raise ConfigError(where, "slack.port", "must be a port number")
    managers = data.get("managers", [])
    if not isinstance(managers, list) or not all(isinstance(m, str) for m in managers):
        raise ConfigError(where, "slack.managers", "must be a list of user ids")
    api_url = _string(data, "api_url", where, "slack.", "")
    host = data.get("host", "127.0.0.1")
    if not _is_listen_host(host):
        raise ConfigError(where, "slack.host", 'must be an IP address or a host name ("0.0.0.0")')
    return SlackConfig(mode=mode, host=host, port=port, managers=tuple(managers), api_url=api_url)


def _is_listen_host(value: Any) -> bool:
    """An IP address, or a host name of letters, digits and inner hyphens (RFC 1123)."""
    if not isinstance(value, str):
        return False
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


def _discord(data: Any, where: str) -> DiscordConfig:
    if not isinstance(data, dict):
        raise ConfigError(where, "discord", "must be a table")
    _no_unknown(data, {"api_url", "gateway_url"}, where, "discord")
    return DiscordConfig(
        api_url=_string(data, "api_url", where, "discord.", ""),
        gateway_url=_string(data, "gateway_url", where, "discord.", ""),
    )


def _no_unknown(data: Mapping[str, Any], known: set[str], where: str, prefix: str) -> None:
    for key in data:
        if key not in known:
            name = f"{prefix}.{key}" if prefix else key
            raise ConfigError(where, name, f"unknown key (known: {', '.join(sorted(known))})")


def _string(data: Mapping[str, Any], key: str, where: str, prefix: str, default: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise ConfigError(where, f"{prefix}{key}", "must be a string")
    return value


def _duration(data: Mapping[str, Any], key: str, where: str, default: str) -> float:
    value = data.get(key, default)
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise ConfigError(where, key, str(exc)) from None


def _table_list(data: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        raise ConfigError(where, key, f"must be an array of tables ([[{key}]])")
    return value


def _resolve(base: Path, value: str) -> Path:
    path = Path(value).expanduser()
    if path.is_absolute():
        return path
    # Folders resolved, the file's own name not: a link planted there stays visible to the
    # code that opens the file (bot.safefiles, bot.store), which refuses or follows it.
    full = base / path
    return full.parent.resolve() / full.name
