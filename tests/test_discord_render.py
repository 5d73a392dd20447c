"""Discord payload rules (HARDENING A1-A7), as tables over the pure renderers."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.discord_render import (
    CONTENT,
    DESCRIPTION,
    EMBED_TOTAL,
    EMBEDS_PER_MESSAGE,
    MAX_DIGEST_MESSAGES,
    ZWSP,
    alert_nonce,
    alert_payload,
    digest_payloads,
    embed_length,
    escape,
    message_payloads,
    story_line,
)
from adapters.discord_reply import reply_chunks
from bot.deliver.model import Alert, Digest, DigestSection, DigestStory, Notice
from bot.deliver.quoting import Code, Quoted, compose
from bot.text import clean_text
from tests.discord_markdown import links, live_marks, shown

TARGET = "discord:3000000000000000003"
WHEN = datetime(2027, 1, 15, 9, 30, tzinfo=UTC)
LIVE_MASKED_LINK = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(")


def alert(**fields: Any) -> Alert:
    base: dict[str, Any] = {
        "channel": TARGET,
        "story_id": 7,
        "title": "Sora opens to filmmakers",
        "url": "https://variety.com/2027/sora/",
        "source": "Variety",
        "published": WHEN,
        "summary": "Studios get access.",
        "watches": ("Sora",),
    }
    return Alert(**(base | fields))


def story(n: int, title: str = "A story") -> DigestStory:
    return DigestStory(n, f"{title} {n}", f"https://a.example/{n}", "Outlet", WHEN, outlets=n % 4)


def digest(sections: int, stories: int, title: str = "A story") -> Digest:
    return Digest(
        channel=TARGET,
        since=WHEN - timedelta(days=1),
        until=WHEN,
        sections=tuple(
            DigestSection(f"watch {s}", tuple(story(n, title) for n in range(stories)))
            for s in range(sections)
        ),
    )


@pytest.mark.parametrize(
    "message",
    [alert(), Notice(TARGET, "source disabled"), digest(1, 2), digest(0, 0)],
    ids=["alert", "notice", "digest", "empty-digest"],
)
def test_every_payload_allows_no_mentions_and_enforces_its_nonce(message: Any) -> None:
    for payload in message_payloads(message, TARGET):
        assert payload["allowed_mentions"] == {"parse": []}
        assert payload["enforce_nonce"] is True and 0 < len(payload["nonce"]) <= 25


def test_the_alert_nonce_is_the_same_for_a_retry_and_differs_by_story_and_channel() -> None:
    assert alert_nonce(alert(), TARGET) == alert_nonce(alert(), TARGET)
    assert alert_nonce(alert(), TARGET) != alert_nonce(alert(story_id=8), TARGET)
    assert alert_nonce(alert(), TARGET) != alert_nonce(alert(), "discord:1")


@pytest.mark.parametrize(
    ("hostile", "live"),
    [
        ("@everyone look", "@everyone"),
        ("@here now", "@here"),
        ("hi <@123>", "<@123>"),
        ("hi <@!123>", "<@!123>"),
        ("role <@&456>", "<@&456>"),
        ("see <#789>", "<#789>"),
        ("run </watch:1>", "</watch:1>"),
        ("rtl \u202egnp.exe", "\u202e"),
        ("nul \x00 bell \x07", "\x00"),
        ("zero \u2066isolate\u2069", "\u2066"),
    ],
)
def test_hostile_text_cannot_ping_or_reorder(hostile: str, live: str) -> None:
    assert live not in escape(hostile, 256)
    assert live not in escape(hostile, 256, single_line=True)


@pytest.mark.parametrize(
    "hostile",
    [
        "[Variety](https://evil.example)",
        "[x](javascript:alert(1))",
        "\\[x](https://evil.example)",
        "[a [b](https://evil.example)](c)",
    ],
)
def test_masked_links_render_as_literal_text(hostile: str) -> None:
    assert not LIVE_MASKED_LINK.search(escape(hostile, 256))


def test_an_unbalanced_fence_cannot_swallow_what_follows() -> None:
    assert "```" not in escape("```python\nimport os", 4096)


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "/story", "", None]
)
def test_only_an_absolute_http_url_becomes_the_alert_link(url: str | None) -> None:
    embed = alert_payload(alert(url=url), TARGET)["embeds"][0]
    assert "url" not in embed


def test_huge_fields_are_cut_under_discord_limits_quickly() -> None:
    started = time.monotonic()
    payload = alert_payload(alert(title="word " * 20_000, summary="long " * 1_000_000), TARGET)
    embed = payload["embeds"][0]
    assert len(embed["title"]) <= 256 and len(embed["description"]) <= 4096
    assert embed_length(embed) <= EMBED_TOTAL
    assert time.monotonic() - started < 1.0


def test_a_huge_digest_splits_into_bounded_messages() -> None:
    payloads = digest_payloads(digest(40, 10, title="x" * 280), TARGET)
    assert len(payloads) <= MAX_DIGEST_MESSAGES
    for payload in payloads:
        assert len(payload.get("embeds", [])) <= EMBEDS_PER_MESSAGE
        assert sum(embed_length(e) for e in payload.get("embeds", [])) <= EMBED_TOTAL
        assert len(payload.get("content", "")) <= CONTENT


def test_digest_story_links_survive_parentheses_in_the_url() -> None:
    line = story_line(DigestStory(1, "Title", "https://a.example/x_(film)", "Outlet", WHEN, 2))
    assert "(https://a.example/x_%28film%29)" in line


def test_reply_chunks_stay_under_2000_with_balanced_fences() -> None:
    text = "Watching #1\n```\n" + "\n".join(f"line {n} " + "y" * 60 for n in range(200)) + "\n```"
    chunks = reply_chunks(text)
    assert len(chunks) > 1
    for chunk in chunks:
        assert len(chunk) <= CONTENT
        assert chunk.count("```") % 2 == 0


def test_reply_chunks_neutralise_mentions_and_masked_links_in_queries() -> None:
    [chunk] = reply_chunks("Watching #1: @everyone [x](https://evil.example)")
    assert "@everyone" not in chunk and "](" not in chunk


# -- no link but the item's own (SPEC "Alerts"; Discord autolinks any scheme:// text) -------

LINKY = [
    "see https://evil.example/x now",
    "HTTP://EVIL.EXAMPLE/caps",
    "glued:https://evil.example/x",
    "<https://evil.example/no-embed>",
    "[Variety](https://evil.example)",
    "[Variety](<https://evil.example>)",
    "steam://run/1",
    "a \\https://evil.example/after-a-backslash",
    "`https://evil.example/in-backticks`",
]


@pytest.mark.parametrize("text", LINKY)
@pytest.mark.parametrize("field", ["title", "summary", "source", "watches"])
def test_urls_in_alert_text_never_become_links(field: str, text: str) -> None:
    value: Any = (text,) if field == "watches" else text
    embed = alert_payload(alert(**{field: value}), TARGET)["embeds"][0]
    shown_fields = [embed["title"], embed.get("description", "")]
    shown_fields += [f["value"] for f in embed["fields"]]
    assert [url for part in shown_fields for url in links(part)] == []
    assert embed["url"] == "https://variety.com/2027/sora/"  # the one link


@pytest.mark.parametrize("text", LINKY)
def test_urls_in_digest_titles_outlets_and_watch_names_never_become_links(text: str) -> None:
    story = DigestStory(1, f"Title {text}", "https://a.example/1", text, WHEN, 2)
    section = DigestSection(text, (story,))
    [payload] = digest_payloads(Digest(TARGET, WHEN - timedelta(days=1), WHEN, (section,)), TARGET)
    [embed] = payload["embeds"]
    assert links(embed["description"]) == ["https://a.example/1"]
    assert links(embed["title"]) == [] and links(payload["content"]) == []


@pytest.mark.parametrize("text", LINKY)
def test_urls_in_notices_never_become_links(text: str) -> None:
    [payload] = message_payloads(Notice(TARGET, f"source {text} disabled"), TARGET)
    assert links(payload["content"]) == []


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("https://evil.example/x_y", "https\\://evil.example/x\\_y"),
        ("<https://evil.example>", "\\<https\\://evil.example>"),
        ("www.evil.example/path", "www.evil.example/path"),  # Discord links no www. text
        ("12:30 / 13:00", "12:30 / 13:00"),
    ],
)
def test_a_url_reads_as_itself_with_its_colon_escaped(text: str, escaped: str) -> None:
    assert escape(text, 256) == escaped
    assert shown(escaped) == text


FRAGMENTS = st.sampled_from(
    [
        *("https://", "http://", "HTTPS://", "steam://", "evil.example/", "www.", "@", "a", "é"),
        *("<", ">", "[", "]", "(", ")", "](", "`", "```", "\\", ":", "/", "*", "_", "~", "|"),
        *(" ", "\n", "#", "- ", "> ", "1. "),
    ]
)
TEXTS = st.lists(FRAGMENTS, max_size=40).map("".join) | st.text(max_size=80)


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_escaped_text_links_nothing_formats_nothing_and_reads_as_it_came(text: str) -> None:
    text = text.replace(ZWSP, "")
    escaped = escape(text, DESCRIPTION)
    assert links(escaped) == [] and live_marks(escaped) == []
    assert not LIVE_MASKED_LINK.search(escaped)
    assert shown(escaped) == clean_text(text, lines=True)


@settings(max_examples=200, deadline=None)
@given(TEXTS, TEXTS)
def test_a_digest_links_only_its_stories_whatever_the_feed_text(title: str, source: str) -> None:
    story = DigestStory(1, title, "https://a.example/1", source, WHEN, 2)
    digest = Digest(TARGET, WHEN - timedelta(days=1), WHEN, (DigestSection(source, (story,)),))
    for payload in digest_payloads(digest, TARGET):
        for embed in payload.get("embeds", []):
            assert links(embed["description"]) == ["https://a.example/1"]
            assert links(embed["title"]) == []


# -- command replies: the core's markup kept, what it quotes escaped (bot.deliver.quoting) ---------


@pytest.mark.parametrize(
    ("quoted", "escaped"),
    [
        ("*bold*", "\\*bold\\*"),
        ("_it_", "\\_it\\_"),
        ("`code`", "\\`code\\`"),
        ("``` swallow", "\\`\\`\\` swallow"),
        ("https://evil.example/x", "https\\://evil.example/x"),
        ("[Variety](https://evil.example)", "\\[Variety\\](https\\://evil.example)"),
        ("@everyone", f"@{ZWSP}everyone"),
    ],
)
def test_a_reply_escapes_what_it_quotes_and_keeps_its_own_markup(quoted: str, escaped: str) -> None:
    [chunk] = reply_chunks(compose("Watching `#1`: ", Quoted(quoted), "\n**done**"))
    assert chunk == f"Watching `#1`: {escaped}\n**done**"


def test_a_query_quoted_in_a_reply_code_block_cannot_close_it_and_keeps_its_caret() -> None:
    pointer = 'a ``` "b\n   ^'
    text = compose(
        "Cannot add: ", Quoted('"b never closed'), "\n```\n", Code(pointer), "\n```\nend"
    )
    [chunk] = reply_chunks(text)
    assert chunk.count("```") == 2
    assert '```\na \u02cb\u02cb\u02cb "b\n   ^\n```' in chunk


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_whatever_a_reply_quotes_it_links_nothing_and_only_its_markup_is_live(text: str) -> None:
    reply = compose("**Watching** #1: ", Quoted(text), " then `/watch list`")
    shown_text = "\n".join(reply_chunks(reply))
    assert links(shown_text) == []
    assert live_marks(shown_text) == ["*", "*", "*", "*"]
    assert shown_text.endswith(" then `/watch list`")


@pytest.mark.parametrize(
    ("published", "shown", "timestamp"),
    [
        (WHEN, "<t:1800005400:f>", "2027-01-15T09:30:00+00:00"),
        (datetime(2027, 7, 1, 23, 5, tzinfo=UTC), "<t:1814483100:f>", "2027-07-01T23:05:00+00:00"),
        (None, "date unknown", None),
    ],
)
def test_the_alert_time_is_a_discord_timestamp_read_in_each_readers_zone(
    published: datetime | None, shown: str, timestamp: str | None
) -> None:
    embed = alert_payload(alert(published=published), TARGET)["embeds"][0]
    assert embed["fields"][1] == {"name": "Published", "value": shown, "inline": True}
    assert embed.get("timestamp") == timestamp


def test_a_timestamp_in_feed_text_stays_literal() -> None:
    embed = alert_payload(alert(source="<t:0:R>", title="<t:0:F> x"), TARGET)["embeds"][0]
    assert embed["fields"][0]["value"] == "\\<t:0:R>"
    assert embed["title"] == "\\<t:0:F> x"
