"""`newswatch stories` and `newswatch why` (SPEC "Command line"): the stories as the engine
grouped them, with every copy and the evidence of each merge, and why one item alerted.

Text is for a person at a terminal (every line through terminal_safe: feed text cannot
start an escape sequence or forge a line); `--json` is one object a line for tools.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.chat.evidence import evidence_words, related_items
from bot.chat.why import why
from bot.deliver.render import when
from bot.durations import parse_duration
from bot.store.db import Store
from bot.store.storyview import StoryCopies, StoryCopy, copy_titles, stories_since
from bot.store.watches import channel_id
from bot.text import clean_text, terminal_safe

DEFAULT_SINCE = "24h"
COMMANDS = ("stories", "why")


def add_parsers(sub: Any) -> None:
    """The two commands' arguments, on the CLI's subparsers."""
    stories = sub.add_parser("stories", help="each story with its copies and merge evidence")
    stories.add_argument("--since", default=DEFAULT_SINCE, help="window, like 24h (default)")
    stories.add_argument("--channel", help="only stories alerted in this channel")
    stories.add_argument("--json", action="store_true", help="one JSON object a line")
    explain = sub.add_parser("why", help="an item's story and evidence, and each watch on it")
    explain.add_argument("link", help="the item's link, or a story id")
    explain.add_argument("--channel", help="whose watches (default: the first channel)")


def run(db: Store, args: argparse.Namespace, target: Callable[[], str]) -> int:
    """Either command; `target` resolves --channel (or the default) as the CLI does."""
    out = sys.stdout
    if args.command == "why":
        answer = why(db, channel_id(db, target()), args.link)
        text = str(answer.text).replace("`/watch why", "`newswatch why")
        print(_safe_lines(text), file=out if answer.found else sys.stderr)
        return 0 if answer.found else 1
    try:
        since = time.time() - parse_duration(args.since, what="a window")
    except ValueError as exc:
        from bot.cli import UsageError  # bad usage: exit 2, as every command's

        raise UsageError(f"--since: {exc}") from None
    cid = channel_id(db, target()) if args.channel else None
    stories = stories_since(db, since, cid)
    titles = _titles(db, stories)
    for story in stories:
        if args.json:
            out.write(json.dumps(story_record(story), ensure_ascii=False) + "\n")
        else:
            _print_story(out, story, titles)
    if not stories and not args.json:
        print(f"No stories with copies seen in the last {args.since}.", file=out)
    return 0


def story_record(story: StoryCopies) -> dict[str, Any]:
    """`{"story": id, "outlets": N, "copies": [{"link", "title", "outlet", "published",
    "evidence"}]}`: published ISO 8601 or null, evidence the stored object or null."""
    return {
        "story": story.story_id,
        "outlets": story.outlets,
        "copies": [
            {
                "link": copy.link,
                "title": copy.title,
                "outlet": copy.outlet,
                "published": _iso(copy.published),
                "evidence": copy.evidence,
            }
            for copy in story.copies
        ],
    }


def _iso(moment: float | None) -> str | None:
    return datetime.fromtimestamp(moment, UTC).isoformat() if moment is not None else None


def _titles(db: Store, stories: list[StoryCopies]) -> dict[int, str]:
    """Titles of every copy shown and of each copy an evidence names."""
    titles = {copy.item_id: copy.title for story in stories for copy in story.copies}
    named = [other for story in stories for other in related_items(list(story.copies))]
    titles.update(copy_titles(db, [other for other in named if other not in titles]))
    return titles


def _print_story(out: TextIO, story: StoryCopies, titles: dict[int, str]) -> None:
    outlets = f"{story.outlets} outlet{'s' if story.outlets != 1 else ''}"
    copies = f"{len(story.copies)} cop{'y' if len(story.copies) == 1 else 'ies'}"
    lines = [f"story {story.story_id} · {outlets} · {copies}"]
    for copy in story.copies:
        lines += _copy_lines(copy, titles)
    print(_safe_lines("\n".join(lines)) + "\n", file=out)


def _copy_lines(copy: StoryCopy, titles: dict[int, str]) -> list[str]:
    published = when(datetime.fromtimestamp(copy.published, UTC) if copy.published else None)
    lines = [f"  - {_one_line(copy.title) or '(untitled)'}"]
    lines.append(f"    {_one_line(copy.outlet)} · {published}")
    if copy.link:
        lines.append(f"    {_one_line(copy.link)}")
    lines.append(f"    {_one_line(str(evidence_words(copy, titles)))}")
    return lines


def _one_line(text: str) -> str:
    return clean_text(text)


def _safe_lines(text: str) -> str:
    return "\n".join(terminal_safe(line) for line in text.split("\n"))
