"""Every error line the CLI prints is terminal-safe (README "Output"): a key, a file path or a
value from a hostile config reaches the terminal as text, never as an escape sequence that
clears the screen or forges another line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_cli import newswatch

ESC = "\x1b[2J"
TOML_ESC = "\\u001b[2J"  # how a TOML string or quoted key writes ESC


def error_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.mark.parametrize(
    "toml",
    [
        f'"k{TOML_ESC}ey" = 1\n',
        f'[[sources]]\nurl = "https://a.example/feed"\n"s{TOML_ESC}ource" = 1\n',
        f'[[channels]]\ntarget = "console"\n"c{TOML_ESC}hannel" = 1\n',
        '[[channels]]\ntarget = "console"\nwatchlists = ["list.toml"]\n',
        f'[[channels]]\ntarget = "console"\nwatchlists = ["l{TOML_ESC}ist.toml"]\n',
    ],
    ids=["top-level key", "source key", "channel key", "watchlist key", "watchlist path"],
)
def test_a_config_error_line_carries_no_escape_sequence(tmp_path: Path, toml: str) -> None:
    (tmp_path / "list.toml").write_text(
        f'name = "l"\n[[watch]]\nquery = "Sora"\n"w{TOML_ESC}atch" = 1\n', encoding="utf-8"
    )
    bad_list = tmp_path / f"l{ESC}ist.toml"
    bad_list.write_text('name = "l"\nmissing_watches = 1\n', encoding="utf-8")
    config = tmp_path / "newswatch.toml"
    config.write_text(f'database = "nw.db"\n{toml}', encoding="utf-8")
    result = newswatch("--config", str(config), "sources", cwd=tmp_path)
    assert result.returncode == 2
    line = error_line(result.stderr)
    assert line.startswith("newswatch: ")
    assert "\x1b" not in line
    assert "[2J" in line  # the rest of the text is kept, so the user can find the key


def test_a_missing_config_path_is_printed_without_its_escape_sequence(tmp_path: Path) -> None:
    result = newswatch("--config", f"{ESC}dir/missing.toml", "sources", cwd=tmp_path)
    assert result.returncode == 2
    line = error_line(result.stderr)
    assert "\x1b" not in line
    assert "dir/missing.toml" in line


def test_an_error_line_cannot_forge_a_second_line(tmp_path: Path) -> None:
    result = newswatch("--config", "dir\nnewswatch: all fine.toml", "sources", cwd=tmp_path)
    assert result.returncode == 2
    assert "newswatch: all fine" in error_line(result.stderr)
