"""The shipped example config is a real, loadable config: a newcomer can copy it as is."""

from __future__ import annotations

import re
from pathlib import Path

from bot.config import load_config

EXAMPLE = Path(__file__).resolve().parent.parent / "newswatch.example.toml"


def test_the_example_config_loads_without_any_token() -> None:
    config = load_config(str(EXAMPLE), {})
    assert [channel.target for channel in config.channels] == ["console", "jsonl:alerts.jsonl"]
    assert config.poll_interval == 300.0
    assert any(source.search for source in config.sources)


def test_every_commented_key_of_the_example_is_a_key_newswatch_knows(tmp_path: Path) -> None:
    """Uncommenting the Slack and Discord parts gives a config that loads (tokens aside)."""
    text = EXAMPLE.read_text(encoding="utf-8")
    setting = re.compile(r"^# (\[\[?[a-z]+\]\]?$|[a-z_]+ = )")
    uncommented = "\n".join(line[2:] if setting.match(line) else line for line in text.splitlines())
    path = tmp_path / "newswatch.toml"
    path.write_text(uncommented, encoding="utf-8")
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "DISCORD_BOT_TOKEN": "x"}
    config = load_config(str(path), env)
    assert {channel.platform for channel in config.channels} >= {"slack", "discord"}
