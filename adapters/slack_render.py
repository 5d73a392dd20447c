"""Slack Block Kit renderings of alerts, digests and notices; every feed string made inert.

Feed text is untrusted (SPEC "Alerts", HARDENING A2-A7). Slack treats `&`, `<` and `>` as
control characters and decodes only those three entities, so each feed string is escaped
exactly once after it is cleaned and cut to size
(https://docs.slack.dev/messaging/formatting-message-text#escaping): `<!channel>`,
`<@U1>`, `<!subteam^S1>` and `<https://evil|x>` then show as literal text. mrkdwn has no
escape for `*`, `_`, `~` and backticks, so feed text goes into `plain_text` objects where
Block Kit allows it, and where it must sit in mrkdwn (a link label, a digest line) those
four characters are swapped for look-alikes that Slack does not parse.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from bot.model import Alert, Digest, Notice
from bot.quoting import ReplyText, inert_code, render
from bot.render import pack_lines, when
from bot.urls import safe_link

Block = dict[str, Any]

# Slack's limits (https://docs.slack.dev/reference/block-kit/blocks): 50 blocks a message,
# 3000 characters in a section's text, 150 in a header. Slack also refuses messages whose
# blocks hold roughly 13,000 characters in all (msg_blocks_too_long, bolt-js#2509), so a
# message is kept well under that.
MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_MESSAGE_CHARS = 10_000
MAX_TEXT = 3000  # the notification `text`; Slack truncates at 40,000 but keep it short
MAX_FALLBACK = 2500  # the plain message sent once after msg_too_long or invalid_blocks
MAX_REPLY = 3000
QUOTED_CHARS = 1000  # one piece of text a reply quotes: a title, an outlet, a query
MAX_DIGEST_MESSAGES = 10
TITLE_CHARS = 300
SUMMARY_CHARS = 600
SOURCE_CHARS = 120
WATCH_CHARS = 256
MAX_URL = 2000

# Look-alikes for mrkdwn's formatting characters, which have no escape in Slack.
INERT = str.maketrans({"*": "\u2217", "_": "\u02cd", "~": "\u223c", "`": "\u02cb"})
ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# Invisible characters that reorder or hide text (bidi overrides and isolates, marks, BOM).
HIDDEN = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")
MAX_COMBINING_RUN = 3


@dataclass(frozen=True)
class SlackMessage:
    """One chat.postMessage: blocks, the notification text, and a shorter plain fallback."""

    text: str
    blocks: tuple[Block, ...]
    fallback: str


def clean(text: str, single_line: bool = True) -> str:
    """Drop control and bidi characters, tame combining-mark floods, fold whitespace."""
    out: list[str] = []
    combining = 0
    for char in text:
        code = ord(char)
        if char == "\n" and not single_line:
            pass
        elif char in "\t\r\n\x0b\x0c\u2028\u2029":
            char = " "
        elif 0xD800 <= code <= 0xDFFF:
            char = "\ufffd"  # a lone surrogate cannot be encoded as UTF-8
        elif code < 0x20 or 0x7F <= code < 0xA0 or char in HIDDEN:
            continue
        if unicodedata.combining(char):
            combining += 1
            if combining > MAX_COMBINING_RUN:
                continue
        else:
            combining = 0
        out.append(char)
    lines = "".join(out).split("\n")
    return "\n".join(" ".join(line.split()) for line in lines).strip()


def escape(text: str) -> str:
    """Slack's three control characters as entities; applied once, to already-decoded text."""
    return "".join(ESCAPES.get(char, char) for char in text)


def fit(text: str, limit: int) -> str:
    """Escape `text`, cut so that the escaped form is at most `limit` characters.

    The cut is made before escaping (never inside an entity) and not inside a grapheme:
    combining marks, joiners and variation selectors stay with their base character.
    """
    size = 0
    index = 0
    while index < len(text):
        size += len(ESCAPES.get(text[index], text[index]))
        if size > limit - 1:
            break
        index += 1
    else:
        return escape(text)
    while index > 0 and (_joins(text[index]) or text[index - 1] == "\u200d"):
        index -= 1
    return escape(text[:index].rstrip()) + "…"


def _joins(char: str) -> bool:
    """True for a character that belongs to the one before it."""
    return bool(unicodedata.combining(char)) or char in "\u200d\ufe0e\ufe0f"


def feed_plain(text: str, limit: int) -> str:
    """Feed text for a plain_text object: cleaned, cut, escaped once."""
    return fit(clean(text), limit)


def feed_mrkdwn(text: str, limit: int) -> str:
    """Feed text for mrkdwn: as feed_plain, and formatting characters made inert."""
    return fit(clean(text), limit).translate(INERT)


def safe_url(url: str | None) -> str | None:
    """An http(s) URL fit for `<url|label>`, or None: the only link a message ever carries."""
    link = safe_link(url, "")  # the core's one rule for a showable link; no base: no guessing
    if link is None:
        return None
    url = link
    # `|` and `>` would end the URL part of a Slack link early; they are not valid in a URL.
    url = url.replace("|", "%7C").replace("<", "%3C").replace(">", "%3E").replace('"', "%22")
    escaped = escape(url)
    return escaped if len(escaped) <= MAX_URL else None


def plain(text: str) -> Block:
    """A plain_text object for text that is already escaped; emoji codes stay literal."""
    return {"type": "plain_text", "text": text, "emoji": False}


def mrkdwn(text: str) -> Block:
    """A mrkdwn object; verbatim stops Slack from turning bare names and URLs into links."""
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def render_alert(alert: Alert) -> SlackMessage:
    """Title as a link, source and time, summary, and the watches that matched."""
    title = clean(alert.title) or "(untitled)"
    label = fit(title, TITLE_CHARS).translate(INERT)
    url = safe_url(alert.url)
    source = feed_plain(alert.source, SOURCE_CHARS) or "unknown source"
    meta = f"{source} · {when(alert.published)}"
    summary = feed_plain(alert.summary, SUMMARY_CHARS)
    watches = cut_escaped(
        "Watches: " + ", ".join(feed_plain(w, WATCH_CHARS) for w in alert.watches), MAX_SECTION
    )
    blocks: list[Block] = [
        {"type": "section", "text": mrkdwn(f"*<{url}|{label}>*" if url else f"*{label}*")},
        {"type": "context", "elements": [plain(meta)]},
    ]
    if summary:
        blocks.append({"type": "section", "text": plain(summary)})
    if alert.watches:
        blocks.append({"type": "context", "elements": [plain(watches)]})
    link = [f"<{url}>"] if url else []  # the URL is never made inert: it must stay intact
    inert = [meta, summary, watches if alert.watches else ""]
    meta_i, summary_i, watches_i = (piece.translate(INERT) for piece in inert)
    lines = [label, meta_i, *link, summary_i, watches_i]
    text = cut_escaped("\n".join(line for line in lines if line), MAX_TEXT)
    short = f"{fit(title, 200)} ({source})".translate(INERT)
    fallback = cut_escaped("\n".join([short, *link]), MAX_FALLBACK)
    return SlackMessage(text=text, blocks=tuple(blocks), fallback=fallback)


def cut_escaped(text: str, limit: int) -> str:
    """Cut already-escaped text to `limit` characters without splitting an entity."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut.rstrip() + "…"


def render_notice(notice: Notice) -> SlackMessage:
    """An operational message; its text may quote feed URLs and errors, so it is escaped."""
    body = fit(clean(notice.text, single_line=False), MAX_SECTION - 20)
    blocks = ({"type": "section", "text": plain(f"newswatch: {body}")},)
    text = cut_escaped(f"newswatch: {body}".translate(INERT), MAX_TEXT)
    return SlackMessage(text=text, blocks=blocks, fallback=cut_escaped(text, MAX_FALLBACK))


def reply_text(text: str) -> str:
    """A command reply: the core's own formatting kept, anything quoted in it escaped.

    What the core marks as quoted (bot.quoting) reads literally, as feed text does in
    alerts: one line, escaped once, mrkdwn's `* _ ~ `` swapped for look-alikes; a query
    quoted in a code block keeps its spacing (the caret under it lines up) and cannot close
    the block. A plain str is all the core's own text, escaped once.
    """
    if not isinstance(text, ReplyText):
        return cut_escaped(escape(clean(text, single_line=False)), MAX_REPLY)
    shown = render(
        text,
        quoted=lambda piece: feed_mrkdwn(piece, QUOTED_CHARS),
        code=lambda piece: escape(inert_code(piece)),
        markup=escape,
    )
    return cut_escaped(shown, MAX_REPLY)


@dataclass
class _Part:
    """A digest message being filled: its blocks and a plain copy of each line."""

    blocks: list[Block]
    lines: list[str]
    chars: int = 0


def render_digest(digest: Digest) -> list[SlackMessage]:
    """A digest as one or more messages, each under Slack's block and length limits."""
    window = f"{when(digest.since)} to {when(digest.until)}"
    units: list[tuple[Block, str]] = []  # (block, the same content as plain fallback text)
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
        name = fit(clean(section.watch) or "(watch)", MAX_HEADER)
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
    messages: list[SlackMessage] = []
    for number, part in enumerate(parts, start=1):
        suffix = f" (part {number} of {len(parts)})" if len(parts) > 1 else ""
        title = fit(f"Digest: {window}{suffix}", MAX_HEADER)
        blocks = ({"type": "header", "text": plain(title)}, *part.blocks)
        fallback = join_lines([title, *part.lines], MAX_FALLBACK)
        messages.append(SlackMessage(text=title, blocks=blocks, fallback=fallback))
    return messages


def join_lines(lines: list[str], limit: int) -> str:
    """Whole lines (so no link is cut in half) up to `limit` characters, and a mark if cut."""
    kept: list[str] = []
    size = 0
    for line in lines:
        if size + len(line) + 1 > limit - 2:
            return "\n".join([*kept, "…"]) if kept else cut_escaped(line, limit)
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept)


def _story_line(title: str, url: str | None, source: str, outlets: int) -> str:
    label = feed_mrkdwn(title, 250) or "(untitled)"
    link = safe_url(url)
    head = f"<{link}|{label}>" if link else label
    count = f"{outlets} outlet{'s' if outlets != 1 else ''}"
    return f"• {head} · {feed_mrkdwn(source, SOURCE_CHARS)} · {count}"


def _chunks(lines: list[str], limit: int) -> list[str]:
    """Join lines into texts of at most `limit` characters (each line is already short)."""
    return pack_lines(lines, limit, cut_escaped)
