"""Slack Block Kit renderings of alerts, digests and notices; every feed string made inert.

Feed text is untrusted (SPEC "Alerts", HARDENING A2-A7). Slack treats `&`, `<` and `>` as
control characters and decodes only those three entities, so each feed string is escaped
exactly once after it is cleaned and cut to size
(https://docs.slack.dev/messaging/formatting-message-text#escaping): `<!channel>`,
`<@U1>`, `<!subteam^S1>` and `<https://evil|x>` then show as literal text. mrkdwn has no
escape for `*`, `_`, `~` and backticks, so feed text goes into `plain_text` objects where
Block Kit allows it, and where it must sit in mrkdwn (a link label, a digest line) those
four characters are swapped for look-alikes that Slack does not parse. Cleaning and the
cut are the core's (bot.deliver.render.PlatformText); only the escaping and the limits are Slack's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

import regex

from bot.deliver.highlight import bold, spans_of
from bot.deliver.model import Alert, Notice
from bot.deliver.quoting import ReplyText, inert_code, render
from bot.deliver.render import PlatformText, outlet_summary, when
from bot.stories.urls import safe_link
from bot.text import clean_head, clean_text

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


@dataclass(frozen=True)
class SlackMessage:
    """One chat.postMessage: blocks, the notification text, and a shorter plain fallback."""

    text: str
    blocks: tuple[Block, ...]
    fallback: str


def escape(text: str) -> str:
    """Slack's three control characters as entities; applied once, to already-decoded text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class SlackText(PlatformText):
    """Feed text for a plain_text object, escaped once; a cut keeps each entity whole
    (with any mark on the character it stands for)."""

    atom = regex.compile(r"&(?:amp|lt|gt);[\p{GCB=Extend}\p{GCB=ZWJ}\p{GCB=SpacingMark}]*|\X")
    title_maxlen: ClassVar[int] = TITLE_CHARS
    body_maxlen: ClassVar[int] = SUMMARY_CHARS
    field_maxlen: ClassVar[int] = WATCH_CHARS
    source_maxlen: ClassVar[int] = SOURCE_CHARS
    header_maxlen: ClassVar[int] = MAX_HEADER
    quoted_maxlen: ClassVar[int] = QUOTED_CHARS

    @classmethod
    def escape(cls, text: str) -> str:
        return escape(text)


class SlackMrkdwn(SlackText):
    """Feed text inside mrkdwn: escaped, and `* _ ~ `` swapped for look-alikes (one for one,
    so the swap never changes a length)."""

    @classmethod
    def escape(cls, text: str) -> str:
        return escape(text).translate(INERT)


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


def slack_date(moment: datetime | None) -> str:
    """`<!date^UNIX^{date_short_pretty} {time}|2027-01-15 09:30 UTC>`: Slack shows the time in
    each reader's own zone, and the plain UTC text where it cannot. Built only here, from a
    number: feed text cannot produce one, since escape() turns every `<` into `&lt;`
    (https://docs.slack.dev/messaging/formatting-message-text#date-formatting)."""
    if moment is None:
        return when(moment)
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{when(moment)}>"


# A watch's notify as Slack pings it (SPEC Watchlists): @here and @channel as Slack's special
# mentions, a user group or a member as written. Checked at start (bot.match.watchlists);
# anything else is dropped here too, so only these forms ever reach a message unescaped.
SPECIAL_MENTIONS = {"@here": "<!here>", "@channel": "<!channel>"}
MENTION = regex.compile(r"<!subteam\^S[A-Z0-9]+>|<@[UW][A-Z0-9]+>")


def mentions(alert: Alert) -> str:
    """The pings of the alert's own watches, each once, built only here from its notify;
    feed text cannot add one, since escape() turns every `<` into `&lt;`
    (https://docs.slack.dev/messaging/formatting-message-text#mentioning-users)."""
    found = (SPECIAL_MENTIONS.get(notify, notify) for notify in alert.notify)
    return " ".join(
        dict.fromkeys(m for m in found if m in SPECIAL_MENTIONS.values() or MENTION.fullmatch(m))
    )


def render_alert(alert: Alert) -> SlackMessage:
    """Title as a link, source and time, summary, the watches that matched (by name), and
    first the pings its watches opted in to (in a block and in the notification text)."""
    title = clean_text(alert.title) or "(untitled)"
    label = SlackMrkdwn.show(title, SlackText.title_maxlen)
    bold_label = emphasised(alert, "title", SlackText.title_maxlen)
    url = safe_url(alert.url)
    source = SlackText.show(alert.source, SlackText.source_maxlen) or "unknown source"
    # mrkdwn, so that the date token works; the source in it made inert like a link label.
    meta = f"{source.translate(INERT)} · {slack_date(alert.published)}"
    summary = SlackText.show(alert.summary, SlackText.body_maxlen)
    watches = SlackText.cut(
        "Watches: "
        + ", ".join(SlackText.show(w, SlackText.field_maxlen) for w in alert.watch_labels),
        MAX_SECTION,
    )
    ping = mentions(alert)
    outlets = outlet_summary(alert, lambda name: SlackText.show(name, SOURCE_CHARS))
    if bold_label:  # the matched terms in bold, so the title is not bold as a whole
        head = f"<{url}|{bold_label}>" if url else bold_label
    else:
        head = f"*<{url}|{label}>*" if url else f"*{label}*"
    blocks: list[Block] = [{"type": "section", "text": mrkdwn(ping)}] if ping else []
    blocks += [
        {"type": "section", "text": mrkdwn(head)},
        {"type": "context", "elements": [mrkdwn(meta)]},
    ]
    bold_summary = emphasised(alert, "summary", SlackText.body_maxlen)
    if summary and bold_summary:  # mrkdwn for the bold: the summary's own marks made inert
        blocks.append({"type": "section", "text": mrkdwn(bold_summary)})
    elif summary:
        blocks.append({"type": "section", "text": plain(summary)})
    if alert.watches:
        blocks.append({"type": "context", "elements": [plain(watches)]})
    blocks.append({"type": "context", "elements": [plain(outlets)]})
    link = [f"<{url}>"] if url else []  # the URL is never made inert: it must stay intact
    inert = [summary, watches if alert.watches else "", outlets]
    summary_i, watches_i, outlets_i = (piece.translate(INERT) for piece in inert)
    lines = [ping, label, meta, *link, summary_i, watches_i, outlets_i]
    text = SlackText.cut("\n".join(line for line in lines if line), MAX_TEXT)
    short = f"{SlackMrkdwn.show(title, 200)} ({source.translate(INERT)})"
    fallback = SlackText.cut(
        "\n".join(line for line in [ping, short, outlets_i, *link] if line), MAX_FALLBACK
    )
    return SlackMessage(text=text, blocks=tuple(blocks), fallback=fallback)


def emphasised(alert: Alert, field: str, limit: int) -> str | None:
    """An alert's title or summary as mrkdwn (SlackMrkdwn), its matched terms in `*bold*`,
    put around spans of the escaped text (bot.deliver.highlight), never taken from it; None
    when nothing in it is bold. A zero-width space keeps the bold apart from a letter it
    touches (inside a word or a run of CJK), where Slack would not see `*` as markup."""
    if not spans_of(alert, field):
        return None
    shown = bold(
        getattr(alert, field),
        spans_of(alert, field),
        show=lambda raw: SlackMrkdwn.escape(clean_head(raw, limit)),
        cut=SlackText.cut,
        limit=limit,
        markers=_bold_markers,
    )
    return shown if "*" in shown else None  # feed text has no `*` left: SlackMrkdwn


def _bold_markers(shown: str, start: int, end: int) -> tuple[str, str]:
    before = shown[start - 1] if start else ""
    after = shown[end] if end < len(shown) else ""
    return (
        ("\u200b" if before.isalnum() else "") + "*",
        "*" + ("\u200b" if after.isalnum() else ""),
    )


def render_notice(notice: Notice) -> SlackMessage:
    """An operational message; its text may quote feed URLs and errors, so it is escaped."""
    body = SlackText.show(notice.text, MAX_SECTION - 20, lines=True)
    blocks = ({"type": "section", "text": plain(f"newswatch: {body}")},)
    text = SlackText.cut(f"newswatch: {body}".translate(INERT), MAX_TEXT)
    return SlackMessage(text=text, blocks=blocks, fallback=SlackText.cut(text, MAX_FALLBACK))


def reply_text(text: str) -> str:
    """A command reply: the core's own formatting kept, anything quoted in it escaped.

    What the core marks as quoted (bot.deliver.quoting) reads literally, as feed text does in
    alerts: one line, escaped once, mrkdwn's `* _ ~ `` swapped for look-alikes; a query
    quoted in a code block keeps its spacing (the caret under it lines up) and cannot close
    the block. A plain str is all the core's own text, escaped once.
    """
    if not isinstance(text, ReplyText):
        return SlackText.show(text, MAX_REPLY, lines=True)
    shown = render(
        text,
        quoted=lambda piece: SlackMrkdwn.show(piece, SlackText.quoted_maxlen),
        code=lambda piece: escape(inert_code(piece)),
        markup=lambda piece: escape(clean_text(piece, spacing=True)),
    )
    return SlackText.cut(shown, MAX_REPLY)


def reply_blocks(text: str) -> list[Block]:
    """A reply's blocks: its mrkdwn in one verbatim section, as alerts and digests are, so
    Slack links no bare URL or channel name a quoted outlet or query holds (the top-level
    `text` of a response_url message or chat.postEphemeral has no verbatim switch)."""
    return [{"type": "section", "text": mrkdwn(text)}]


def join_lines(lines: list[str], limit: int) -> str:
    """Whole lines (so no link is cut in half) up to `limit` characters, and a mark if cut."""
    kept: list[str] = []
    size = 0
    for line in lines:
        if size + len(line) + 1 > limit - 2:
            return "\n".join([*kept, "…"]) if kept else SlackText.cut(line, limit)
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept)
