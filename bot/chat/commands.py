"""Chat commands, platform-neutral: adapters turn /watch and /digest into a Command.

The same functions serve Slack, Discord and the CLI, so a reply reads the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.chat.why import why
from bot.deliver.digest import build_digest, default_since, mark_digested, parse_window
from bot.deliver.model import Digest
from bot.deliver.quoting import Code, Quoted, compose
from bot.match.matcher import ItemText, Matcher
from bot.match.query import QueryError, parse_query
from bot.store.copies import recent_items
from bot.store.db import Store
from bot.store.watches import (
    Watch,
    add_watch,
    channel_id,
    find_watch,
    list_watches,
    remove_watch,
    set_paused,
    watch_scope,
)

MAX_QUERY_INPUT = 1000  # longer input is refused before parsing
RECENT_STORIES = 3
RECENT_SCAN = 5000
USAGE = (
    "Usage: `/watch add <query>`, `/watch remove <query or id>`, `/watch list`, "
    "`/watch pause`, `/watch resume`, `/watch why <link or story id>`"
)
CLI_USER = "cli"  # the user bot.cli names: its replies say `newswatch watch`, not `/watch`


@dataclass(frozen=True)
class Command:
    """One slash command, as any platform delivers it."""

    name: str  # "watch" or "digest"
    text: str  # everything after the command name
    target: str  # the channel target, e.g. "slack:C0123"
    user: str
    can_manage: bool
    scope: str = ""  # the workspace or server, e.g. "slack:T0123" or "discord:<guild id>"


@dataclass(frozen=True)
class Reply:
    """What to answer: private text, or a digest to post in the channel."""

    text: str
    public: bool = False
    digest: Digest | None = None
    ok: bool = True


def handle(
    db: Store,
    command: Command,
    now: float,
    on_watches_changed: Callable[[], None] | None = None,
) -> Reply:
    """Run a command against the store and say what happened, or what is wrong and where."""
    cid = channel_id(db, command.target)
    if command.name == "digest":
        return _digest(db, cid, command, now)
    verb, _, rest = command.text.strip().partition(" ")
    verb = verb.lower()
    rest = rest.strip()
    if verb in ("", "help"):
        return Reply(_terms(USAGE, command))
    if verb == "list":
        return Reply(_list(db, cid, command))
    if verb == "why":  # anyone may ask, as they may list
        answer = why(db, cid, rest)
        return Reply(answer.text, ok=answer.found)
    if verb not in ("add", "remove", "pause", "resume"):
        usage = _terms(USAGE, command)
        return Reply(compose("Unknown subcommand ", Quoted(repr(verb)), f". {usage}"), ok=False)
    if not command.can_manage:
        return Reply(
            "Only channel managers can change watches here; you can still `/watch list`.", ok=False
        )
    if verb == "add":
        reply = _add(db, cid, rest, now, command)
    elif verb == "remove":
        reply = _remove(db, cid, rest, command)
    else:
        count = set_paused(db, cid, verb == "pause")
        reply = Reply(
            f"{'Paused' if verb == 'pause' else 'Resumed'} {count} "
            f"watch{'es' if count != 1 else ''}"
            f" in this channel."
        )
    if on_watches_changed is not None:
        on_watches_changed()
    return reply


def _add(db: Store, cid: int, text: str, now: float, command: Command) -> Reply:
    if not text:
        example = _terms("`/watch add SAG-AFTRA -golf`", command)
        return Reply(f"Give a query to watch, e.g. {example}.", ok=False)
    if len(text) > MAX_QUERY_INPUT:
        return Reply(f"That query is {len(text)} characters; a query is at most 256.", ok=False)
    try:
        query = parse_query(text)
        scope = watch_scope(command.target, command.scope)
        watch, created = add_watch(db, cid, text, now, added_by=command.user, scope=scope)
    except QueryError as exc:
        pointer = Code(exc.pointer())
        return Reply(
            compose("Cannot add that watch: ", Quoted(str(exc)), "\n```\n", pointer, "\n```"),
            ok=False,
        )
    except ValueError as exc:
        return Reply(compose("Cannot add that watch: ", Quoted(str(exc)), "."), ok=False)
    # Adapters escape what a reply quotes (feed titles, outlets, the query) by their
    # platform's rules, so each such piece is marked Quoted (bot.deliver.quoting).
    head = compose(
        f"Watching #{watch.id}: " if created else f"This channel already watches #{watch.id}: ",
        Quoted(query.describe()),
    )
    recent = _recent_matches(db, query_text=watch.query)
    if recent:
        head += compose("\nRecent stories it matches:", *(compose("\n• ", line) for line in recent))
    else:
        head += "\nNo stored story matches it yet; new ones will alert here."
    return Reply(head)


def _remove(db: Store, cid: int, text: str, command: Command) -> Reply:
    watch = find_watch(db, cid, text) if text else None
    if watch is None:
        return Reply(
            compose(
                "No watch ",
                Quoted(repr(text)),
                " in this channel. ",
                _terms("`/watch list` shows them with their ids.", command),
            ),
            ok=False,
        )
    if watch.from_file:
        path = (watch.origin or "").removeprefix("file:")
        return Reply(
            compose(
                f"#{watch.id} comes from the watchlist file ",
                Quoted(path),
                "; remove it there (the file is its truth).",
            ),
            ok=False,
        )
    remove_watch(db, watch)
    return Reply(compose(f"Removed #{watch.id}: ", Quoted(watch.query)))


def _list(db: Store, cid: int, command: Command) -> str:
    watches = list_watches(db, cid)
    if not watches:
        return _terms("This channel has no watches. Add one with `/watch add <query>`.", command)
    lines = [f"{len(watches)} watch{'es' if len(watches) != 1 else ''} in this channel:"]
    for watch in watches:
        lines.append(_list_line(watch))
    return compose(lines[0], *(compose("\n", line) for line in lines[1:]))


def _list_line(watch: Watch) -> str:
    """`Name `query` #3 [file]`: its name first (where it has one), the query as code, the id,
    where it comes from, whom it pings and whether it is paused."""
    head = compose(Quoted(watch.name), " ") if watch.name else ""
    origin = "file" if watch.from_file else "chat"
    pings = compose(" pings ", Quoted(watch.notify)) if watch.notify else ""
    state = " (paused)" if watch.paused else ""
    return compose(head, "`", Code(watch.query), f"` #{watch.id} [{origin}]", pings, state)


def _terms(text: str, command: Command) -> str:
    """A reply's command syntax as the asker types it: `newswatch watch ...` on the CLI,
    `/watch ...` in chat."""
    return text.replace("`/watch", "`newswatch watch") if command.user == CLI_USER else text


def _digest(db: Store, cid: int, command: Command, now: float) -> Reply:
    window = command.text.strip()
    try:
        since = now - parse_window(window) if window else default_since(db, cid, now)
    except ValueError as exc:
        return Reply(compose(Quoted(str(exc)), ". Example: `/digest 24h`."), ok=False)
    digest = build_digest(db, cid, command.target, since, now)
    mark_digested(db, cid, now)
    return Reply(text="", public=True, digest=digest)


def _recent_matches(db: Store, query_text: str) -> list[str]:
    """The few newest stored stories the query matches, to show how it will behave."""
    matcher = Matcher()
    matcher.add(1, parse_query(query_text))
    seen: set[int] = set()
    found: list[str] = []
    for item in recent_items(db, RECENT_SCAN):
        if item.story_id in seen:
            continue
        if matcher.match(ItemText.from_fields([item.title, item.summary])):
            seen.add(item.story_id)
            found.append(compose(Quoted(item.title), " (", Quoted(item.outlet), ")"))
            if len(found) == RECENT_STORIES:
                break
    return found
