"""A cron digest whose time passed with none posted (its leader died mid-way, or newswatch
was down) is posted at the next poll, once, within the hour; never a channel's first."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.store.channels import set_last_digest
from bot.store.db import transaction
from bot.store.watches import channel_id
from tests.pipeline_helpers import Clock, make_app, write_config

LEAP_NINE = datetime(2028, 2, 29, 9, 0, tzinfo=UTC).timestamp()  # "0 9 29 2 *" fires here
YEARS = LEAP_NINE - datetime(2024, 2, 29, 9, 0, 5, tzinfo=UTC).timestamp()


def digests(tmp_path: Path) -> list[dict[str, object]]:
    path = tmp_path / "alerts0.jsonl"
    if not path.exists():
        return []
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [record for record in records if record["kind"] == "digest"]


async def run_one_poll(
    tmp_path: Path, now: float, last: float | None, caplog: pytest.LogCaptureFixture
) -> None:
    """`run` for two polls (no sources, a schedule the real clock never meets meanwhile)."""
    config = write_config(tmp_path)
    text = config.read_text(encoding="utf-8").replace(
        'target = "jsonl:alerts0.jsonl"', 'target = "jsonl:alerts0.jsonl"\ndigest = "0 9 29 2 *"'
    )
    config.write_text('timezone = "UTC"\n' + text, encoding="utf-8")
    app = make_app(config, Clock(now))
    if last is not None:
        with transaction(app.db):
            set_last_digest(app.db, channel_id(app.db, "jsonl:alerts0.jsonl"), last)
    app.poll_tick = 0.1

    def polls_done() -> int:
        return sum(record.getMessage() == "poll done" for record in caplog.records)

    stop = asyncio.Event()
    service = asyncio.create_task(app.run_forever(stop))
    while polls_done() < 2:  # the first poll's catch-up is over once a second is done
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(service, 20)


@pytest.mark.parametrize(
    ("now", "last", "posted"),
    [
        (LEAP_NINE + 1800, LEAP_NINE - YEARS, 1),  # the last one four years ago: owed
        (LEAP_NINE + 30, LEAP_NINE - YEARS, 1),  # a leader died just as it fired
        (LEAP_NINE + 7200, LEAP_NINE - YEARS, 0),  # two hours late: the next one covers it
        (LEAP_NINE + 1800, LEAP_NINE + 3, 0),  # it went out
        (LEAP_NINE + 1800, None, 0),  # a new channel's first digest waits for its time
        (LEAP_NINE - 60, LEAP_NINE - YEARS, 0),  # not yet its time
    ],
)
async def test_a_missed_cron_digest_is_posted_once_at_the_next_poll(
    tmp_path: Path,
    now: float,
    last: float | None,
    posted: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="newswatch")
    await run_one_poll(tmp_path, now, last, caplog)
    assert len(digests(tmp_path)) == posted
