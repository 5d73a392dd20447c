"""Issue 11 (10): no string from outside reaches the operator's terminal as a control sequence.

A feed, a redirect or an API writes the text that `poll`, `sources`, `doctor` and `digest`
print; an ESC, a BEL, a C1 CSI or a bidi override in it would retitle, clear or reorder the
operator's terminal. The real CLI runs against the loopback feed server and real SQLite.
"""

from __future__ import annotations

import io
import logging
import os
import re
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from adapters.console import ConsoleAdapter
from bot.config import Config
from bot.deliver.model import Digest, DigestSection, DigestStory, Notice
from bot.ops.logs import RedactingFormatter
from bot.text import terminal_safe
from tests.feeds import Entry, rss
from tests.pipeline_helpers import write_config

# What must never reach a terminal from outside: C0 controls but the newlines the CLI itself
# writes, DEL, C1 controls (0x9b is a one-byte CSI), bidi embeddings, overrides and isolates.
CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
HOSTILE_ENCODINGS = {
    "esc-osc-bel-csi": b"x\x1b]0;PWNED\x07\x1b[2J",
    "c1-csi-and-rlo": "x\x9b2J\u202e".encode(),
}
CONFIG = Config(path=None, database=Path("unused.db"))


def newswatch(config: Path, *args: str) -> str:
    """Run the real CLI; its stdout and stderr as text (UTF-8, nothing lost to decoding)."""
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config), *args],
        cwd=config.parent,
        env=dict(os.environ, HOME=str(config.parent)),
        capture_output=True,
        timeout=60,
    )
    return done.stdout.decode("utf-8") + done.stderr.decode("utf-8")


def hostile_feed(encoding: bytes) -> bytes:
    """A well-formed RSS document without entries whose XML declaration names `encoding`:
    feedparser quotes the declared name in the failure's reason."""
    return (
        b'<?xml version="1.0" encoding="' + encoding + b'"?>\n'
        b'<rss version="2.0"><channel><title>t</title></channel></rss>'
    )


@pytest.mark.parametrize("encoding", HOSTILE_ENCODINGS.values(), ids=HOSTILE_ENCODINGS.keys())
def test_a_hostile_encoding_declaration_is_stored_and_shown_without_controls(
    tmp_path: Path, feed_server: Any, encoding: bytes
) -> None:
    feed_server.add("/evil.xml", body=hostile_feed(encoding), content_type="application/rss+xml")
    config = write_config(tmp_path, feeds=[feed_server.url("/evil.xml")], watches=["Sora"])

    outputs = {
        "poll": newswatch(config, "poll", "--all"),
        "sources": newswatch(config, "sources"),
        "doctor": newswatch(config, "doctor"),
    }
    with sqlite3.connect(tmp_path / "nw.db") as db:
        (stored,) = db.execute("SELECT last_error FROM sources").fetchone()

    assert stored.startswith("not a feed: document declared as x")
    assert not CONTROLS.search(stored)
    assert "last error: not a feed: document declared as x" in outputs["sources"]
    assert "last error: not a feed: document declared as x" in outputs["doctor"]
    for command, shown in outputs.items():
        assert not CONTROLS.search(shown), (command, shown)


def test_sources_and_doctor_clean_rows_stored_before_cleaning(
    tmp_path: Path, feed_server: Any
) -> None:
    feed_server.add("/ok.xml", body=rss([Entry("Golf", "https://a.example/1", published=0)]))
    config = write_config(tmp_path, feeds=[feed_server.url("/ok.xml")], watches=["Sora"])
    newswatch(config, "poll", "--all")
    with sqlite3.connect(tmp_path / "nw.db") as db:  # what an older version could have stored
        db.execute(
            "UPDATE sources SET last_error = ?, moved_to = ?",
            ["HTTP 500\x1b]0;PWNED\x07\x1b[2J", "https://new.example/\x9b2J\u202eled"],
        )
        db.execute(
            "UPDATE channels SET status = 'stopped', status_reason = ?",
            ["refused\x1b[31m\nfake line\u2066"],
        )

    for command in ("sources", "doctor"):
        shown = newswatch(config, command)
        assert "]0;PWNED" in shown and "fake line" in shown  # the text is shown, controls not
        assert not CONTROLS.search(shown), (command, shown)


def test_a_digest_printed_by_the_cli_holds_no_control_from_the_config(tmp_path: Path) -> None:
    config = tmp_path / "newswatch.toml"
    config.write_text(
        'database = "nw.db"\n[[channels]]\ntarget = "jsonl:a\\u001b]0;PWNED\\u0007.jsonl"\n',
        encoding="utf-8",
    )
    shown = newswatch(config, "digest")
    assert "Digest for jsonl:a]0;PWNED.jsonl" in shown
    assert not CONTROLS.search(shown)


async def test_the_console_prints_digests_and_notices_without_controls() -> None:
    stream = io.StringIO()
    console = ConsoleAdapter(CONFIG, stream=stream)
    story = DigestStory(1, "Sora\x1b[2J", "https://a.example/\x9b", "Var\u202eiety", None, 2)
    moment = datetime(2027, 1, 15, tzinfo=UTC)
    await console.send(
        "console",
        Digest("console\x1b]0;PWNED\x07", moment, moment, (DigestSection("So\x07ra", (story,)),)),
    )
    await console.send("console", Notice("console", "stopped polling (last: x\x1b]0;t\x07)"))
    shown = stream.getvalue()
    assert "Digest for console]0;PWNED" in shown and "stopped polling" in shown
    assert not CONTROLS.search(shown)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain text stays", "plain text stays"),
        ("  columns   and indents  ", "  columns   and indents  "),
        ("title\x1b]0;PWNED\x07", "title]0;PWNED"),
        ("clear\x1b[2J\x1b[H", "clear[2J[H"),
        ("one-byte CSI \x9b31m red", "one-byte CSI 31m red"),
        ("OSC 8 link \x9d8;;https://evil.example\x9c", "OSC 8 link 8;;https://evil.example"),
        ("NUL\x00 DEL\x7f", "NUL DEL"),
        ("line\nforged\r\nline", "line forged  line"),
        ("tab\there\vand\fthere", "tab here and there"),
        ("next\x85line\u2028and\u2029more", "next line and more"),
        ("evil\u202egnp.exe", "evilgnp.exe"),
        ("\u2066isolated\u2069 \u200fmarks\u200e", "isolated marks"),
        ("hidden\U000e0041\U000e0042 tags", "hidden tags"),
        ("Zoë · 東京 · 👩\u200d👩\u200d👧", "Zoë · 東京 · 👩\u200d👩\u200d👧"),
        ("", ""),
    ],
)
def test_terminal_safe_keeps_text_and_drops_what_a_terminal_obeys(text: str, shown: str) -> None:
    assert terminal_safe(text) == shown


def test_log_lines_are_terminal_safe_and_keep_a_tracebacks_lines() -> None:
    try:
        raise ValueError("bad feed \x1b]0;PWNED\x07 here")
    except ValueError:
        record = logging.LogRecord(
            "t", logging.ERROR, __file__, 1, "failed at %s", ("t\x9b2J",), sys.exc_info()
        )
    line = RedactingFormatter().format(record)
    assert "failed at t2J" in line and "bad feed ]0;PWNED here" in line
    assert "\nTraceback" in line
    assert not CONTROLS.search(line)
