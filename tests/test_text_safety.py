"""Every text that reaches a channel goes one way (issue 12.4): clean_text, the platform's
escape, the core's cut. Property tests per adapter over random text with combining marks,
emoji ZWJ sequences, flags, skin tones, controls, bidi and markup: what a reader sees is
clean_text of what came, never splits a grapheme, and fits the limit the platform declares.
"""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import regex
from hypothesis import example, given, settings
from hypothesis import strategies as st

from adapters.console import ConsoleAdapter
from adapters.discord_render import DiscordText, alert_embed, notice_payload
from adapters.discord_reply import reply_chunks
from adapters.slack_render import INERT, SlackText, render_alert, render_notice, reply_text
from bot.config import Config
from bot.deliver.model import Alert, Notice
from bot.deliver.quoting import Quoted, compose
from bot.text import ELLIPSIS, MAX_MARKS, clean_text, cut
from tests.discord_markdown import shown

PIECES = st.sampled_from(
    [
        *("e\u0301", "\u0301", "\u0489", "a" + "\u0316" * 9, "क्ष", "\u1100\u1161\u11a8"),
        *("👨\u200d👩\u200d👧\u200d👦", "🏳\ufe0f\u200d🌈", "👍🏽", "🇺🇸", "\U0001f1fa"),
        *("\x00", "\x1b[31m", "\x07", "\x85", "\x9b", "\r\n", "\t", "\u2028"),
        *("\u202e", "\u2066", "\u2069", "\u200e", "\u200b", "\ufeff", "\xad", "\U000e0041"),
        *("\ud800", "&", "&amp;", "<", ">", "*", "_", "~", "`", "\\", "[", "](", "https://"),
        *("@everyone", "<@1>", "<#2>", "- ", "1. ", "> ", ":", ",", " ", "  ", "\n", "word"),
    ]
)
TEXT = st.lists(st.one_of(PIECES, st.characters(codec=None, exclude_categories=())), max_size=60)
HOSTILE = TEXT.map("".join)
LONG = st.tuples(HOSTILE, st.integers(1, 120)).map(lambda pair: pair[0] * pair[1])

# What clean_text removes: controls (a kept line break aside), lone surrogates, bidi
# controls, zero-width and invisible characters, tag characters (no flag is generated).
REMOVED = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\xad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff\U000e0000-\U000e007f]"
)
MARK_RUN = regex.compile(rf"(?:\p{{M}}[\u200c\u200d]*){{{MAX_MARKS + 1}}}")
WHEN = datetime(2027, 1, 15, 9, 30, tzinfo=UTC)


def alert(title: str, summary: str, source: str) -> Alert:
    return Alert("x", 1, title, "https://variety.com/s/", source, WHEN, summary, (source,))


def holds(read: str, came: str, limit: int, field: str, *, lines: bool = False) -> None:
    """`field` (as sent) is within `limit`; `read` (what a reader sees) holds nothing that
    clean_text removes and is clean_text of `came`, or its head at a grapheme boundary."""
    assert len(field) <= limit
    assert not REMOVED.search(read) and not MARK_RUN.search(read)
    cleaned = clean_text(came, lines=lines)
    if read == cleaned:
        return
    assert read.endswith(ELLIPSIS), (read, cleaned)
    head = read[: -len(ELLIPSIS)]
    assert cleaned.startswith(head)
    assert len(head) in {m.end() for m in regex.finditer(r"\X", cleaned)} | {0}


def slack_reads(text: str) -> str:
    return html.unescape(text)


@settings(max_examples=150, deadline=None)
@given(title=LONG, summary=LONG, source=HOSTILE)
def test_slack_alert_fields_are_clean_whole_graphemes_within_their_limits(
    title: str, summary: str, source: str
) -> None:
    blocks = render_alert(alert(title, summary, source)).blocks
    label = blocks[0]["text"]["text"].removeprefix("*<https://variety.com/s/|")[:-2]
    mrkdwn_title = clean_text(title).translate(INERT) or "(untitled)"
    holds(slack_reads(label), mrkdwn_title, SlackText.title_maxlen, label)
    date = "<!date^1800005400^{date_short_pretty} {time}|2027-01-15 09:30 UTC>"
    meta = blocks[1]["elements"][0]["text"].removesuffix(f" · {date}")
    if clean_text(source):
        holds(slack_reads(meta), clean_text(source).translate(INERT), SlackText.source_maxlen, meta)
    if clean_text(summary):
        body = blocks[2]["text"]["text"]
        holds(slack_reads(body), summary, SlackText.body_maxlen, body)


@settings(max_examples=100, deadline=None)
@given(LONG)
def test_slack_notices_and_reply_quotes_go_the_same_way(text: str) -> None:
    notice = render_notice(Notice("slack:C1", text)).blocks[0]["text"]["text"]
    body = notice.removeprefix("newswatch: ")
    holds(slack_reads(body), text, 3000 - 20, body, lines=True)
    quoted = reply_text(compose("Quoted: ", Quoted(text))).removeprefix("Quoted: ")
    holds(slack_reads(quoted), clean_text(text).translate(INERT), SlackText.quoted_maxlen, quoted)


@settings(max_examples=150, deadline=None)
@given(title=LONG, summary=LONG, source=HOSTILE)
def test_discord_alert_fields_are_clean_whole_graphemes_within_their_limits(
    title: str, summary: str, source: str
) -> None:
    embed = alert_embed(alert(title, summary, source))
    if clean_text(title):
        holds(shown(embed["title"]), title, DiscordText.title_maxlen, embed["title"])
    if clean_text(summary):
        body = embed["description"]
        holds(shown(body), summary, DiscordText.body_maxlen, body, lines=True)
    if clean_text(source):
        value = embed["fields"][0]["value"]
        holds(shown(value), source, DiscordText.source_maxlen, value)
        watches = embed["fields"][2]["value"]
        holds(shown(watches), source, DiscordText.field_maxlen, watches)


@settings(max_examples=100, deadline=None)
@given(LONG)
@example("éééé<#2>éééé<" * 63)  # a cut between `<#` and its zero-width space (found by this test)
def test_discord_notices_and_reply_quotes_go_the_same_way(text: str) -> None:
    content = notice_payload(Notice("discord:1", text), "discord:1")["content"]
    if clean_text(text, lines=True):
        body = content.removeprefix("**notice:** ")
        holds(shown(body), text, DiscordText.content_maxlen - 12, body, lines=True)
    if clean_text(text):
        [chunk] = reply_chunks(compose("Quoted: ", Quoted(text)))
        quoted = chunk.removeprefix("Quoted: ")
        holds(shown(quoted), text, DiscordText.quoted_maxlen, quoted)


@settings(max_examples=100, deadline=None)
@given(title=HOSTILE, summary=HOSTILE)
async def test_console_lines_hold_nothing_clean_text_removes(title: str, summary: str) -> None:
    stream = io.StringIO()
    config = Config(path=None, database=Path("unused.db"))
    await ConsoleAdapter(config, stream=stream).send("console", alert(title, summary, "V"))
    out = stream.getvalue()
    assert not REMOVED.search(out.replace("\n", "")) and not MARK_RUN.search(out)
    assert clean_text(title) in out or not clean_text(title)


@settings(max_examples=300, deadline=None)
@given(HOSTILE, st.integers(0, 80))
def test_the_core_cut_keeps_whole_graphemes_within_the_limit(text: str, limit: int) -> None:
    cleaned = clean_text(text)
    result = cut(cleaned, limit)
    assert len(result) <= limit
    head = result.removesuffix(ELLIPSIS) if result != cleaned else result
    assert cleaned.startswith(head)
    assert len(head) in {m.end() for m in regex.finditer(r"\X", cleaned)} | {0}
