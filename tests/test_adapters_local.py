"""SPEC "Alerts": the console and jsonl adapters render exactly what the core hands them."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.console import ConsoleAdapter
from adapters.jsonl import JsonlAdapter
from bot.config import Config
from bot.deliver.adapter import DeliveryError, Sent, load_adapter
from bot.deliver.model import Alert, Digest, DigestSection, DigestStory, Notice

CONFIG = Config(path=None, database=Path("unused.db"))
ALERT = Alert(
    channel="console",
    story_id=7,
    title="SAG-AFTRA reaches a deal",
    url="https://variety.example/deal",
    source="Variety",
    published=datetime(2026, 11, 24, 9, 30, tzinfo=UTC),
    summary="The union and the studios agreed.",
    watches=("SAG-AFTRA", "WGA"),
    outlets=2,
    outlet_names=("Variety", "The Verge"),
)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


async def test_console_prints_a_readable_block_without_colour_off_a_terminal() -> None:
    out = io.StringIO()
    await ConsoleAdapter(CONFIG, stream=out).send("console", ALERT)
    assert out.getvalue() == (
        "SAG-AFTRA reaches a deal\n"
        "  Variety · 2026-11-24 09:30 UTC\n"
        "  https://variety.example/deal\n"
        "  The union and the studios agreed.\n"
        "  watches: SAG-AFTRA, WGA\n"
        "  2 outlets: Variety, The Verge\n\n"
    )


async def test_console_uses_colour_only_on_a_terminal() -> None:
    out = Terminal()
    await ConsoleAdapter(CONFIG, stream=out).send("console", ALERT)
    assert out.getvalue().startswith("\x1b[1mSAG-AFTRA reaches a deal\x1b[0m\n")


@pytest.mark.parametrize(
    ("zone", "published", "shown"),
    [
        ("UTC", datetime(2026, 11, 24, 9, 30, tzinfo=UTC), "2026-11-24 09:30 UTC"),
        ("Europe/Paris", datetime(2026, 11, 24, 9, 30, tzinfo=UTC), "2026-11-24 10:30 CET"),
        ("Europe/Paris", datetime(2026, 7, 1, 22, 30, tzinfo=UTC), "2026-07-02 00:30 CEST"),
        ("America/New_York", datetime(2026, 11, 24, 3, 0, tzinfo=UTC), "2026-11-23 22:00 EST"),
    ],
)
async def test_console_shows_times_in_the_configured_timezone(
    zone: str, published: datetime, shown: str
) -> None:
    out = io.StringIO()
    config = Config(path=None, database=Path("unused.db"), timezone=zone)
    await ConsoleAdapter(config, stream=out).send("console", replace(ALERT, published=published))
    assert out.getvalue().splitlines()[1] == f"  Variety · {shown}"


async def test_console_digest_window_is_in_the_configured_timezone() -> None:
    out = io.StringIO()
    config = Config(path=None, database=Path("unused.db"), timezone="Europe/Paris")
    digest = Digest(
        channel="console",
        since=datetime(2026, 11, 23, 8, tzinfo=UTC),
        until=datetime(2026, 11, 24, 8, tzinfo=UTC),
        sections=(),
    )
    await ConsoleAdapter(config, stream=out).send("console", digest)
    assert out.getvalue().splitlines()[0] == (
        "Digest for console: 2026-11-23 09:00 CET to 2026-11-24 09:00 CET"
    )


async def test_jsonl_appends_the_spec_record(tmp_path: Path) -> None:
    target = f"jsonl:{tmp_path / 'out.jsonl'}"
    adapter = JsonlAdapter(CONFIG)
    await adapter.send(target, ALERT)
    await adapter.send(target, Notice(channel=target, text="source disabled"))
    first, second = (json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines())
    assert first == {
        "kind": "alert",
        "channel": "console",
        "story": "7",
        "title": "SAG-AFTRA reaches a deal",
        "url": "https://variety.example/deal",
        "source": "Variety",
        "published": "2026-11-24T09:30:00+00:00",
        "summary": "The union and the studios agreed.",
        "watches": ["SAG-AFTRA", "WGA"],
        "watch_names": [None, None],
        "outlets": 2,
    }
    assert second == {"kind": "notice", "channel": target, "text": "source disabled"}


async def test_jsonl_writes_digests_with_outlet_counts(tmp_path: Path) -> None:
    target = f"jsonl:{tmp_path / 'out.jsonl'}"
    story = DigestStory(1, "Deal", "https://x.example/", "Variety", None, outlets=3)
    digest = Digest(
        channel=target,
        since=datetime(2026, 11, 23, tzinfo=UTC),
        until=datetime(2026, 11, 24, tzinfo=UTC),
        sections=(DigestSection("Unions", (story,), more=2, queries=("SAG-AFTRA", "WGA")),),
    )
    await JsonlAdapter(CONFIG).send(target, digest)
    record = json.loads((tmp_path / "out.jsonl").read_text())
    assert record["kind"] == "digest"
    assert (record["sections"][0]["watch"], record["sections"][0]["queries"]) == (
        "Unions",  # the watches' name, and the queries under it
        ["SAG-AFTRA", "WGA"],
    )
    assert record["sections"][0]["stories"][0]["outlets"] == 3
    assert record["sections"][0]["more"] == 2


async def test_jsonl_that_cannot_write_is_a_transient_delivery_error(tmp_path: Path) -> None:
    (tmp_path / "dir.jsonl").mkdir()
    with pytest.raises(DeliveryError) as caught:
        await JsonlAdapter(CONFIG).send(f"jsonl:{tmp_path / 'dir.jsonl'}", ALERT)
    assert caught.value.scope == "transient"


def test_adapters_are_loaded_by_name_from_the_registry() -> None:
    assert isinstance(load_adapter("jsonl", CONFIG), JsonlAdapter)
    assert isinstance(load_adapter("console", CONFIG), ConsoleAdapter)


async def test_jsonl_batch_that_fails_to_reach_the_disk_leaves_the_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import os

    target = f"jsonl:{tmp_path / 'out.jsonl'}"
    adapter = JsonlAdapter(CONFIG)
    await adapter.send(target, ALERT)
    before = (tmp_path / "out.jsonl").read_bytes()

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(DeliveryError, match="No space left"):
        await adapter.send_batch(target, [ALERT, ALERT])
    assert (tmp_path / "out.jsonl").read_bytes() == before  # no half batch, no torn line


async def test_jsonl_knows_which_cut_off_records_it_holds(tmp_path: Path) -> None:
    target = f"jsonl:{tmp_path / 'out.jsonl'}"
    adapter = JsonlAdapter(CONFIG)
    other = Alert(**{**ALERT.__dict__, "story_id": 8})
    notice = Notice(channel=target, text="hello")
    assert await adapter.delivered_already(target, [ALERT]) == [None]  # no file yet
    await adapter.send_batch(target, [ALERT, notice])
    renamed = Alert(**{**ALERT.__dict__, "title": "A better copy's title"})
    found = await adapter.delivered_already(target, [renamed, other, notice])
    assert found == [Sent(), None, Sent()]  # alerts by story, other records by their line
