"""Watchlist files: a name and a list of watch queries, each checked when loaded."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.query import QueryError, normalise_query, parse_query
from bot.safefiles import UnsafeFileError, read_text_capped

BUNDLED_DIR = Path(__file__).resolve().parent.parent / "watchlists"
MAX_WATCHLIST_BYTES = 4 << 20  # a FIFO, /dev/zero or a huge file is refused, never read on


MAX_FILE_WATCHES_PER_CHANNEL = 10_000  # SPEC "Chat commands"


class WatchlistError(Exception):
    """A watchlist that cannot be read or holds a bad query; the text names file and key."""


@dataclass(frozen=True)
class Watchlist:
    """The queries of one watchlist file; the file is their truth."""

    name: str
    path: Path
    queries: tuple[str, ...]


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
    unknown = set(data) - {"name", "watch"}
    if unknown:
        raise WatchlistError(f"{path}: {sorted(unknown)[0]}: unknown key (known: name, watch)")
    watches = data.get("watch", [])
    if not isinstance(watches, list):
        raise WatchlistError(f"{path}: watch: must be an array of tables ([[watch]])")
    queries: list[str] = []
    for i, watch in enumerate(watches):
        if not isinstance(watch, dict) or set(watch) - {"query"}:
            raise WatchlistError(f"{path}: watch[{i}]: only a query key is allowed")
        query = watch.get("query")
        if not isinstance(query, str):
            raise WatchlistError(f"{path}: watch[{i}].query: required string")
        try:
            parse_query(query)
        except QueryError as exc:
            raise WatchlistError(f"{path}: watch[{i}].query: {exc}") from None
        queries.append(query)
    label = data.get("name", path.stem)
    return Watchlist(name=str(label), path=path, queries=tuple(dict.fromkeys(queries)))


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
