"""Discord message payloads from the core's alerts, digests and notices: pure functions.

Feed text is untrusted (HARDENING A1-A7): it is escaped for Discord markdown, can never
forge a masked link or a mention, and is cut to Discord's limits before it is sent. The
only clickable link in an alert is the one built here from a validated http(s) URL.
Limits: https://discord.com/developers/docs/resources/message#embed-object-embed-limits
and https://discord.com/developers/docs/resources/message#create-message (content 2000,
10 embeds, nonce at most 25 characters). Cleaning and the cut are the core's
(bot.deliver.render.PlatformText); only the escaping and the limits are Discord's.
Command replies are adapters.discord_reply's.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import quote

import regex
from discord import AllowedMentions, Object

from bot.deliver.highlight import bold, spans_of
from bot.deliver.model import Alert, Digest, DigestStory, Message, Notice, Update
from bot.deliver.render import PlatformText, outlet_summary, pack_lines
from bot.stories.urls import safe_link
from bot.text import clean_head

EMBED_TOTAL = 6000  # title + description + field names and values + footer + author, per message
EMBEDS_PER_MESSAGE = 10
NONCE = 25
URL_MAX = 2048
MAX_DIGEST_MESSAGES = 10
COLOUR = 0x2B6CB0
ZWSP = "\u200b"
ELLIPSIS = "…"

# Discord shows any backslash-escaped punctuation as itself. Escaped everywhere: the
# backslash, emphasis, code, spoiler and link brackets, `<` (which opens autolinks, custom
# emoji, timestamps and mentions), and the colon of `:/`, since Discord makes a link of
# `scheme://...` text (its url rule needs `:/`); `https\://x` reads `https://x`, links nothing.
_MARKDOWN = re.compile(r"[\\*_~`|\[\]<]|:(?=/)")
# At a line's start: quotes, headers and subtext, list items (`-`, `+`, `1.`).
_LINE_START = re.compile(r"^([ \t]*)(?:(\d+)\.|([>#\-+]))", re.MULTILINE)
# `<#id>` channel links and `</name:id>` command mentions (user, role, everyone and here
# all start with `@`, which is handled on its own).
_ANGLE_MENTION = re.compile(r"<([#/])(?!\u200b)")
_AT = re.compile(r"@(?!\u200b)")  # so that neutralising twice adds nothing
# The mentions a watch's notify may be on Discord: @here, a role, a user.
_MENTION = re.compile(r"@here|<@&(?P<role>[0-9]{1,20})>|<@(?P<user>[0-9]{1,20})>")


def payload_base(nonce: str) -> dict[str, Any]:
    """The fields every message carries: no pings whatever the text says, and an idempotency nonce.

    enforce_nonce: Discord returns the earlier message instead of creating a second one when
    the same author sends the same nonce within a few minutes, so a retry after an ambiguous
    failure cannot post twice (https://discord.com/developers/docs/resources/message#create-message).
    """
    return {
        "allowed_mentions": AllowedMentions.none().to_dict(),
        "nonce": nonce,
        "enforce_nonce": True,
    }


def make_nonce(prefix: str, *parts: object) -> str:
    """A deterministic nonce (at most 25 characters) from what identifies one delivery."""
    key = "\x1f".join(map(str, parts)).encode("utf-8", "surrogatepass")  # a notice may hold one
    digest = hashlib.blake2b(key, digest_size=16).hexdigest()
    return (prefix + digest)[:NONCE]


def alert_nonce(alert: Alert, target: str) -> str:
    """`nw<story id>.<hash of kind and channel>`: the same alert to the same channel, same nonce."""
    head = f"nw{alert.story_id}."
    return make_nonce(head, alert.kind, target, alert.story_id)


def neutralise_mentions(text: str) -> str:
    """A zero-width space after `@` and in `<#`/`</` so no mention, role or channel link forms.

    allowed_mentions already stops every ping; this also stops the text rendering as a
    mention chip, including in clients that ignore allowed_mentions when rendering.
    """
    return _ANGLE_MENTION.sub(lambda m: f"<{m.group(1)}{ZWSP}", _AT.sub("@" + ZWSP, text))


def escape_markdown(text: str) -> str:
    """Clean text as literal Discord markdown: every markdown character gets one backslash,
    so the text reads exactly as it came (a test unescapes it back), no masked link
    `[x](url)` can form, and an unbalanced fence cannot swallow the text that follows it
    (HARDENING A3, A5). The colon of `https://` is escaped too: the text still reads
    `https://x`, but Discord's autolinking sees no URL, so the only link in a message is
    the one built from the item's own URL (SPEC, Alerts)."""
    text = _MARKDOWN.sub(lambda m: "\\" + m.group(), text)
    return neutralise_mentions(_LINE_START.sub(_escape_line_start, text))


def _escape_line_start(match: re.Match[str]) -> str:
    indent, number, mark = match.groups()
    return f"{indent}{number}\\." if number else f"{indent}\\{mark}"


class DiscordText(PlatformText):
    """Feed text as literal markdown; a cut keeps a backslash with what it escapes, and an
    `@`, `<#` or `</` with the zero-width space that keeps it from mentioning (or a later
    pass over the whole message would add it back, past the limit)."""

    atom = regex.compile(r"@\u200b|\\?<[#/]\u200b|\\?\X")
    title_maxlen: ClassVar[int] = 256
    body_maxlen: ClassVar[int] = 4096
    field_maxlen: ClassVar[int] = 1024
    footer_maxlen: ClassVar[int] = 2048
    content_maxlen: ClassVar[int] = 2000
    source_maxlen: ClassVar[int] = 256  # the Source field of an alert
    story_source_maxlen: ClassVar[int] = 100  # an outlet in a digest line
    story_title_maxlen: ClassVar[int] = 300  # one digest line's title, so a line stays readable
    quoted_maxlen: ClassVar[int] = 1000  # one piece a reply quotes: a title, an outlet, a query

    @classmethod
    def escape(cls, text: str) -> str:
        return escape_markdown(text)


TITLE = DiscordText.title_maxlen
DESCRIPTION = DiscordText.body_maxlen
CONTENT = DiscordText.content_maxlen
SOURCE = DiscordText.source_maxlen


def escape(text: str | None, limit: int, *, single_line: bool = False) -> str:
    """Untrusted text as literal Discord markdown, at most `limit` characters; line breaks
    kept unless `single_line`."""
    return DiscordText.show(text, limit, lines=not single_line)


def truncate(text: str, limit: int) -> str:
    """Markdown already escaped, cut to `limit` with an ellipsis, never inside an escape."""
    return DiscordText.cut(text, limit)


def safe_url(url: str | None) -> str | None:
    """The URL when it is a plain absolute http(s) URL that can be a link, else None (A4)."""
    link = safe_link(url, "")  # the core's one rule for a showable link; no base: no guessing
    return link if link and len(link) <= URL_MAX else None


def markdown_url(url: str) -> str:
    """A validated URL made safe inside `[text](url)`: brackets, parentheses and quotes encoded."""
    return quote(url, safe="/:?#@!$&'*+,;=%~-._")


def when(moment: datetime | None) -> str:
    """A Discord timestamp, shown in each reader's own time zone."""
    return f"<t:{int(moment.timestamp())}:f>" if moment else "date unknown"


def embed_length(embed: dict[str, Any]) -> int:
    """The characters Discord counts toward the 6000 per message."""
    total = len(embed.get("title", "")) + len(embed.get("description", ""))
    total += sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
    total += len(embed.get("footer", {}).get("text", ""))
    total += len(embed.get("author", {}).get("name", ""))
    return total


def alert_embed(alert: Alert) -> dict[str, Any]:
    """One embed: linked title, summary, then source, time and the matching watches."""
    title = emphasised(alert, "title", TITLE) or "(untitled)"
    embed: dict[str, Any] = {"title": title, "color": COLOUR}
    url = safe_url(alert.url)
    if url:
        embed["url"] = url
    summary = emphasised(alert, "summary", DESCRIPTION) if alert.summary else ""
    if summary:
        embed["description"] = summary
    watches = escape(", ".join(alert.watch_labels), DiscordText.field_maxlen, single_line=True)
    embed["fields"] = [
        {
            "name": "Source",
            "value": escape(alert.source, SOURCE, single_line=True) or "unknown",
            "inline": True,
        },
        {"name": "Published", "value": when(alert.published), "inline": True},
        {"name": "Watches", "value": watches or "none", "inline": False},
        {"name": "Outlets", "value": _outlets(alert), "inline": False},
    ]
    if alert.published:
        embed["timestamp"] = alert.published.isoformat()
    embed["footer"] = {
        "text": "newswatch" if alert.kind == "alert" else f"newswatch · {alert.kind}"
    }
    overflow = embed_length(embed) - EMBED_TOTAL
    if overflow > 0 and summary:
        embed["description"] = truncate(summary, max(1, len(summary) - overflow))
    return embed


def _outlets(alert: Alert) -> str:
    """ "3 outlets: Variety, The Verge", within a field's 1024 characters."""
    shown = outlet_summary(alert, lambda name: escape(name, SOURCE, single_line=True))
    return truncate(shown, DiscordText.field_maxlen)


def emphasised(alert: Alert, field: str, limit: int) -> str:
    """An alert's title or summary as escape() shows it, its matched terms in `**bold**`,
    put around spans of the escaped text (bot.deliver.highlight), never taken from it."""
    text, single_line = getattr(alert, field), field == "title"
    return bold(
        text,
        spans_of(alert, field),
        show=lambda raw: DiscordText.escape(clean_head(raw, limit, lines=not single_line)),
        cut=DiscordText.cut,
        limit=limit,
        markers=lambda shown, start, end: ("**", "**"),
    )


def alert_payload(alert: Alert, target: str) -> dict[str, Any]:
    """The alert's embed; when its watches opt in to pings, the content carries exactly
    those mentions and allowed_mentions allows exactly them (embeds never ping)."""
    payload = {"embeds": [alert_embed(alert)], **payload_base(alert_nonce(alert, target))}
    content, allowed = notify_mentions(alert.notify)
    if content:
        payload["content"] = content
        payload["allowed_mentions"] = allowed.to_dict()
    return payload


def notify_mentions(notify: Iterable[str]) -> tuple[str, AllowedMentions]:
    """A watch's notify as Discord pings it (SPEC Watchlists): `@here` (allowed as
    everyone=True, which covers @here), a role `<@&ID>` or a user `<@ID>`, each once; checked
    at start (bot.match.watchlists), and anything else dropped here too
    (https://discord.com/developers/docs/resources/message#allowed-mentions-object)."""
    shown: list[str] = []
    roles: list[Object] = []
    users: list[Object] = []
    for mention in dict.fromkeys(notify):
        found = _MENTION.fullmatch(mention)
        if found is None:
            continue
        shown.append(mention)
        if found.group("role"):
            roles.append(Object(int(found.group("role"))))
        elif found.group("user"):
            users.append(Object(int(found.group("user"))))
    everyone = "@here" in shown
    allowed = AllowedMentions(  # False, not an empty list: the payload then names no list
        everyone=everyone, users=users or False, roles=roles or False, replied_user=False
    )
    return " ".join(shown), allowed


def notice_payload(notice: Notice, target: str) -> dict[str, Any]:
    text = escape(notice.text, CONTENT - 12) or "(empty notice)"
    return {"content": f"**notice:** {text}", **payload_base(make_nonce("nn", target, notice.text))}


def story_line(story: DigestStory) -> str:
    """`• [title](url) · source · N outlets`, with the title's markup escaped."""
    title = escape(story.title, DiscordText.story_title_maxlen, single_line=True) or "(untitled)"
    url = safe_url(story.url)
    head = f"[{title}]({markdown_url(url)})" if url else title
    source = escape(story.source, DiscordText.story_source_maxlen, single_line=True)
    outlets = f"{story.outlets} outlet{'s' if story.outlets != 1 else ''}"
    return f"• {head} · {source} · {outlets}" if source else f"• {head} · {outlets}"


def _pack_lines(lines: Iterable[str], limit: int) -> list[str]:
    return pack_lines(lines, limit, truncate)


def digest_embeds(digest: Digest) -> list[dict[str, Any]]:
    """One embed per watch (more when a watch's stories outgrow one description)."""
    embeds: list[dict[str, Any]] = []
    for section in digest.sections:
        if not section.stories:
            continue
        lines = [story_line(story) for story in section.stories]
        if section.more:
            lines.append(f"… and {section.more} more")
        name = escape(section.watch, TITLE - 12, single_line=True)
        for i, chunk in enumerate(_pack_lines(lines, DESCRIPTION)):
            title = name if i == 0 else f"{name} (continued)"
            embeds.append({"title": title, "description": chunk, "color": COLOUR})
    return embeds


def digest_payloads(digest: Digest, target: str) -> list[dict[str, Any]]:
    """The digest as messages, each within 10 embeds and 6000 characters; at most ten messages."""
    head = f"**Digest** for this channel: {when(digest.since)} to {when(digest.until)}"
    if digest.empty:
        bodies: list[dict[str, Any]] = [{"content": f"{head}\nNo new stories in this window."}]
    else:
        bodies = []
        embeds: list[dict[str, Any]] = []
        size = 0
        for embed in digest_embeds(digest):
            length = embed_length(embed)
            if embeds and (len(embeds) == EMBEDS_PER_MESSAGE or size + length > EMBED_TOTAL):
                bodies.append({"embeds": embeds})
                embeds, size = [], 0
            embeds.append(embed)
            size += length
        bodies.append({"embeds": embeds})
        bodies[0]["content"] = head
        if len(bodies) > MAX_DIGEST_MESSAGES:
            dropped = len(bodies) - MAX_DIGEST_MESSAGES + 1
            bodies = bodies[: MAX_DIGEST_MESSAGES - 1]
            bodies.append({"content": f"… {dropped} more digest messages left out."})
    stamp = int(digest.until.timestamp())
    return [
        {**body, **payload_base(make_nonce("nd", target, int(digest.since.timestamp()), stamp, i))}
        for i, body in enumerate(bodies)
    ]


def message_payloads(message: Message, target: str) -> list[dict[str, Any]]:
    """What `send` posts for any core message, in order."""
    if isinstance(message, Alert):
        return [alert_payload(message, target)]
    if isinstance(message, Digest):
        return digest_payloads(message, target)
    if isinstance(message, Update):  # an edit and a reply, not new posts: discord_update
        raise TypeError("a coverage update is not posted as new messages")
    return [notice_payload(message, target)]
