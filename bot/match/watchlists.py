"""Watchlist files: a name and a list of watches, each checked when loaded.

The file's shape (keys, types) is the schema below; by hand only what a type cannot say: a
query parses, a name is clean and short, a notify is a mention some platform knows (and the
channel's platform, when a channel takes the file: check_notify).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import msgspec
from msgspec import Meta

from bot.bundled import bundled_folder
from bot.config_decode import SchemaError, convert
from bot.match.query import QueryError, normalise_query, parse_query
from bot.ops.safefiles import UnsafeFileError, read_text_capped
from bot.text import clean_text

BUNDLED_DIR = bundled_folder("bot.watchlists")
MAX_WATCHLIST_BYTES = 4 << 20  # a FIFO, /dev/zero or a huge file is refused, never read on
MAX_FILE_WATCHES_PER_CHANNEL = 10_000  # SPEC "Chat commands"
MAX_NAME_CHARS = 80  # a watch's name heads alerts and lists: a label, not a paragraph
# SPEC "Watchlists and watches": the mentions a watch's notify may be, per platform.
NOTIFY_FORMS: dict[str, tuple[str, re.Pattern[str]]] = {
    "slack": (
        "@here, @channel, <!subteam^ID>, <@U...>",
        re.compile(r"@here|@channel|<!subteam\^S[A-Z0-9]+>|<@[UW][A-Z0-9]+>"),
    ),
    "discord": ("@here, <@&ROLE>, <@USER>", re.compile(r"@here|<@&[0-9]{1,20}>|<@[0-9]{1,20}>")),
}


class WatchlistError(Exception):
    """A watchlist that cannot be read or holds a bad query; the text names file and key."""


class FileWatch(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One [[watch]]: its query, and optionally how alerts name it and whom it pings.

    Both are synced into the store with the watch (bot.store.watches) and read at each send."""

    query: Annotated[str, Meta(description="a query string")]
    name: Annotated[str, Meta(description="a string")] | None = None
    notify: Annotated[str, Meta(description='a mention string like "@here"')] | None = None


class WatchlistFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: str | None = None
    watch: Annotated[tuple[FileWatch, ...], Meta(description="an array of tables ([[watch]])")] = ()


@dataclass(frozen=True)
class Watchlist:
    """The watches of one watchlist file, in file order; the file is their truth."""

    name: str
    path: Path
    watches: tuple[FileWatch, ...]

    @property
    def queries(self) -> tuple[str, ...]:
        """Each query once, in file order."""
        return tuple(dict.fromkeys(watch.query for watch in self.watches))


def resolve_watchlist(name: str, base: Path) -> Path:
    """A path (relative to the config's folder), or a name in watchlists/ there or bundled."""
    if name.endswith(".toml") or "/" in name or "\\" in name:
        path = Path(name).expanduser()
        return path if path.is_absolute() else (base / path).resolve()
    for folder in (base / "watchlists", BUNDLED_DIR):
        candidate = folder / f"{name}.toml"
        if candidate.is_file():
            return candidate.resolve()
    raise WatchlistError(f"no watchlist named {name!r} in {base / 'watchlists'} or {BUNDLED_DIR}")


def load_watchlist(name: str, base: Path) -> Watchlist:
    """Read and check a watchlist file; every query must parse."""
    path = resolve_watchlist(name, base)
    try:
        data = tomllib.loads(read_text_capped(path, MAX_WATCHLIST_BYTES))
    except UnsafeFileError as exc:
        raise WatchlistError(str(exc)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise WatchlistError(f"cannot read watchlist {path}: {exc.__class__.__name__}") from None
    except tomllib.TOMLDecodeError as exc:
        raise WatchlistError(f"{path}: not valid TOML: {exc}") from None
    try:
        raw = convert(data, WatchlistFile)
    except SchemaError as exc:
        raise WatchlistError(f"{path}: {exc}") from None
    watches = tuple(_checked(watch, f"{path}: watch[{i}]") for i, watch in enumerate(raw.watch))
    return Watchlist(name=path.stem if raw.name is None else raw.name, path=path, watches=watches)


def _checked(watch: FileWatch, where: str) -> FileWatch:
    """The watch with its name cleaned, or a WatchlistError naming the key at fault."""
    try:
        parse_query(watch.query)
    except QueryError as exc:
        raise WatchlistError(f"{where}.query: {exc}") from None
    if watch.notify is not None and not any(
        form.fullmatch(watch.notify) for _, form in NOTIFY_FORMS.values()
    ):
        forms = "; ".join(f"{p.title()}: {words}" for p, (words, _) in NOTIFY_FORMS.items())
        raise WatchlistError(f"{where}.notify: {_quoted(watch.notify)} is not a mention ({forms})")
    if watch.name is None:
        return watch
    name = clean_text(watch.name)
    if not name:
        raise WatchlistError(f"{where}.name: must not be empty")
    if len(name) > MAX_NAME_CHARS:
        raise WatchlistError(f"{where}.name: at most {MAX_NAME_CHARS} characters, not {len(name)}")
    return msgspec.structs.replace(watch, name=name)


def check_notify(watchlist: Watchlist, platform: str) -> None:
    """Every notify in the file is a mention `platform` knows; console and jsonl take any."""
    if platform not in NOTIFY_FORMS:
        return
    words, form = NOTIFY_FORMS[platform]
    for i, watch in enumerate(watchlist.watches):
        if watch.notify is not None and not form.fullmatch(watch.notify):
            raise WatchlistError(
                f"{watchlist.path}: watch[{i}].notify: {_quoted(watch.notify)} is not a "
                f"{platform.title()} mention ({words})"
            )


def _quoted(text: str) -> str:
    return repr(text) if len(text) <= 40 else repr(text[:36]) + "…"


def check_channel_watchlists(watchlists: Sequence[Watchlist]) -> None:
    """A channel takes at most 10,000 distinct watches from its files; name the file that
    passes the limit (SPEC "Chat commands"), before anything starts."""
    queries: set[str] = set()
    for watchlist in watchlists:
        queries.update(normalise_query(query) for query in watchlist.queries)
        if len(queries) > MAX_FILE_WATCHES_PER_CHANNEL:
            raise WatchlistError(
                f"{watchlist.path}: the channel's watchlists hold {len(queries):,} watches with "
                f"this file; a channel takes at most {MAX_FILE_WATCHES_PER_CHANNEL:,} from files"
            )
