"""SPEC "Command line": the real `newswatch` process, its output and exit codes (the poll,
watch, sources and digest commands on SQLite and on PostgreSQL)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.feeds import Entry, rss
from tests.pipeline_helpers import HOUR, read_alerts, write_config

RSS = "application/rss+xml"


def newswatch(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd)}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_poll_across_three_polls_alerts_new_stories_once(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    now = time.time()
    first = [
        Entry("Sora goes public", "https://a.example/1", published=now - HOUR),
        Entry("Golf news", "https://a.example/2", published=now - HOUR),
    ]
    feed_server.add("/a.xml", body=rss(first), content_type=RSS, etag='"1"')
    feed_server.add(
        "/b.xml",
        body=rss([Entry("WGA statement", "https://b.example/1", published=now - HOUR)]),
        content_type=RSS,
        etag='"b"',
    )
    config = write_config(
        tmp_path,
        database=database,
        feeds=[feed_server.url("/a.xml"), feed_server.url("/b.xml")],
        watches=["Sora", "WGA"],
    )
    run1 = newswatch("--config", str(config), "poll", "--all", cwd=tmp_path)
    assert run1.returncode == 0, run1.stderr
    assert sorted(a["title"] for a in read_alerts(tmp_path)) == [
        "Sora goes public",
        "WGA statement",
    ]

    changed = [*first, Entry("Sora adds sound", "https://a.example/3", published=now)]
    feed_server.add("/a.xml", body=rss(changed), content_type=RSS, etag='"2"')
    run2 = newswatch("--config", str(config), "poll", "--all", cwd=tmp_path)
    assert run2.returncode == 0, run2.stderr
    assert [a["title"] for a in read_alerts(tmp_path)][2:] == ["Sora adds sound"]
    b_requests = [r for r in feed_server.requests if r.path == "/b.xml"]
    assert b_requests[-1].headers.get("If-None-Match") == '"b"'

    run3 = newswatch("--config", str(config), "poll", "--all", cwd=tmp_path)
    assert run3.returncode == 0, run3.stderr
    assert len(read_alerts(tmp_path)) == 3
    assert "2 unchanged" in run3.stderr


def test_bad_config_exits_2_with_one_line_naming_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "newswatch.toml").write_text('poll_interval = "soon"\n')
    result = newswatch("poll", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "newswatch.toml: poll_interval: bad duration" in result.stderr


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    assert newswatch("frobnicate", cwd=tmp_path).returncode == 2


def test_watch_add_list_and_remove_from_the_command_line(tmp_path: Path, database: str) -> None:
    config = write_config(tmp_path, database=database, watches=["Sora"])
    added = newswatch(
        "--config", str(config), "watch", "add", "strik*", "actors", "OR", "writers", cwd=tmp_path
    )
    assert added.returncode == 0, added.stderr
    assert "Watching #2" in added.stdout
    listed = newswatch("--config", str(config), "watch", "list", cwd=tmp_path)
    assert (
        "`Sora` #1 [file]" in listed.stdout
        and "`strik* actors OR writers` #2 [chat]" in listed.stdout
    )
    refused = newswatch("--config", str(config), "watch", "remove", "Sora", cwd=tmp_path)
    assert refused.returncode == 2 and "list.toml" in refused.stderr
    removed = newswatch("--config", str(config), "watch", "remove", "#2", cwd=tmp_path)
    assert removed.returncode == 0 and "Removed #2" in removed.stdout


def test_a_broken_query_is_refused_with_a_pointer(tmp_path: Path) -> None:
    config = write_config(tmp_path, watches=["Sora"])
    result = newswatch("--config", str(config), "watch", "add", '"SAG-AFTRA', cwd=tmp_path)
    assert result.returncode == 2
    assert "^" in result.stderr and "quote" in result.stderr


def test_sources_shows_status_failures_and_the_outbox(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    feed_server.add("/bad.xml", body=b"nope", status=503)
    config = write_config(
        tmp_path, database=database, feeds=[feed_server.url("/bad.xml")], watches=["Sora"]
    )
    newswatch("--config", str(config), "poll", "--all", cwd=tmp_path)
    result = newswatch("--config", str(config), "sources", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "failed" in result.stdout and "HTTP 503" in result.stdout
    assert "outbox: 0 pending" in result.stdout


def test_digest_prints_stories_grouped_by_watch_with_outlet_counts(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    now = time.time()
    feed_server.add(
        "/a.xml",
        body=rss(
            [Entry("Sora opens up", "https://x.example/s", published=now - HOUR)], title="Outlet A"
        ),
        content_type=RSS,
    )
    feed_server.add(
        "/b.xml",
        body=rss(
            [Entry("Sora opens up", "https://x.example/s?utm_source=b", published=now - HOUR)],
            title="Outlet B",
        ),
        content_type=RSS,
    )
    config = write_config(
        tmp_path,
        database=database,
        feeds=[feed_server.url("/a.xml"), feed_server.url("/b.xml")],
        watches=["Sora"],
    )
    newswatch("--config", str(config), "poll", "--all", cwd=tmp_path)
    result = newswatch("--config", str(config), "digest", "--since", "24h", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "  Sora\n    - Sora opens up" in result.stdout
    assert "2 outlets" in result.stdout


def test_digest_post_writes_a_digest_record(
    tmp_path: Path, feed_server: Any, database: str
) -> None:
    config = write_config(tmp_path, database=database, watches=["Sora"])
    result = newswatch("--config", str(config), "digest", "--post", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    [record] = read_alerts(tmp_path)
    assert record["kind"] == "digest" and record["sections"] == []


def test_demo_prints_alerts_from_the_seed_feeds(tmp_path: Path) -> None:
    result = newswatch("demo", cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "First poll:" in result.stdout and "watches: " in result.stdout
    assert "304 Not Modified" in result.stdout
    assert "\u202e" not in result.stdout  # a seed title carries an RTL override
