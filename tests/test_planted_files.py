"""Issue 11.6: links, FIFOs and devices planted where newswatch reads or writes its files.

A folder another user can write (/tmp) lets them put a symbolic link where the lock or a
jsonl file goes, or a FIFO or /dev/zero where a config or watchlist is read. newswatch
refuses each with one line that names the file, writes nothing through a link and never
hangs. Every case runs the real `newswatch` process, with a timeout, under a 1 GiB memory
limit so that reading /dev/zero fails fast instead of eating the machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from adapters.jsonl import JsonlAdapter, record_line
from bot.config import Config
from bot.deliver.model import Alert
from tests.feeds import Entry, rss
from tests.pipeline_helpers import HOUR, read_alerts, write_config

RSS = "application/rss+xml"
TIMEOUT = 60.0  # generous: a refused file answers in about a second; a hang never does
MEMORY = 1 << 30
PRECIOUS = "the victim's own text\n"


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def newswatch(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "HOME": str(cwd)},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        preexec_fn=_limit_memory,
    )


def plant(path: Path, kind: str, *, size: int = 0) -> Path:
    """Put a file of `kind` at `path`; returns the path newswatch will be given."""
    if kind == "a FIFO":
        os.mkfifo(path)
    elif kind == "a directory":
        path.mkdir()
    elif kind == "a character device":
        return Path("/dev/zero")
    elif kind == "too large":
        path.write_text("#" * size + "\n", encoding="utf-8")
    return path


def feed_with_a_match(feed_server: Any) -> str:
    entry = Entry("Sora goes public", "https://a.example/1", published=time.time() - HOUR)
    feed_server.add("/a.xml", body=rss([entry]), content_type=RSS)
    return str(feed_server.url("/a.xml"))


def refusal(path: Path | str, kind: str) -> str:
    if kind == "too large":
        return f"{path}: too large"
    return f"{path}: not a regular file ({kind})"


KINDS = ["a FIFO", "a character device", "a directory"]


@pytest.mark.parametrize("kind", [*KINDS, "too large"])
def test_a_config_that_is_not_a_small_regular_file_is_refused_with_its_name(
    tmp_path: Path, kind: str
) -> None:
    config = plant(tmp_path / "newswatch.toml", kind, size=1 << 20)
    result = newswatch("--config", str(config), "poll", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"newswatch: {refusal(config, kind)}")
    assert result.stderr.count("\n") == 1
    if kind == "too large":
        assert "(over 1 MiB)" in result.stderr


@pytest.mark.parametrize("kind", [*KINDS, "too large"])
def test_a_watchlist_that_is_not_a_small_regular_file_is_refused_naming_key_and_file(
    tmp_path: Path, kind: str
) -> None:
    config = write_config(tmp_path, watches=["Sora"])
    (tmp_path / "list.toml").unlink()
    watchlist = plant(tmp_path / "list.toml", kind, size=4 << 20)
    if watchlist != tmp_path / "list.toml":  # /dev/zero: name it in the config instead
        text = config.read_text(encoding="utf-8").replace('"list.toml"', f'"{watchlist}"')
        config.write_text(text, encoding="utf-8")
    result = newswatch("--config", str(config), "poll", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(
        f"newswatch: {config}: channels[0].watchlists[0]: {refusal(watchlist, kind)}"
    )
    if kind == "too large":
        assert "(over 4 MiB)" in result.stderr


@pytest.mark.parametrize("dangling", [False, True], ids=["to a file", "to nothing"])
def test_a_symlinked_lock_is_refused_and_nothing_is_written_through_it(
    tmp_path: Path, feed_server: Any, dangling: bool
) -> None:
    config = write_config(tmp_path, feeds=[feed_with_a_match(feed_server)], watches=["Sora"])
    victim = tmp_path / "victim"
    if not dangling:
        victim.write_text(PRECIOUS, encoding="utf-8")
    (tmp_path / "nw.db.lock").symlink_to(victim)
    result = newswatch("--config", str(config), "poll", cwd=tmp_path)
    assert result.returncode == 1
    assert f"{tmp_path / 'nw.db.lock'}: is a symbolic link" in result.stderr
    assert result.stderr.count("\n") == 1
    if dangling:
        assert not victim.exists()
    else:
        assert victim.read_text(encoding="utf-8") == PRECIOUS
    assert read_alerts(tmp_path) == []  # refused before anything ran


def test_a_hard_linked_lock_is_refused_and_its_other_name_untouched(tmp_path: Path) -> None:
    config = write_config(tmp_path, watches=["Sora"])
    victim = tmp_path / "victim"
    victim.write_text(PRECIOUS, encoding="utf-8")
    os.link(victim, tmp_path / "nw.db.lock")
    result = newswatch("--config", str(config), "poll", cwd=tmp_path)
    assert result.returncode == 1
    assert "nw.db.lock: has other hard links" in result.stderr
    assert victim.read_text(encoding="utf-8") == PRECIOUS


@pytest.mark.parametrize("dangling", [False, True], ids=["to a file", "to nothing"])
def test_a_symlinked_jsonl_target_stops_that_channel_only_and_writes_nothing_through_it(
    tmp_path: Path, feed_server: Any, dangling: bool
) -> None:
    config = write_config(
        tmp_path, feeds=[feed_with_a_match(feed_server)], watches=["Sora"], channels=2
    )
    victim = tmp_path / "victim"
    if not dangling:
        victim.write_text(PRECIOUS, encoding="utf-8")
    (tmp_path / "alerts0.jsonl").symlink_to(victim)
    polled = newswatch("--config", str(config), "poll", cwd=tmp_path)
    assert polled.returncode == 0, polled.stderr
    if dangling:
        assert not victim.exists()
    else:
        assert victim.read_text(encoding="utf-8") == PRECIOUS
    assert [a["title"] for a in read_alerts(tmp_path, channel=1)] == ["Sora goes public"]
    shown = newswatch("--config", str(config), "sources", cwd=tmp_path)
    assert (
        f"destination jsonl:alerts0.jsonl: stopped ({tmp_path / 'alerts0.jsonl'}: "
        "is a symbolic link; newswatch does not follow links here)"
    ) in shown.stdout
    assert "outbox: 1 pending" in shown.stdout  # kept for when the link is gone


def test_a_fifo_as_jsonl_target_stops_that_channel_without_stalling_the_others(
    tmp_path: Path, feed_server: Any
) -> None:
    config = write_config(
        tmp_path, feeds=[feed_with_a_match(feed_server)], watches=["Sora"], channels=2
    )
    os.mkfifo(tmp_path / "alerts0.jsonl")
    polled = newswatch("--config", str(config), "poll", cwd=tmp_path)
    assert polled.returncode == 0, polled.stderr
    assert [a["title"] for a in read_alerts(tmp_path, channel=1)] == ["Sora goes public"]
    shown = newswatch("--config", str(config), "sources", cwd=tmp_path)
    assert (
        f"destination jsonl:alerts0.jsonl: stopped "
        f"({tmp_path / 'alerts0.jsonl'}: not a regular file (a FIFO))"
    ) in shown.stdout


def test_a_fifo_planted_as_the_verified_marker_does_not_hang_a_command(tmp_path: Path) -> None:
    config = write_config(tmp_path, watches=["Sora"])
    assert newswatch("--config", str(config), "sources", cwd=tmp_path).returncode == 0
    marker = tmp_path / "nw.db.verified"
    marker.unlink()
    os.mkfifo(marker)
    result = newswatch("--config", str(config), "sources", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert marker.is_file()  # the FIFO was cleared and a real marker written at the close


def test_a_database_link_to_nothing_is_refused_and_nothing_created(tmp_path: Path) -> None:
    config = write_config(tmp_path, watches=["Sora"])
    elsewhere = tmp_path / "elsewhere.db"
    (tmp_path / "nw.db").symlink_to(elsewhere)
    result = newswatch("--config", str(config), "sources", cwd=tmp_path)
    assert result.returncode == 1
    assert f"newswatch: {tmp_path / 'nw.db'}: a symbolic link to nothing" in result.stderr
    assert not elsewhere.exists()


def test_a_database_linked_on_purpose_is_used_where_it_points(tmp_path: Path) -> None:
    config = write_config(tmp_path, watches=["Sora"])
    (tmp_path / "real").mkdir()
    assert newswatch("--config", str(config), "sources", cwd=tmp_path).returncode == 0
    (tmp_path / "nw.db").rename(tmp_path / "real" / "nw.db")
    (tmp_path / "nw.db").symlink_to(tmp_path / "real" / "nw.db")
    listed = newswatch("--config", str(config), "watch", "list", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "`Sora` #1 [file]" in listed.stdout


def test_a_database_link_to_a_file_that_is_not_a_newswatch_database_is_refused(
    tmp_path: Path,
) -> None:
    config = write_config(tmp_path, watches=["Sora"])
    victim = tmp_path / "victim"
    victim.write_bytes(b"")  # an empty file SQLite would happily fill
    (tmp_path / "nw.db").symlink_to(victim)
    result = newswatch("--config", str(config), "sources", cwd=tmp_path)
    assert result.returncode == 1
    assert f"{tmp_path / 'nw.db'}: a symbolic link to {victim}, which is not a newswatch" in (
        result.stderr
    )
    assert victim.read_bytes() == b""
    assert not (tmp_path / "victim.verified").exists()


def test_a_database_link_to_another_programs_sqlite_file_leaves_it_untouched(
    tmp_path: Path,
) -> None:
    config = write_config(tmp_path, watches=["Sora"])
    other = tmp_path / "other.sqlite"
    with contextlib.closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.commit()
    before = other.read_bytes()
    (tmp_path / "nw.db").symlink_to(other)
    result = newswatch("--config", str(config), "sources", cwd=tmp_path)
    assert result.returncode == 1
    assert "which is not a newswatch database of yours" in result.stderr
    assert other.read_bytes() == before


@pytest.mark.parametrize("name", ["nw.db", "nw.db-wal", "nw.db-shm"])
def test_a_fifo_as_the_database_or_its_wal_or_shm_is_refused(tmp_path: Path, name: str) -> None:
    config = write_config(tmp_path, watches=["Sora"])
    if name != "nw.db":
        assert newswatch("--config", str(config), "sources", cwd=tmp_path).returncode == 0
    os.mkfifo(tmp_path / name)
    result = newswatch("--config", str(config), "sources", cwd=tmp_path)
    assert result.returncode == 1
    assert f"newswatch: {tmp_path / name}: not a regular file (a FIFO)" in result.stderr


def test_a_symlinked_wal_is_refused_rather_than_silently_dropping_wal(tmp_path: Path) -> None:
    config = write_config(tmp_path, watches=["Sora"])
    assert newswatch("--config", str(config), "sources", cwd=tmp_path).returncode == 0
    victim = tmp_path / "victim"
    victim.write_text(PRECIOUS, encoding="utf-8")
    (tmp_path / "nw.db-wal").symlink_to(victim)
    result = newswatch("--config", str(config), "sources", cwd=tmp_path)
    assert result.returncode == 1
    assert f"{tmp_path / 'nw.db-wal'}: not a regular file (a symbolic link)" in result.stderr
    assert victim.read_text(encoding="utf-8") == PRECIOUS


@pytest.mark.parametrize("kind", ["a FIFO", "a symbolic link"])
async def test_a_planted_jsonl_file_is_never_taken_as_proof_of_delivery(
    tmp_path: Path, kind: str
) -> None:
    """A send cut off mid-way is looked up in the file; a FIFO there must not block that
    look-up, and another file's records seen through a link must not mark it sent."""
    alert = Alert("jsonl:out.jsonl", 7, "Sora goes public", None, "Variety", None, "", ("Sora",))
    target = tmp_path / "out.jsonl"
    if kind == "a FIFO":
        os.mkfifo(target)
    else:
        (tmp_path / "victim").write_text(record_line(alert), encoding="utf-8")
        target.symlink_to(tmp_path / "victim")
    adapter = JsonlAdapter(Config(path=tmp_path / "newswatch.toml", database=tmp_path / "nw.db"))
    found = await asyncio.wait_for(adapter.delivered_already(alert.channel, [alert]), TIMEOUT)
    assert found == [None]
