"""Channel targets (SPEC "Configuration"): console | jsonl:PATH | slack:ID | discord:ID, split
in one place, and given back exactly as configured (the channel's name everywhere)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from bot.target import Target, TargetError
from tests.pipeline_helpers import write_config
from tests.test_cli import newswatch


@pytest.mark.parametrize(
    ("text", "platform", "address"),
    [
        ("console", "console", ""),
        ("jsonl:alerts.jsonl", "jsonl", "alerts.jsonl"),
        ("jsonl:out/alerts.jsonl", "jsonl", "out/alerts.jsonl"),
        ("jsonl:C:\\feeds\\a:b.jsonl", "jsonl", "C:\\feeds\\a:b.jsonl"),  # only the first colon
        ("jsonl:/var/lib/nw/12:30.jsonl", "jsonl", "/var/lib/nw/12:30.jsonl"),
        ("slack:C0123456789", "slack", "C0123456789"),
        ("discord:123456789012345678", "discord", "123456789012345678"),
    ],
)
def test_a_target_splits_into_platform_and_address_and_reads_back_exactly(
    text: str, platform: str, address: str
) -> None:
    target = Target.parse(text)
    assert (target.platform, target.address) == (platform, address)
    assert str(target) == text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "irc:#news",
        "Slack:C1",
        ":C1",
        "slack",
        "slack:",
        "discord:",
        "jsonl:",
        "jsonl",
        "console:",
        "console:x",
        " console",
    ],
)
def test_a_bad_target_is_refused_naming_it_and_the_forms(text: str) -> None:
    with pytest.raises(TargetError) as caught:
        Target.parse(text)
    assert str(caught.value) == f"{text!r} is not console | jsonl:PATH | slack:ID | discord:ID"
    assert isinstance(caught.value, ValueError)


def test_config_refuses_console_with_a_colon(tmp_path: Path) -> None:
    """`console:` would not read back as written, so it is no target (it once passed)."""
    path = tmp_path / "newswatch.toml"
    path.write_text('[[channels]]\ntarget = "console:"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(str(path), {})
    assert "channels[0].target: 'console:' is not console | jsonl:PATH" in str(caught.value)


def test_cli_channel_jsonl_without_a_path_is_refused(tmp_path: Path) -> None:
    """`--channel jsonl:` names no file: refused, never taken for the first jsonl channel."""
    config = ["--config", str(write_config(tmp_path, watches=["Sora"], channels=2))]
    listed = newswatch(*config, "watch", "list", "--channel", "jsonl:", cwd=tmp_path)
    assert listed.returncode == 2
    assert "--channel: 'jsonl:' is not console | jsonl:PATH" in listed.stderr


def test_cli_channel_jsonl_matches_a_configured_path_by_its_end(tmp_path: Path) -> None:
    config = ["--config", str(write_config(tmp_path, watches=["Sora"], channels=2))]
    second = ["--channel", "jsonl:alerts1.jsonl"]
    added = newswatch(*config, "watch", "add", "Kurosawa", *second, cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    assert "Kurosawa" in newswatch(*config, "watch", "list", *second, cwd=tmp_path).stdout
    assert "Kurosawa" not in newswatch(*config, "watch", "list", cwd=tmp_path).stdout
