"""Issue 11.7: the files newswatch creates hold watches and history, so they are 0600.

Under the common umask 022 a plain create gives 0644, readable by every local user. New
files are created 0600 (SQLite gives the -wal and -shm its database's mode); a file that
already exists keeps the mode its owner gave it.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.store.db import close_db, open_db
from tests.feeds import Entry, rss
from tests.pipeline_helpers import HOUR, read_alerts, write_config

RSS = "application/rss+xml"


def newswatch(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "HOME": str(cwd)},
        capture_output=True,
        text=True,
        timeout=60,
        umask=0o022,
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def poll_with_one_alert(tmp_path: Path, feed_server: Any) -> None:
    entry = Entry("Sora goes public", "https://a.example/1", published=time.time() - HOUR)
    feed_server.add("/a.xml", body=rss([entry]), content_type=RSS)
    config = write_config(tmp_path, feeds=[feed_server.url("/a.xml")], watches=["Sora"])
    result = newswatch("--config", str(config), "poll", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(read_alerts(tmp_path)) == 1


@pytest.mark.parametrize("name", ["nw.db", "nw.db.lock", "nw.db.verified", "alerts0.jsonl"])
def test_files_a_poll_creates_are_private_under_umask_022(
    tmp_path: Path, feed_server: Any, name: str
) -> None:
    poll_with_one_alert(tmp_path, feed_server)
    assert mode(tmp_path / name) == 0o600


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_a_new_database_its_wal_and_shm_are_private_while_open(
    tmp_path: Path, umask_022: None, suffix: str
) -> None:
    path = tmp_path / "nw.db"
    db = open_db(path)
    try:
        db.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')")
        assert mode(Path(f"{path}{suffix}")) == 0o600
    finally:
        close_db(db, path)


def test_an_existing_database_keeps_its_mode_and_lends_it_to_its_wal(
    tmp_path: Path, umask_022: None
) -> None:
    path = tmp_path / "nw.db"
    path.touch()
    path.chmod(0o640)  # the owner shares it with a group on purpose
    db = open_db(path)
    try:
        db.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')")
        assert (mode(path), mode(Path(f"{path}-wal"))) == (0o640, 0o640)
    finally:
        close_db(db, path)


def test_an_existing_jsonl_file_keeps_its_mode(tmp_path: Path, feed_server: Any) -> None:
    (tmp_path / "alerts0.jsonl").touch()
    (tmp_path / "alerts0.jsonl").chmod(0o644)
    poll_with_one_alert(tmp_path, feed_server)
    assert mode(tmp_path / "alerts0.jsonl") == 0o644
