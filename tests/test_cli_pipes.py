"""`newswatch sources | head -1` ends quietly: a reader that closes the pipe is no error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_a_closed_pipe_ends_sources_quietly(tmp_path: Path) -> None:
    sources = "".join(f'[[sources]]\nurl = "https://example.com/{n}.xml"\n' for n in range(2000))
    (tmp_path / "newswatch.toml").write_text(
        '[[channels]]\ntarget = "console"\nwatchlists = []\n' + sources, encoding="utf-8"
    )
    newswatch = subprocess.Popen(  # far more than a pipe buffer holds (about 200 KB)
        [sys.executable, "-m", "bot", "sources"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert newswatch.stdout is not None and newswatch.stderr is not None
    first = newswatch.stdout.readline()
    newswatch.stdout.close()  # as `head -1` does
    stderr = newswatch.stderr.read().decode()
    assert newswatch.wait(timeout=120) == 0, stderr
    assert b"source" in first
    assert stderr == ""
