"""The command line takes queries literally and options before or after the command
(SPEC Command line: everything after `add` is the query, `-golf` included)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import build_parser, split_watch_query


@pytest.mark.parametrize(
    ("argv", "head", "query"),
    [
        (["watch", "add", "SAG-AFTRA", "-golf"], ["watch", "add"], ["SAG-AFTRA", "-golf"]),
        (
            ["watch", "add", "--channel", "console", "Sora"],
            ["watch", "add", "--channel", "console"],
            ["Sora"],
        ),
        (
            ["watch", "add", "Sora", "--channel", "console"],
            ["watch", "add", "--channel", "console"],
            ["Sora"],
        ),
        (
            ["--config", "x.toml", "watch", "add", "-v", "WGA", "-golf", "-Association"],
            ["--config", "x.toml", "watch", "add", "-v"],
            ["WGA", "-golf", "-Association"],
        ),
        (["watch", "add", "--", "--channel", "x"], ["watch", "add"], ["--channel", "x"]),
        (["watch", "remove", "3"], ["watch", "remove"], ["3"]),
        (["watch", "pause"], ["watch", "pause"], []),
        (
            ["watch", "add", "--channel=console", "-x", "y"],
            ["watch", "add", "--channel=console"],
            ["-x", "y"],
        ),
    ],
)
def test_everything_after_the_watch_action_but_newswatch_options_is_the_query(
    argv: list[str], head: list[str], query: list[str]
) -> None:
    assert split_watch_query(argv) == (head, query)


@pytest.mark.parametrize("argv", [["poll", "--all"], ["sources"], ["watch"], ["watch", "nope"]])
def test_other_commands_are_left_to_argparse(argv: list[str]) -> None:
    assert split_watch_query(argv) == (argv, None)


@pytest.mark.parametrize(
    ("argv", "config", "verbose"),
    [
        (["sources", "--config", "X"], "X", False),
        (["--config", "X", "sources"], "X", False),
        (["poll", "-v"], None, True),
        (["-v", "poll"], None, True),
        (["--config", "A", "poll", "--all", "--config", "B"], "B", False),
    ],
)
def test_global_options_work_before_or_after_the_command(
    argv: list[str], config: str | None, verbose: bool
) -> None:
    args = build_parser().parse_args(argv)
    assert (args.config, args.verbose) == (config, verbose)


def test_watch_add_with_an_exclusion_works_from_the_shell(tmp_path: Path) -> None:
    (tmp_path / "newswatch.toml").write_text(
        '[[channels]]\ntarget = "console"\nwatchlists = []\n'
        '[[channels]]\ntarget = "jsonl:a.jsonl"\nwatchlists = []\n'
        '[[sources]]\nurl = "https://example.com/feed.xml"\n',
        encoding="utf-8",
    )

    def newswatch(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )

    added = newswatch("watch", "add", "SAG-AFTRA", "-golf")
    assert added.returncode == 0, added.stderr
    other = newswatch("watch", "add", "--channel", "jsonl:a.jsonl", "Sora")
    assert other.returncode == 0, other.stderr
    listed = newswatch("watch", "list")
    assert "SAG-AFTRA -golf" in listed.stdout and "Sora" not in listed.stdout
    assert "Sora" in newswatch("watch", "list", "--channel", "jsonl:a.jsonl").stdout
    paused = newswatch("watch", "pause")
    assert paused.returncode == 0 and "Paused 1" in paused.stdout
    assert "(paused)" in newswatch("watch", "list").stdout
