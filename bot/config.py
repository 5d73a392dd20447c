"""The TOML configuration: found, read, checked in full before anything starts.

Every mistake is one ConfigError that names the file and the key, so that start-up
either has a whole, valid configuration or stops with one line (exit 2).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config_decode import SchemaError, convert
from bot.config_schema import AlertsConfig as AlertsConfig
from bot.config_schema import ChannelEntry, ConfigFile, default_sources, is_listen_host
from bot.config_schema import DiscordConfig as DiscordConfig
from bot.config_schema import SlackConfig as SlackConfig
from bot.config_schema import SourceConfig as SourceConfig
from bot.cron import crontab
from bot.database_url import check_postgres_url, display_url, is_postgres
from bot.durations import parse_duration
from bot.ingest.netguard import BlockedAddress, check_url_syntax
from bot.match.watchlists import (
    Watchlist,
    WatchlistError,
    check_channel_watchlists,
    check_notify,
    load_watchlist,
)
from bot.ops.safefiles import UnsafeFileError, read_text_capped
from bot.target import Target, TargetError

MAX_CONFIG_BYTES = 1 << 20  # a FIFO, /dev/zero or a huge file is refused, never read on


class ConfigError(Exception):
    """A configuration mistake, named by file and key."""

    def __init__(self, where: str, key: str, message: str) -> None:
        super().__init__(f"{where}: {key}: {message}" if key else f"{where}: {message}")


@dataclass(frozen=True)
class ChannelConfig:
    """A chat destination, the watchlists synced into it, and its digest schedule."""

    target: str
    watchlists: tuple[Watchlist, ...]
    digest: str | None = None

    @property
    def platform(self) -> str:
        return Target.parse(self.target).platform


@dataclass(frozen=True)
class Config:
    """The whole, checked configuration."""

    path: Path | None
    database: Path  # the SQLite file (unused when `postgres` is set)
    poll_interval: float = 300.0
    backfill: float = 86400.0
    max_age: float = 7 * 86400.0
    retention: float = 30 * 86400.0  # items first seen longer ago are pruned (bot.store.retention)
    allow_private_networks: bool = False
    timezone: str = "UTC"  # an IANA name, checked at load: digest schedules and console times
    sources: tuple[SourceConfig, ...] = ()
    channels: tuple[ChannelConfig, ...] = ()
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    slack: SlackConfig = field(default_factory=SlackConfig)
    discord: DiscordConfig = field(default_factory=DiscordConfig)
    postgres: str | None = None  # a postgresql:// URL (bot.database_url), else SQLite
    lease: float = 300.0  # PostgreSQL workers: how long a claimed source is theirs alone

    @property
    def database_name(self) -> str:
        """The database as messages name it: the SQLite path, or the URL without options."""
        return display_url(self.postgres) if self.postgres else str(self.database)

    @property
    def zone(self) -> ZoneInfo:
        """The configured time zone (zoneinfo caches each zone, so this costs a lookup)."""
        return ZoneInfo(self.timezone)

    @property
    def where(self) -> str:
        return str(self.path) if self.path else "built-in default"

    def jsonl_path(self, target: str) -> Path:
        """The file a `jsonl:PATH` target appends to: PATH, relative to the config's folder."""
        base = self.path.resolve().parent if self.path else Path.cwd()
        return _resolve(base, Target.parse(target).address)


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


def _default_channel(where: str) -> ChannelConfig:
    watchlist = _load_watchlist("default", Path.cwd(), where, "channels[0].watchlists[0]")
    return ChannelConfig(target="console", watchlists=(watchlist,))


def parse_config(data: Mapping[str, Any], path: Path) -> Config:
    """Check a parsed TOML document against the schema, then what no type can say."""
    where, base = str(path), path.resolve().parent
    try:
        raw = convert(data, ConfigFile)
    except SchemaError as exc:
        raise ConfigError(where, exc.key, exc.message) from None
    poll_interval = _duration(raw.poll_interval, where, "poll_interval", least=10)
    max_age = _duration(raw.max_age, where, "max_age")
    retention = (
        max(30 * 86400.0, max_age)  # unset: 30 days, or max_age when that is longer
        if raw.retention is None
        else _duration(raw.retention, where, "retention")
    )
    if retention < max(max_age, 72 * 3600.0):
        # An item must outlive both the alert window and the 72 h story-merging window.
        raise ConfigError(where, "retention", "must be at least max_age and at least 72h")
    # A file that leaves out sources or channels keeps the built-in ones, as users expect.
    sources = (
        default_sources()
        if raw.sources is None
        else tuple(_source(s, where, f"sources[{i}]") for i, s in enumerate(raw.sources))
    )
    channels = (
        (_default_channel(where),)
        if raw.channels is None
        else tuple(_channel(c, where, f"channels[{i}]", base) for i, c in enumerate(raw.channels))
    )
    targets = [channel.target for channel in channels]
    for i, target in enumerate(targets):
        if targets.index(target) != i:
            raise ConfigError(where, f"channels[{i}].target", f"{target!r} is configured twice")
    _check_names(raw, where)
    return Config(
        path=path,
        **_database(raw.database, where, base),
        poll_interval=poll_interval,
        backfill=_duration(raw.backfill, where, "backfill"),
        max_age=max_age,
        retention=retention,
        allow_private_networks=raw.allow_private_networks,
        timezone=raw.timezone,
        sources=sources,
        channels=channels,
        alerts=raw.alerts,
        slack=raw.slack,
        discord=raw.discord,
        lease=_duration(raw.lease, where, "lease", least=5),
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


def _source(source: SourceConfig, where: str, key: str) -> SourceConfig:
    if (source.url is None) == (source.search is None):
        raise ConfigError(where, key, "needs exactly one of url or search")
    value = source.url if source.url is not None else source.search
    field_key = f"{key}.{'url' if source.url is not None else 'search'}"
    if not value or not value.strip():
        raise ConfigError(where, field_key, "must be a non-empty string")
    if source.search is not None and "{query}" not in source.search:
        raise ConfigError(where, field_key, "a search template needs {query}")
    try:
        check_url_syntax(value.replace("{query}", "q"))
    except BlockedAddress as exc:
        raise ConfigError(where, field_key, str(exc)) from None
    return source


def _channel(entry: ChannelEntry, where: str, key: str, base: Path) -> ChannelConfig:
    try:
        platform = Target.configured(entry.target).platform
    except TargetError as exc:
        raise ConfigError(where, f"{key}.target", str(exc)) from None
    # The target stays as written: it names the channel in the store and in every record
    # (SPEC: "channel is the target string as configured"); the file it means is resolved
    # from the config's folder when it is written (Config.jsonl_path).
    watchlists = tuple(
        _load_watchlist(name, base, where, f"{key}.watchlists[{i}]")
        for i, name in enumerate(entry.watchlists)
    )
    for i, watchlist in enumerate(watchlists):
        try:
            check_notify(watchlist, platform)
        except WatchlistError as exc:
            raise ConfigError(where, f"{key}.watchlists[{i}]", str(exc)) from None
    try:
        check_channel_watchlists(watchlists)
    except WatchlistError as exc:
        raise ConfigError(where, f"{key}.watchlists", str(exc)) from None
    if entry.digest is not None:
        _check_cron(entry.digest, where, f"{key}.digest")
    return ChannelConfig(target=entry.target, watchlists=watchlists, digest=entry.digest)


def _load_watchlist(name: str, base: Path, where: str, key: str) -> Watchlist:
    try:
        return load_watchlist(name, base)
    except WatchlistError as exc:
        raise ConfigError(where, key, str(exc)) from None


def _check_cron(value: str, where: str, key: str) -> None:
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(crontab(value))
    except ValueError as exc:
        raise ConfigError(where, key, f"bad cron {value!r}: {exc}") from None


def _check_names(raw: ConfigFile, where: str) -> None:
    """The names no type can check: the listen host and the time zone."""
    if not is_listen_host(raw.slack.host):
        raise ConfigError(where, "slack.host", 'must be an IP address or a host name ("0.0.0.0")')
    _check_timezone(raw.timezone, where)


def _check_timezone(name: str, where: str) -> None:
    """An IANA name zoneinfo knows; `localtime` is refused: it is whatever the host says."""
    try:
        if name == "localtime":
            raise ZoneInfoNotFoundError(name)
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # empty, absolute, ../, a folder
        raise ConfigError(where, "timezone", f"unknown time zone {name!r}") from None


def _duration(value: str, where: str, key: str, least: float = 0) -> float:
    """A duration, and at least `least` seconds."""
    try:
        seconds = parse_duration(value)
    except ValueError as exc:
        raise ConfigError(where, key, str(exc)) from None
    if seconds < least:
        raise ConfigError(where, key, f"must be at least {least:g}s")
    return seconds


def _resolve(base: Path, value: str) -> Path:
    path = Path(value).expanduser()
    if path.is_absolute():
        return path
    # Folders resolved, the file's own name not: a link planted there stays visible to the
    # code that opens the file (bot.ops.safefiles, bot.store.db), which refuses or follows it.
    full = base / path
    return full.parent.resolve() / full.name


def _database(database: str, where: str, base: Path) -> dict[str, Any]:
    """Config's `database` (the SQLite path) and `postgres` (a checked URL, or None)."""
    if not is_postgres(database):
        return {"database": _resolve(base, database), "postgres": None}
    try:
        url = check_postgres_url(database)
    except ValueError as exc:
        raise ConfigError(where, "database", str(exc)) from None
    return {"database": _resolve(base, "newswatch.db"), "postgres": url}
