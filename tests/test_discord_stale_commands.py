"""A slash command newswatch cannot route (a stale registration: an old command, a missing
option, an unknown subcommand) gets a short ephemeral reply, and the log no traceback."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from adapters.discord_client import UNKNOWN_COMMAND
from tests.fakes.discord import FakeDiscord, option, sub
from tests.pipeline_helpers import Clock
from tests.test_discord_service import env, fake, started_app, write_config  # noqa: F401

STALE = [
    ("nosuchcmd", []),  # a command newswatch no longer registers
    ("watch", [sub("add")]),  # /watch add without its query
    ("watch", [sub("rename", query="x")]),  # a subcommand newswatch never had
    ("watch", []),  # the group with no subcommand
    ("digest", [option("window", 24)]),  # an option of the wrong type
]


@pytest.mark.parametrize(
    ("name", "options"),
    STALE,
    ids=["old-command", "add-without-query", "unknown-subcommand", "no-subcommand", "wrong-type"],
)
async def test_a_command_that_does_not_match_gets_a_short_ephemeral_reply(
    tmp_path: Path,
    fake: FakeDiscord,  # noqa: F811
    env: None,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
    name: str,
    options: list[dict[str, Any]],
) -> None:
    caplog.set_level(logging.INFO)
    app = await started_app(write_config(tmp_path, fake), Clock())
    try:
        callback = await fake.callback(await fake.slash(name, options))
    finally:
        await app.close()
    assert callback is not None
    assert callback["data"]["content"] == UNKNOWN_COMMAND
    assert int(callback["data"].get("flags") or 0) & 64  # ephemeral
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
