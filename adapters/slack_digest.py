"""A Slack digest: one section per watch, its stories a line each, packed into as few
messages as Slack's limits allow (the blocks and the plain copy of each message)."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.slack_render import (
    INERT,
    MAX_BLOCKS,
    MAX_DIGEST_MESSAGES,
    MAX_FALLBACK,
    MAX_MESSAGE_CHARS,
    MAX_SECTION,
    Block,
    SlackMessage,
    SlackMrkdwn,
    SlackText,
    join_lines,
    mrkdwn,
    plain,
    safe_url,
)
from bot.deliver.model import Digest
from bot.deliver.render import pack_lines, when


@dataclass
class _Part:
    """A digest message being filled: its blocks and a plain copy of each line."""

    blocks: list[Block]
    lines: list[str]
    chars: int = 0


def render_digest(digest: Digest) -> list[SlackMessage]:
    """A digest as one or more messages, each under Slack's block and length limits."""
    window = f"{when(digest.since)} to {when(digest.until)}"
    parts = _pack(_digest_units(digest))
    messages: list[SlackMessage] = []
    for number, part in enumerate(parts, start=1):
        suffix = f" (part {number} of {len(parts)})" if len(parts) > 1 else ""
        title = SlackText.show(f"Digest: {window}{suffix}", SlackText.header_maxlen)
        blocks = ({"type": "header", "text": plain(title)}, *part.blocks)
        fallback = join_lines([title, *part.lines], MAX_FALLBACK)
        messages.append(SlackMessage(text=title, blocks=blocks, fallback=fallback))
    return messages


def _digest_units(digest: Digest) -> list[tuple[Block, str]]:
    """The digest's blocks in order, each with the same content as plain fallback text."""
    units: list[tuple[Block, str]] = []
    if digest.empty:
        units.append(
            (
                {"type": "section", "text": plain("No new stories in this window.")},
                "No new stories in this window.",
            )
        )
    for section in digest.sections:
        if not section.stories and not section.more:
            continue
        name = SlackText.show(section.watch, SlackText.header_maxlen) or "(watch)"
        units.append(({"type": "header", "text": plain(name)}, name.translate(INERT)))
        lines = [
            _story_line(story.title, story.url, story.source, story.outlets)
            for story in section.stories
        ]
        for chunk in _chunks(lines, MAX_SECTION):
            units.append(({"type": "section", "text": mrkdwn(chunk)}, chunk))
        if section.more:
            more = f"… and {section.more} more"
            units.append(({"type": "context", "elements": [plain(more)]}, more))
    return units


def _pack(units: list[tuple[Block, str]]) -> list[_Part]:
    """Blocks into messages under the block and length limits; past the last, a note."""
    parts: list[_Part] = []
    for block, line in units:
        size = len(line)
        if (
            not parts
            or len(parts[-1].blocks) >= MAX_BLOCKS - 2  # room for the header and a note
            or (parts[-1].chars + size > MAX_MESSAGE_CHARS)
        ):
            parts.append(_Part(blocks=[], lines=[]))
        parts[-1].blocks.append(block)
        parts[-1].lines.append(line)
        parts[-1].chars += size
    dropped = len(parts) - MAX_DIGEST_MESSAGES
    parts = parts[:MAX_DIGEST_MESSAGES]
    if dropped > 0:
        note = f"… {dropped} more message{'s' if dropped != 1 else ''} of this digest not shown"
        parts[-1].blocks.append({"type": "context", "elements": [plain(note)]})
        parts[-1].lines.append(note)
    return parts


def _story_line(title: str, url: str | None, source: str, outlets: int) -> str:
    label = SlackMrkdwn.show(title, 250) or "(untitled)"
    link = safe_url(url)
    head = f"<{link}|{label}>" if link else label
    count = f"{outlets} outlet{'s' if outlets != 1 else ''}"
    return f"• {head} · {SlackMrkdwn.show(source, SlackText.source_maxlen)} · {count}"


def _chunks(lines: list[str], limit: int) -> list[str]:
    """Join lines into texts of at most `limit` characters (each line is already short)."""
    return pack_lines(lines, limit, SlackText.cut)
