"""Slack rendering, pure: feed text escaped exactly once, mrkdwn made inert, limits kept."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from adapters.slack_digest import render_digest
from adapters.slack_render import (
    MAX_BLOCKS,
    MAX_HEADER,
    MAX_MESSAGE_CHARS,
    MAX_SECTION,
    SlackText,
    escape,
    render_alert,
    render_notice,
    reply_text,
    safe_url,
)
from bot.deliver.model import Alert, Digest, DigestSection, DigestStory, Notice
from bot.deliver.quoting import Code, Quoted, compose

WHEN = datetime(2027, 1, 15, 9, 30, tzinfo=UTC)
# The one `<!…>` a message holds: newswatch's own date token, never built from feed text.
DATE = "<!date^1800005400^{date_short_pretty} {time}|2027-01-15 09:30 UTC>"


def alert(**changes: object) -> Alert:
    fields: dict[str, object] = {
        "channel": "slack:C123",
        "story_id": 1,
        "title": "Sora opens to filmmakers",
        "url": "https://variety.example/sora?a=1&b=2",
        "source": "Variety",
        "published": WHEN,
        "summary": "OpenAI's video model is now open.",
        "watches": ("Sora",),
    }
    fields.update(changes)
    return Alert(**fields)  # type: ignore[arg-type]


def test_alert_blocks_are_title_link_meta_summary_and_watches() -> None:
    message = render_alert(alert())
    assert list(message.blocks) == [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "*<https://variety.example/sora?a=1&amp;b=2|Sora opens to filmmakers>*",
                "verbatim": True,
            },
        },
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f"Variety · {DATE}", "verbatim": True}],
        },
        {
            "type": "section",
            "text": {
                "type": "plain_text",
                "text": "OpenAI's video model is now open.",
                "emoji": False,
            },
        },
        {
            "type": "context",
            "elements": [{"type": "plain_text", "text": "Watches: Sora", "emoji": False}],
        },
        {
            "type": "context",
            "elements": [{"type": "plain_text", "text": "1 outlet", "emoji": False}],
        },
    ]
    assert message.text.splitlines()[0] == "Sora opens to filmmakers"
    assert "<https://variety.example/sora?a=1&amp;b=2>" in message.text


HOSTILE = [
    ("<!channel> deal", "&lt;!channel&gt; deal"),
    ("<!here> <!everyone>", "&lt;!here&gt; &lt;!everyone&gt;"),
    ("<!subteam^S123> strike", "&lt;!subteam^S123&gt; strike"),
    ("hi <@U123> and <@W9|x>", "hi &lt;@U123&gt; and &lt;@W9|x&gt;"),
    ("<https://evil.example|variety.com>", "&lt;https://evil.example|variety.com&gt;"),
    ("AT&T &amp; you", "AT&amp;T &amp;amp; you"),  # the decoded text holds "&amp;" literally
    ("*bold* _it_ ~s~ `c` ```x```", "∗bold∗ ˍitˍ ∼s∼ ˋcˋ ˋˋˋxˋˋˋ"),
    ("> quote\nline", "&gt; quote line"),
    ("rtl\u202eevil\u2066x\u2069 nul\x00 bell\x07", "rtlevilx nul bell"),
]


@pytest.mark.parametrize(("title", "shown"), HOSTILE)
def test_hostile_title_is_inert_in_the_link_label(title: str, shown: str) -> None:
    head = render_alert(alert(title=title)).blocks[0]["text"]["text"]
    assert head == f"*<https://variety.example/sora?a=1&amp;b=2|{shown}>*"


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("<!channel>", "&lt;!channel&gt;"),
        ("a & b", "a &amp; b"),
        ("&amp;", "&amp;amp;"),
        ("*x* _y_", "*x* _y_"),  # plain_text does not format: kept as written
    ],
)
def test_hostile_summary_is_escaped_once_in_plain_text(text: str, escaped: str) -> None:
    message = render_alert(alert(summary=text))
    assert message.blocks[2]["text"] == {"type": "plain_text", "text": escaped, "emoji": False}


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ("<!channel>", "&lt;!channel&gt;"),
        ("<!date^0^{date}|forged>", "&lt;!date^0^{date}|forged&gt;"),
        ("a & b", "a &amp; b"),
        ("&amp;", "&amp;amp;"),
        ("*x* _y_", "∗x∗ ˍyˍ"),  # the meta line is mrkdwn (for the date token): made inert
    ],
)
def test_hostile_source_is_escaped_once_and_inert_beside_the_date(source: str, shown: str) -> None:
    message = render_alert(alert(source=source))
    assert message.blocks[1]["elements"][0]["text"] == f"{shown} · {DATE}"
    assert message.text.splitlines()[1] == f"{shown} · {DATE}"


@pytest.mark.parametrize(
    ("published", "meta"),
    [
        (WHEN, f"Variety · {DATE}"),
        (
            datetime(2027, 7, 1, 23, 5, tzinfo=UTC),
            "Variety · <!date^1814483100^{date_short_pretty} {time}|2027-07-01 23:05 UTC>",
        ),
        (None, "Variety · date unknown"),
    ],
)
def test_the_alert_time_is_a_slack_date_token_read_in_each_readers_zone(
    published: datetime | None, meta: str
) -> None:
    assert render_alert(alert(published=published)).blocks[1]["elements"][0]["text"] == meta


def test_no_raw_control_sequence_survives_anywhere_in_the_payload() -> None:
    hostile = "<!channel> <@U1> <!subteam^S1> <https://evil.example|x> <!here>"
    message = render_alert(
        alert(title=hostile, summary=hostile, source=hostile, watches=(hostile,))
    )
    payload = json.dumps(
        {"text": message.text, "blocks": message.blocks, "fallback": message.fallback},
        ensure_ascii=False,
    )
    assert payload.count(DATE) == 2  # the meta block and the notification text
    for raw in ("<!", "<@", "<https://evil", "|x>"):
        assert raw not in payload.replace(DATE, "")


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,x",
        "file:///etc/passwd",
        "/relative/story",
        "https://",
        "https://a.example/ x",
        "http://a.example/\x00",
        None,
        "",
    ],
)
def test_only_http_links_are_built(url: str | None) -> None:
    message = render_alert(alert(url=url))
    assert message.blocks[0]["text"]["text"] == "*Sora opens to filmmakers*"
    assert "<" not in message.text.replace(DATE, "")


def test_a_url_cannot_end_the_link_early() -> None:
    assert safe_url("https://a.example/x|<!channel>") == "https://a.example/x%7C%3C!channel%3E"


def test_escaping_never_doubles_and_cuts_never_split_an_entity() -> None:
    assert escape("&lt;") == "&amp;lt;"
    assert SlackText.show("&&&&", 8) == "&amp;…"
    assert SlackText.show("&&&&", 9) == "&amp;…"  # "&amp;&am" would split the second
    assert SlackText.show("e\u0301\u0301\u0301x", 3) == "…"  # é and its marks are one


def test_huge_title_and_summary_are_cut_under_limits() -> None:
    message = render_alert(alert(title="T" * 100_000, summary="S" * 5_000_000))
    for block in message.blocks:
        texts = [block["text"]] if "text" in block else block["elements"]
        assert all(len(t["text"]) <= MAX_SECTION for t in texts)
    assert len(message.text) <= 3000
    json.dumps(message.blocks).encode("utf-8")


def test_lone_surrogates_are_removed_as_everywhere_so_the_payload_encodes() -> None:
    message = render_alert(alert(title="bad \ud800 title"))
    json.dumps(message.blocks, ensure_ascii=False).encode("utf-8")
    assert "|bad title>" in message.blocks[0]["text"]["text"]  # clean_text's rule (A6)


def test_plain_fallback_is_short_and_keeps_the_link_intact() -> None:
    message = render_alert(alert(title="x_y " * 500, url="https://a.example/a_b_c"))
    assert len(message.fallback) < len(message.text) or len(message.text) < 600
    assert message.fallback.endswith("\n<https://a.example/a_b_c>")


def test_notice_is_plain_and_escaped() -> None:
    message = render_notice(Notice("slack:C1", "source <https://x.example|y> failed & stopped"))
    assert message.blocks[0]["text"] == {
        "type": "plain_text",
        "text": "newswatch: source &lt;https://x.example|y&gt; failed &amp; stopped",
        "emoji": False,
    }


def test_reply_text_keeps_core_formatting_but_escapes_quoted_text() -> None:
    assert (
        reply_text("Watching #1: `<!channel>` & co") == "Watching #1: `&lt;!channel&gt;` &amp; co"
    )


def _digest(stories_per_watch: int, watches: int, title: str = "Story") -> Digest:
    sections = tuple(
        DigestSection(
            watch=f"watch {w}",
            stories=tuple(
                DigestStory(
                    w * 1000 + i,
                    f"{title} {i} " + "words " * 30,
                    f"https://n.example/{w}/{i}",
                    "Outlet",
                    WHEN,
                    outlets=i % 4 + 1,
                )
                for i in range(stories_per_watch)
            ),
        )
        for w in range(watches)
    )
    return Digest("slack:C123", WHEN, WHEN, sections)


def test_small_digest_is_one_message_grouped_by_watch() -> None:
    [message] = render_digest(_digest(2, 2))
    kinds = [block["type"] for block in message.blocks]
    assert kinds == ["header", "header", "section", "header", "section"]
    assert message.blocks[1]["text"]["text"] == "watch 0"
    line = message.blocks[2]["text"]["text"].splitlines()[1]
    assert line.startswith("• <https://n.example/0/1|Story 1 words")
    assert line.endswith(" · Outlet · 2 outlets")


def test_long_digest_splits_into_messages_under_slack_limits() -> None:
    messages = render_digest(_digest(10, 30))
    assert len(messages) > 1
    for number, message in enumerate(messages, start=1):
        assert len(message.blocks) <= MAX_BLOCKS
        assert sum(len(b["text"]["text"]) for b in message.blocks if "text" in b) <= (
            MAX_MESSAGE_CHARS + MAX_HEADER
        )
        assert message.blocks[0]["text"]["text"].endswith(f"(part {number} of {len(messages)})")
        assert all(len(b["text"]["text"]) <= MAX_SECTION for b in message.blocks if "text" in b)


def test_empty_digest_says_so() -> None:
    [message] = render_digest(Digest("slack:C1", WHEN, WHEN, ()))
    assert message.blocks[1]["text"]["text"] == "No new stories in this window."


def test_hostile_digest_text_is_inert() -> None:
    [message] = render_digest(_digest(1, 1, title="<!channel> *x*"))
    assert "&lt;!channel&gt; ∗x∗" in message.blocks[2]["text"]["text"]
    assert "<!channel>" not in json.dumps(message.blocks)


@pytest.mark.parametrize(
    ("quoted", "shown"),
    [
        ("*bold*", "\u2217bold\u2217"),
        ("_it_ ~no~", "\u02cdit\u02cd \u223cno\u223c"),
        ("`code` ```", "\u02cbcode\u02cb \u02cb\u02cb\u02cb"),
        (
            "<!channel> & <https://evil.example|x>",
            "&lt;!channel&gt; &amp; &lt;https://evil.example|x&gt;",
        ),
    ],
)
def test_reply_text_makes_what_it_quotes_inert_and_keeps_its_own_markup(
    quoted: str, shown: str
) -> None:
    text = compose("*Watching* #1: ", Quoted(quoted), " then `/watch list`")
    assert reply_text(text) == f"*Watching* #1: {shown} then `/watch list`"


def test_reply_text_keeps_a_quoted_query_aligned_in_its_code_block() -> None:
    text = compose("Cannot add that watch: bad\n```\n", Code('a  ``` "b\n      ^'), "\n```")
    assert (
        reply_text(text)
        == 'Cannot add that watch: bad\n```\na  \u02cb\u02cb\u02cb "b\n      ^\n```'
    )
