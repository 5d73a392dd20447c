"""A chat target's address in the config is that platform's id form (SPEC "Configuration"):
a Slack channel id is capital letters and digits, a Discord channel id is digits, so a pasted
escape sequence or a channel name is refused when the config loads, naming the entry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from bot.target import Target, TargetError


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("discord:1\x1b[2J", "a Discord channel id (digits)"),
        ("discord:#news", "a Discord channel id (digits)"),
        ("discord:12a", "a Discord channel id (digits)"),
        ("discord:\u00b2", "a Discord channel id (digits)"),  # isdigit() says yes
        ("discord:\u0661\u0662", "a Discord channel id (digits)"),  # Arabic-Indic digits
        ("slack:C1\x1b[2J", "a Slack channel id (capital letters and digits)"),
        ("slack:#general", "a Slack channel id (capital letters and digits)"),
        ("slack:c0123", "a Slack channel id (capital letters and digits)"),
        ("slack:C01 23", "a Slack channel id (capital letters and digits)"),
        ("slack:C1\n", "a Slack channel id (capital letters and digits)"),
    ],
)
def test_a_configured_chat_target_must_be_the_platforms_id_form(text: str, why: str) -> None:
    with pytest.raises(TargetError) as caught:
        Target.configured(text)
    assert str(caught.value) == f"{text!r} is not {why}"


@pytest.mark.parametrize(
    "text",
    ["slack:C0123456789", "slack:T1", "discord:123456789012345678", "console", "jsonl:a b.jsonl"],
)
def test_a_configured_target_of_the_right_form_reads_back_exactly(text: str) -> None:
    assert str(Target.configured(text)) == text


def test_config_refuses_a_discord_target_with_an_escape_sequence(tmp_path: Path) -> None:
    path = tmp_path / "newswatch.toml"
    target = json.dumps("discord:1\x1b[2J")
    path.write_text(f"[[channels]]\ntarget = {target}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(str(path), {})
    assert "channels[0].target: 'discord:1\\x1b[2J' is not a Discord channel id" in str(
        caught.value
    )
