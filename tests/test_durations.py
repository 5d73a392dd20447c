"""Durations as users write them (SPEC "Configuration", "Chat commands"): absurd ones get a
clear limit, never an overflow; a digest window is at most 7d."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.chat.commands import Command, handle
from bot.config import ConfigError, load_config
from bot.durations import MAX_DURATION, parse_duration
from bot.store.db import Store, open_db

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30.0), ("5m", 300.0), ("2h", 7200.0), ("7d", 604800.0), (" 10 s ", 10.0)],
)
def test_durations_are_a_number_and_a_unit(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "text", ["99999999999d", "36501d", "9" * 400 + "s", "3153600001s", "876001h"]
)
def test_an_absurdly_long_duration_is_refused_with_the_limit(text: str) -> None:
    with pytest.raises(ValueError, match="a duration is at most 36500d"):
        parse_duration(text)


def test_the_longest_duration_is_accepted() -> None:
    assert parse_duration("36500d") == MAX_DURATION


@pytest.fixture
def db(tmp_path: Path) -> Store:
    return open_db(tmp_path / "nw.db")


@pytest.mark.parametrize("window", ["99999999999d", "8d", "169h", "9" * 400 + "s"])
def test_a_digest_window_over_7d_is_refused_with_the_limit(db: Store, window: str) -> None:
    reply = handle(db, Command("digest", window, "slack:C1", "U1", False), NOW)
    assert not reply.ok and reply.digest is None
    assert "a digest window is at most 7d" in reply.text


@pytest.mark.parametrize("window", ["7d", "168h", "1s"])
def test_a_digest_window_up_to_7d_is_a_digest(db: Store, window: str) -> None:
    reply = handle(db, Command("digest", window, "slack:C1", "U1", False), NOW)
    assert reply.ok and reply.digest is not None


@pytest.mark.parametrize("key", ["poll_interval", "backfill", "max_age", "retention"])
def test_an_overflowing_config_duration_stops_start_up_naming_the_key(
    tmp_path: Path, key: str
) -> None:
    path = tmp_path / "newswatch.toml"
    path.write_text(f'{key} = "{"9" * 400}s"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(str(path), {})
    assert key in str(caught.value) and "at most 36500d" in str(caught.value)


def test_the_command_line_digest_refuses_a_window_over_7d(tmp_path: Path) -> None:
    from tests.pipeline_helpers import write_config
    from tests.test_cli import newswatch

    config = write_config(tmp_path, watches=["Sora"])
    result = newswatch("--config", str(config), "digest", "--since", "99999999999d", cwd=tmp_path)
    assert result.returncode == 2
    assert "--since: a digest window is at most 7d" in result.stderr
    assert "Traceback" not in result.stderr
