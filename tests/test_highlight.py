"""Highlight what matched (issue 15 item 13): the alert's title and summary show the terms
that made it match in bold on every platform, and the bold never breaks escaping: no
markup, ping or link leaks, and the visible text is unchanged apart from the bold."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.console import BOLD, NORMAL, ConsoleAdapter
from adapters.discord_render import ZWSP, alert_embed, escape
from adapters.slack_render import SlackMrkdwn, SlackText, render_alert
from bot.config import Config
from bot.deliver.highlight import OPEN, alert_highlights
from bot.deliver.model import Alert, Highlight
from bot.text import clean_text, terminal_safe
from tests import discord_markdown
from tests.feeds import Entry, rss
from tests.pipeline_helpers import Clock
from tests.test_delivery_order import Platform, platform, started_app  # noqa: F401
from tests.test_hostile_text import PINGS, SLACK_LIVE, hostile_text

CONFIG = Config(path=None, database=Path("unused.db"))


def make_alert(title: str, summary: str, highlights: tuple[Highlight, ...]) -> Alert:
    return Alert(
        channel="x",
        story_id=1,
        title=title,
        url="https://variety.com/story/",
        source="Variety",
        published=datetime(2027, 1, 15, tzinfo=UTC),
        summary=summary,
        watches=("Sora",),
        highlights=highlights,
    )


@pytest.mark.parametrize(
    ("watches", "title", "summary", "bold"),
    [
        (["Sora"], "OpenAI's Sora opens", "Sora's debut", ["title:Sora", "summary:Sora"]),
        (["strik* actors OR writers"], "Actors strike", "", ["title:Actors", "title:strike"]),
        (['"sora licensing"'], "Sora licensing deal", "", ["title:Sora licensing"]),
        (["SAG-AFTRA -golf"], "SAG‑AFTRA talks", "", ["title:SAG‑AFTRA"]),
        (["動画"], "OpenAIの動画生成", "", ["title:動画"]),
        (["Sora", "sora OR openai"], "OpenAI Sora", "", ["title:OpenAI", "title:Sora"]),
        (["Sora -golf"], "Golf", "", []),  # excluded terms are never bold
        (["Sora ("], "Sora", "", []),  # a watch that no longer parses: nothing
    ],
)
def test_the_alert_carries_the_spans_its_watches_matched_on(
    watches: list[str], title: str, summary: str, bold: list[str]
) -> None:
    texts = {"title": title, "summary": summary}
    spans = alert_highlights(title, summary, watches)
    assert [f"{h.field}:{texts[h.field][h.start : h.end]}" for h in spans] == bold


def test_slack_shows_matched_terms_in_bold_and_the_rest_as_before() -> None:
    alert = make_alert("Sora opens *now*", "OpenAI's Sora, SoraのAI", ())
    alert = make_alert(
        alert.title, alert.summary, alert_highlights(alert.title, alert.summary, ["Sora"])
    )
    message = render_alert(alert)
    assert message.blocks[0]["text"]["text"] == "<https://variety.com/story/|*Sora* opens ∗now∗>"
    assert message.blocks[2]["text"] == {
        "type": "mrkdwn",
        "text": f"OpenAI's *Sora*, *Sora*{ZWSP}のAI",
        "verbatim": True,
    }
    plain = render_alert(make_alert(alert.title, alert.summary, ()))
    assert plain.blocks[0]["text"]["text"] == "*<https://variety.com/story/|Sora opens ∗now∗>*"
    assert plain.blocks[2]["text"]["type"] == "plain_text"
    assert message.text == plain.text  # the notification text stays plain


def test_discord_shows_matched_terms_in_bold() -> None:
    title, summary = "Sora opens **now**", "Hollywood meets @Sora"
    alert = make_alert(title, summary, alert_highlights(title, summary, ["Sora"]))
    embed = alert_embed(alert)
    assert embed["title"] == "**Sora** opens \\*\\*now\\*\\*"
    assert embed["description"] == f"Hollywood meets @{ZWSP}**Sora**"


async def test_the_console_bolds_matched_terms_on_a_terminal_only() -> None:
    title, summary = "Sora opens", "OpenAI's Sora \x1b[31m"
    alert = make_alert(title, summary, alert_highlights(title, summary, ["Sora"]))

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal, pipe = Terminal(), io.StringIO()
    await ConsoleAdapter(CONFIG, terminal).send("console", alert)
    await ConsoleAdapter(CONFIG, pipe).send("console", alert)
    lines = terminal.getvalue().splitlines()
    assert lines[0] == f"{BOLD}Sora{NORMAL} opens"
    assert f"  OpenAI's {BOLD}Sora{NORMAL} [31m" in lines
    assert "\x1b" not in pipe.getvalue() and pipe.getvalue().startswith("Sora opens\n")


@st.composite
def highlighted(draw: st.DrawFn) -> tuple[str, str, tuple[Highlight, ...]]:
    """Hostile text with spans anywhere (not only at words: the renderer must hold for any),
    and now and then the terms real watches would find."""
    title, summary = draw(hostile_text), draw(hostile_text)
    if draw(st.booleans()):
        words = [w for w in re.findall(r"\w+", title + " " + summary)][:3] or ["sora"]
        return title, summary, alert_highlights(title, summary, words)
    spans = []
    for field, text in (("title", title), ("summary", summary)):
        for _ in range(draw(st.integers(0, 4))):
            start = draw(st.integers(0, len(text)))
            spans.append(Highlight(field, start, draw(st.integers(start, len(text)))))
    return title, summary, tuple(spans)


def _unbold(shown: str, plain: str, marker: str) -> str | None:
    """`shown` with markers removed, when it is `plain` with markers put in; else None."""
    out, at, index = [], 0, 0
    while index < len(shown):
        if at < len(plain) and shown[index] == plain[at]:
            out.append(shown[index])
            at, index = at + 1, index + 1
        elif shown.startswith(marker, index):
            index += len(marker)
        else:
            return None
    return "".join(out) if at == len(plain) else None


@settings(max_examples=300, deadline=None)
@given(highlighted())
def test_discord_bold_leaks_no_markup_ping_or_link(
    case: tuple[str, str, tuple[Highlight, ...]],
) -> None:
    title, summary, spans = case
    embed = alert_embed(make_alert(title, summary, spans))
    for shown, plain in (
        (embed["title"], escape(title, 256, single_line=True) or "(untitled)"),
        (embed.get("description", ""), escape(summary, 4096) if summary else ""),
    ):
        assert _unbold(shown, plain, "**") == plain, (shown, plain)
        links, marks, seen = discord_markdown.read(shown)
        assert links == []
        assert set(marks) <= {"*"} and len(marks) % 4 == 0  # only `**` pairs of our own
        assert seen.replace("*", "") == discord_markdown.read(plain)[2].replace("*", "")
        assert not re.search(f"@(?!{ZWSP})", shown)


@settings(max_examples=300, deadline=None)
@given(highlighted())
def test_slack_bold_leaks_no_markup_ping_or_link(
    case: tuple[str, str, tuple[Highlight, ...]],
) -> None:
    title, summary, spans = case
    message = render_alert(make_alert(title, summary, spans))
    payload = json.dumps(list(message.blocks), ensure_ascii=False)
    date = "<!date^1799971200^{date_short_pretty} {time}|2027-01-15 00:00 UTC>"
    assert not SLACK_LIVE.search(payload.replace(date, ""))
    assert payload.count("<https://") == 1 and OPEN not in payload
    head = message.blocks[0]["text"]["text"]
    label = SlackMrkdwn.show(clean_text(title) or "(untitled)", SlackText.title_maxlen)
    inner = head.removeprefix("*<https://variety.com/story/|").removeprefix(
        "<https://variety.com/story/|"
    )
    assert inner.rstrip("*").removesuffix(">").replace("*", "").replace(ZWSP, "") == label
    body = [b["text"] for b in message.blocks[2:] if b["type"] == "section"]
    if body and body[0]["type"] == "mrkdwn":
        shown = body[0]["text"].replace("*", "").replace(ZWSP, "")
        assert shown == SlackMrkdwn.show(summary, SlackText.body_maxlen)


@settings(max_examples=200, deadline=None)
@given(highlighted())
async def test_console_bold_is_the_only_escape_sequence(
    case: tuple[str, str, tuple[Highlight, ...]],
) -> None:
    title, summary, spans = case

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    await ConsoleAdapter(CONFIG, stream).send("console", make_alert(title, summary, spans))
    text = stream.getvalue()
    plain = text.replace(BOLD, "").replace(NORMAL, "").replace("\x1b[1m", "").replace("\x1b[0m", "")
    assert "\x1b" not in plain
    assert terminal_safe(clean_text(title)) in plain or not clean_text(title)


async def test_an_alert_posted_to_slack_or_discord_shows_its_matched_term_in_bold(
    tmp_path: Path,
    feed_server: Any,
    platform: Platform,  # noqa: F811
) -> None:
    clock = Clock()
    entry = Entry("Sora opens to filmmakers", "https://a.example/1", published=clock.now - 60)
    feed_server.add("/f.xml", body=rss([entry]), content_type="application/rss+xml")
    app = await started_app(tmp_path, platform, str(feed_server.url("/f.xml")), clock)
    try:
        report = await app.cycle(all_sources=True)
    finally:
        await app.close()
    assert report.delivery.sent == 1
    (posted,) = platform.posted()
    if platform.name == "slack":
        assert posted["blocks"][0]["text"]["text"].endswith("|*Sora* opens to filmmakers>")
    else:
        assert posted["embeds"][0]["title"] == "**Sora** opens to filmmakers"


assert PINGS  # the hostile examples these properties draw from
