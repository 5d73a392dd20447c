"""HARDENING A: feed text never pings, forges a link or breaks formatting, in any adapter.

Property tests over random text (hypothesis) plus the hardening list's own examples, on the
exact output of each adapter: the console's lines, the jsonl record and Slack's payload.
"""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.console import ConsoleAdapter
from adapters.jsonl import JsonlAdapter
from adapters.slack_render import escape, render_alert
from bot.config import Config
from bot.deliver.model import Alert

PINGS = [
    "@everyone",
    "@here",
    "<@123>",
    "<@!123>",
    "<@&456>",
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!subteam^S123>",
    "<@U123>",
    "&lt;!channel&gt;",
    "<https://evil.example|variety.com>",
    "[Variety](https://evil.example)",
    "[x](javascript:alert(1))",
    "```",
    "> quoted",
    "\u202eevil\u202c",
    "zero\u200bwidth",
    "nul\x00byte",
    "esc\x1b[31mred",
    "lone \ud800 surrogate",
    "e" + "\u0301" * 50,
    "👩\u200d👩\u200d👧 family",
]
hostile_text = st.one_of(
    st.sampled_from(PINGS),
    st.text(max_size=200),
    st.lists(st.sampled_from([*PINGS, " ", "&", "<", ">", "&amp;", "|", "*", "_"])).map("".join),
)
CONFIG = Config(path=None, database=Path("unused.db"))


def make_alert(title: str, summary: str, source: str = "Variety") -> Alert:
    return Alert(
        channel="x",
        story_id=1,
        title=title,
        url="https://variety.com/story/",
        source=source,
        published=datetime(2027, 1, 15, tzinfo=UTC),
        summary=summary,
        watches=("Sora",),
    )


SLACK_LIVE = re.compile(r"<[!@#]|<(?!https://variety\.com/story/[|>])[a-z]+:")


@settings(max_examples=300, deadline=None)
@given(title=hostile_text, summary=hostile_text, source=hostile_text)
def test_slack_payloads_hold_no_live_mention_or_forged_link(
    title: str, summary: str, source: str
) -> None:
    message = render_alert(make_alert(title, summary, source))
    payload = json.dumps([message.text, message.fallback, list(message.blocks)], ensure_ascii=False)
    date = "<!date^1799971200^{date_short_pretty} {time}|2027-01-15 00:00 UTC>"  # newswatch's own
    assert payload.count("<!date") == payload.count(date)
    assert not SLACK_LIVE.search(payload.replace(date, ""))
    bot_links = payload.count("<https://variety.com/story/|") + payload.count(
        "<https://variety.com/story/>"
    )
    assert payload.count("<https://") == bot_links
    payload.encode("utf-8")


@given(hostile_text)
def test_slack_escaping_is_exactly_once(text: str) -> None:
    escaped = escape(text)
    assert "<" not in escaped and ">" not in escaped
    assert re.sub(r"&(amp|lt|gt);", "", escaped).count("&") == 0
    unescaped = escaped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert unescaped == text


@settings(max_examples=200, deadline=None)
@given(title=hostile_text, summary=hostile_text)
async def test_console_output_has_no_control_characters(title: str, summary: str) -> None:
    stream = io.StringIO()
    await ConsoleAdapter(CONFIG, stream=stream).send("console", make_alert(title, summary))
    out = stream.getvalue()
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", out)
    out.encode("utf-8")


@settings(max_examples=100, deadline=None)
@given(title=hostile_text, summary=hostile_text)
async def test_jsonl_records_are_valid_utf8_json_that_keep_the_text(
    tmp_path_factory: pytest.TempPathFactory, title: str, summary: str
) -> None:
    path = tmp_path_factory.mktemp("jsonl") / "a.jsonl"
    await JsonlAdapter(CONFIG).send(f"jsonl:{path}", make_alert(title, summary))
    [line] = path.read_bytes().decode("utf-8").splitlines()
    record = json.loads(line)
    assert record["title"] == title.encode("utf-8", "replace").decode()
