"""The `newswatch` command line: run, poll, digest, watch, stories, why, sources, demo, doctor.

Exit 0 on success, 2 on bad usage or config, 1 on other failure, with one line on
stderr that says what and where.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from bot.config import Config, ConfigError, load_config
from bot.ops import migratecli as migrate_command
from bot.ops import storycli as story_commands
from bot.ops.instance import AlreadyRunning
from bot.store.db import StoreError
from bot.target import Target, TargetError

if TYPE_CHECKING:
    from bot.app import App


class UsageError(Exception):
    """Bad usage: exit 2."""


def _version() -> str:
    """The installed distribution's version (pyproject.toml is its one source)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("newswatch")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


WATCH_ACTIONS = ("add", "remove", "list", "pause", "resume")
GLOBAL_VALUE_OPTIONS = ("--config",)
GLOBAL_FLAGS = ("-v", "--verbose")


def _global_options(defaults: bool) -> argparse.ArgumentParser:
    """--config and -v, taken before or after the command (`newswatch poll -v`). After it,
    they default to SUPPRESS, so a value given before the command is kept."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        help="TOML config (default: $NEWSWATCH_CONFIG, ./newswatch.toml)",
        default=None if defaults else argparse.SUPPRESS,
    )
    common.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="log debug detail",
        default=False if defaults else argparse.SUPPRESS,
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newswatch", description="Watch the news for terms.", parents=[_global_options(True)]
    )
    parser.add_argument("--version", action="version", version=f"newswatch {_version()}")
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_SubParser
    )
    sub.add_parser("run", help="the service: scheduler, polling, delivery, chat commands")
    poll = sub.add_parser("poll", help="one poll of every due source, deliver, then exit")
    poll.add_argument("--all", action="store_true", help="poll every source, due or not")
    digest = sub.add_parser("digest", help="print (or post) a channel's digest")
    digest.add_argument(
        "--since", help="window, like 24h (default: since the last digest, at most 7d)"
    )
    digest.add_argument("--channel", help="target, e.g. slack:C0123 (default: the first channel)")
    digest.add_argument("--post", action="store_true", help="post it to the channel")
    watch = sub.add_parser("watch", help="add, remove, list, pause or resume a channel's watches")
    watch.add_argument("action", choices=WATCH_ACTIONS)
    watch.add_argument(
        "query", nargs="*", help="the query (add: every word, -golf included) or its id (remove)"
    )
    watch.add_argument("--channel", help="target (default: the first channel)")
    story_commands.add_parsers(sub)
    migrate_command.add_parser(sub)
    sub.add_parser("sources", help="each source's status, failures and next poll")
    sub.add_parser("demo", help="offline demo: serve the seed feeds on loopback and poll them")
    sub.add_parser("doctor", help="check config, tokens, database and reachability")
    discord_cmd = sub.add_parser("discord", help="Discord: sync slash commands, print invite URL")
    discord_cmd.add_argument("action", choices=["sync", "invite"])
    discord_cmd.add_argument("--guild", type=int, help="sync: to this server only (instant)")
    discord_cmd.add_argument("--client-id", type=int, help="invite: skip asking Discord for it")
    return parser


class _SubParser(argparse.ArgumentParser):
    """A command's parser: it takes the global options too."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("parents", [_global_options(False)])
        super().__init__(**kwargs)  # type: ignore[arg-type]


def split_watch_query(argv: Sequence[str]) -> tuple[list[str], list[str] | None]:
    """For `watch ACTION ...`: the options newswatch knows (--channel, --config, -v), and
    every other word as the query, in order, `-golf` included (argparse would take `-golf`
    for an option). `--` ends the options. None when the command is not `watch`."""
    args = list(argv)
    at = 0
    while at < len(args) and args[at].startswith("-"):  # global options before the command
        at += 2 if args[at] in GLOBAL_VALUE_OPTIONS else 1
    if at + 1 >= len(args) or args[at] != "watch" or args[at + 1] not in WATCH_ACTIONS:
        return args, None
    head, query = args[: at + 2], list[str]()
    rest = iter(args[at + 2 :])
    for word in rest:
        if word == "--":
            query.extend(rest)
        elif word in ("--channel", *GLOBAL_VALUE_OPTIONS):
            head += [word, next(rest, "")]
        elif word in GLOBAL_FLAGS or word.startswith(("--channel=", "--config=")):
            head.append(word)
        else:
            query.append(word)
    return head, query


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    head, query = split_watch_query(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(head)
    except SystemExit as exc:
        return int(exc.code or 0)
    if query is not None:
        args.query = query
    from bot.ops.logs import setup_logging

    setup_logging(_log_level(args))
    try:
        return asyncio.run(dispatch(args))
    except (ConfigError, UsageError, migrate_command.MigrateUsage) as exc:
        _error(str(exc))
        return 2
    except (StoreError, AlreadyRunning) as exc:
        _error(str(exc))
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `newswatch sources | head -1`: the reader has all it wanted
        _silence_stdout()
        return 0
    except Exception as exc:  # one line, never a traceback, for anything unforeseen
        from bot.ops.logs import redact

        _error(f"{args.command} failed: {redact(str(exc)) or type(exc).__name__}")
        return 1


def _log_level(args: argparse.Namespace) -> int:
    """Debug with -v; `run`, and a `poll` whose stderr is a log rather than a terminal, log a
    line per source (on a terminal a `poll` shows a progress line instead)."""
    from bot.ops.progress import is_terminal

    logs = args.command == "run" or (args.command == "poll" and not is_terminal(sys.stderr))
    return logging.DEBUG if args.verbose else logging.INFO if logs else logging.WARNING


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush meets no closed pipe."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _error(message: str) -> None:
    """The one place an error line is printed: a key, path or value it quotes from a hostile
    config or argument reaches the terminal as text, never as an escape sequence or a line."""
    from bot.text import terminal_safe

    print(f"newswatch: {terminal_safe(message)}", file=sys.stderr)


async def dispatch(args: argparse.Namespace) -> int:
    if args.command == "demo":
        from bot.ops.demo import run_demo

        return await run_demo()
    config = load_config(args.config)
    if args.command == "doctor":
        from bot.ops.doctor import run_doctor

        return await run_doctor(config)
    if args.command == "migrate":
        return migrate_command.run_migrate(config, args.to)
    if args.command == "discord":  # imported here: only this command needs discord.py
        from bot.deliver.adapter import load_cli_command

        run_cli = load_cli_command("discord")
        return await run_cli(config, args.action, args.guild, args.client_id)
    from bot.app import App
    from bot.ops.instance import instance_lock

    sends = args.command in ("run", "poll") or (args.command == "digest" and args.post)
    with instance_lock(config) if sends else contextlib.nullcontext():
        # A service checks its database at every start; one-shot commands (a cron `poll`)
        # skip the whole-file check while the file is as a clean close left it.
        check: Literal["always", "if-changed"] = "always" if args.command == "run" else "if-changed"
        app = App(config, check_db=check, exclusive=sends)
        if args.command == "run":
            await app.run_forever()
            return 0
        try:
            return await _one_shot(app, config, args)
        finally:
            await app.close()


async def _one_shot(app: object, config: Config, args: argparse.Namespace) -> int:
    from bot.app import App
    from bot.chat.commands import CLI_USER, Command
    from bot.ops.status import sources_table

    assert isinstance(app, App)
    if args.command == "poll":
        return await _poll(app, args.all)
    if args.command == "sources":
        print(sources_table(app.db, time.time()))
        return 0
    if args.command in story_commands.COMMANDS:
        return story_commands.run(app.db, args, lambda: _target(config, args.channel))
    target = _target(config, args.channel)
    if args.command == "digest":
        await _digest(app, target, args.since, args.post)
        return 0
    text = " ".join([args.action, *args.query])
    reply = app.command(Command("watch", text, target, user=CLI_USER, can_manage=True))
    print(reply.text, file=sys.stdout if reply.ok else sys.stderr)
    return 0 if reply.ok else 2


async def _poll(app: App, all_sources: bool) -> int:
    """`newswatch poll`: one cycle, a summary line; exit 1 when every source failed (SPEC)."""
    from bot.ops.progress import ProgressLine
    from bot.ops.status import nothing_due
    from bot.text import terminal_safe

    await app.start(listen=False)
    progress = ProgressLine(sys.stderr)
    app.poller.progress = progress
    try:
        report = await app.cycle(all_sources=all_sources)
    finally:
        progress.clear()
    failed = len(report.poll.failed)
    if report.poll.polled and failed == report.poll.polled:
        url, reason = next(iter(report.poll.failed.items()))
        print(
            terminal_safe(
                f"newswatch: poll failed: every source failed ({failed} of {failed}; "
                f"first: {url}: {reason})"
            ),
            file=sys.stderr,
        )
        return 1
    if not report.poll.polled:
        print(nothing_due(app.db, time.time()), file=sys.stderr)
    print(
        f"polled {report.poll.polled} sources ({report.poll.not_modified} unchanged, "
        f"{failed} failed), {report.poll.new_items} new items, "
        f"{report.delivery.sent} alerts sent, {report.delivery.retrying} waiting to retry",
        file=sys.stderr,
    )
    return 0


async def _digest(app: App, target: str, since_text: str | None, post: bool) -> None:
    """`newswatch digest`: print the channel's digest, or post it there."""
    from bot.deliver.digest import build_digest, default_since, parse_window
    from bot.deliver.render import plain_digest_lines
    from bot.store.watches import channel_id
    from bot.text import terminal_safe

    now = time.time()
    cid = channel_id(app.db, target)
    try:
        since = now - parse_window(since_text) if since_text else default_since(app.db, cid, now)
    except ValueError as exc:
        raise UsageError(f"--since: {exc}") from None
    if post:
        await app.start(listen=False)
        await app.post_digest(target, since)
    else:
        digest = build_digest(app.db, cid, target, since, now)
        print("\n".join(map(terminal_safe, plain_digest_lines(digest, app.config.zone))))


def _target(config: Config, explicit: str | None) -> str:
    targets = [channel.target for channel in config.channels]
    if explicit is None:
        if not targets:
            raise UsageError("no channel configured; pass --channel TARGET")
        return targets[0]
    if explicit.startswith("jsonl:"):
        try:
            path = Target.parse(explicit).address.lstrip(".")
        except TargetError as exc:
            raise UsageError(f"--channel: {exc}") from None
        for target in targets:
            if Target.parse(target).platform == "jsonl" and target.endswith(path):
                return target
    if explicit not in targets:
        raise UsageError(
            f"--channel: {explicit!r} is not a configured channel ({', '.join(targets)})"
        )
    return explicit
