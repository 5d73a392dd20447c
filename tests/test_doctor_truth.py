"""`newswatch doctor` tells the truth (issue 15 item 9): no `ok` for a channel nobody checked,
a jsonl target it cannot append to, a Slack token without the manifest's scopes, and sources
probed at once under one deadline."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from adapters.jsonl import doctor_line
from adapters.slack import SlackAdapter
from bot.config import load_config
from bot.ops.doctor import run_doctor
from tests.fakes.discord import CHANNEL_ID, FakeDiscord
from tests.fakes.discord_payloads import BOT_TOKEN as DISCORD_TOKEN
from tests.fakes.slack import APP_TOKEN, BOT_TOKEN, SCOPES, SIGNING_SECRET, FakeSlack, free_port
from tests.feeds import Entry, rss

SLACK = "slack:C0NEWS"
READ = SCOPES + ",channels:read"
NO_PUBLIC = "chat:write,commands,channels:read"
UNKNOWN, HIDDEN = "discord:3999999999999999998", "discord:3999999999999999999"


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(scopes=READ) as fake:
        yield fake


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in (
        ("SLACK_BOT_TOKEN", BOT_TOKEN),
        ("SLACK_APP_TOKEN", APP_TOKEN),
        ("SLACK_SIGNING_SECRET", SIGNING_SECRET),
        ("DISCORD_BOT_TOKEN", DISCORD_TOKEN),
    ):
        monkeypatch.setenv(name, value)


def write_config(
    tmp_path: Path, *, channels: tuple[str, ...] = (), sources: tuple[str, ...] = (), **apis: str
) -> Path:
    (tmp_path / "list.toml").write_text('name = "t"\n[[watch]]\nquery = "Sora"\n')
    text = ['database = "nw.db"', "allow_private_networks = true"]
    text += [f'[[sources]]\nurl = "{url}"' for url in sources]
    text += [f'[[channels]]\ntarget = "{c}"\nwatchlists = ["list.toml"]' for c in channels]
    if "slack" in apis:
        text.append(f'[slack]\nmode = "http"\nport = {free_port()}\napi_url = "{apis["slack"]}"')
    if "discord" in apis:
        text.append(f'[discord]\napi_url = "{apis["discord"]}"')
    path = tmp_path / "newswatch.toml"
    path.write_text("\n".join(text) + "\n")
    return path


async def doctor(config: Path, capsys: pytest.CaptureFixture[str], **limits: float) -> list[str]:
    await run_doctor(load_config(str(config)), **limits)
    return capsys.readouterr().out.splitlines()


# -- jsonl ------------------------------------------------------------------------------------


def fifo(tmp_path: Path) -> Path:
    os.mkfifo(tmp_path / "pipe.jsonl")
    return tmp_path / "pipe.jsonl"


def link(tmp_path: Path) -> Path:
    (tmp_path / "real.jsonl").write_text("")
    (tmp_path / "link.jsonl").symlink_to(tmp_path / "real.jsonl")
    return tmp_path / "link.jsonl"


def folder(tmp_path: Path) -> Path:
    (tmp_path / "dir.jsonl").mkdir()
    return tmp_path / "dir.jsonl"


def under_a_file(tmp_path: Path) -> Path:
    (tmp_path / "file").write_text("")
    return tmp_path / "file" / "alerts.jsonl"


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (lambda _: Path("/proc/alerts.jsonl"), "/proc: cannot create a file here"),
        (fifo, "not a regular file (a FIFO)"),
        (link, "is a symbolic link"),
        (folder, "Is a directory"),
        (under_a_file, "alerts.jsonl: Not a directory - FAILED"),
    ],
    ids=["proc", "fifo", "link", "directory", "under-a-file"],
)
def test_a_jsonl_target_that_cannot_be_appended_to_fails(
    tmp_path: Path, make: Any, why: str
) -> None:
    path = make(tmp_path)
    line = doctor_line(f"jsonl:{path}", path)
    assert line.endswith("- FAILED") and why in line, line


def test_a_missing_jsonl_target_in_a_writable_folder_is_ok_and_not_created(tmp_path: Path) -> None:
    path = tmp_path / "new" / "alerts.jsonl"
    line = doctor_line(f"jsonl:{path}", path)
    assert line == f"jsonl: channel jsonl:{path}: ok (will create {path})"
    assert list(tmp_path.iterdir()) == []


def test_an_existing_jsonl_file_is_ok_and_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "alerts.jsonl"
    path.write_text('{"kind": "notice"}\n')
    assert "ok (appends to" in doctor_line(f"jsonl:{path}", path)
    assert path.read_text() == '{"kind": "notice"}\n'


async def test_doctor_fails_for_a_jsonl_target_under_proc(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = await doctor(write_config(tmp_path, channels=("jsonl:/proc/alerts.jsonl",)), capsys)
    about = [line for line in lines if "jsonl:/proc/alerts.jsonl" in line]
    assert about and all("FAILED" in line for line in about), lines


# -- channels nobody checked ------------------------------------------------------------------


async def test_a_discord_channel_discord_cannot_show_is_never_called_ok(
    tmp_path: Path, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    async with FakeDiscord() as fake:
        fake.refuse(HIDDEN.removeprefix("discord:"), status=403, code=50001)
        channels = (f"discord:{CHANNEL_ID}", UNKNOWN, HIDDEN)
        config = write_config(tmp_path, channels=channels, discord=fake.api_url)
        lines = await doctor(config, capsys)
    for target, why in (
        (UNKNOWN, "HTTP 404 Unknown Channel"),
        (HIDDEN, "HTTP 403 Missing Access"),
    ):
        about = [line for line in lines if target in line]
        assert about and all("FAILED" in line for line in about), (target, lines)
        assert any(why in line for line in about), (target, lines)
    assert any(f"discord:{CHANNEL_ID}" in line and "can post" in line for line in lines)


async def test_a_slack_channel_slack_cannot_find_is_never_called_ok(
    tmp_path: Path, env: None, slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    slack.refuse("C0GONE", "channel_not_found")
    config = write_config(tmp_path, channels=(SLACK, "slack:C0GONE"), slack=slack.base_url)
    lines = await doctor(config, capsys)
    about = [line for line in lines if "slack:C0GONE" in line]
    assert about and all("FAILED" in line for line in about), lines
    assert any(f"channel {SLACK} (#news-c0news): can post" in line for line in lines), lines
    assert [c.payload["channel"] for c in slack.calls_to("conversations.info")] == [
        "C0NEWS",
        "C0GONE",
    ]


@pytest.mark.parametrize(
    ("info", "scopes", "says"),
    [
        ({}, READ, "(#news-c0news): can post"),
        ({"is_member": False}, READ, "can post (public; the bot is not in it)"),
        ({"is_member": False}, NO_PUBLIC, "lacks chat:write.public - FAILED"),
        ({"is_private": True, "is_member": False}, READ, "the bot is not in it - FAILED"),
        ({"is_archived": True}, READ, "archived - FAILED"),
        ({}, SCOPES, "not checked (conversations.info needs channels:read)"),
    ],
    ids=["member", "public", "public-without-scope", "private", "archived", "no-channels-read"],
)
async def test_a_slack_channel_line_says_what_conversations_info_said(
    tmp_path: Path, env: None, slack: FakeSlack, info: dict[str, Any], scopes: str, says: str
) -> None:
    slack.channel_info["C0NEWS"] = info
    slack.scopes = scopes
    config = load_config(str(write_config(tmp_path, channels=(SLACK,), slack=slack.base_url)))
    lines = await SlackAdapter(config).doctor()
    [line] = [line for line in lines if SLACK in line]
    assert says in line, line
    assert ("FAILED" in line) == ("FAILED" in says), line


async def test_a_slack_token_without_chat_write_public_fails(
    tmp_path: Path, env: None, slack: FakeSlack
) -> None:
    slack.scopes = "chat:write,commands"
    config = load_config(str(write_config(tmp_path, channels=(SLACK,), slack=slack.base_url)))
    lines = await SlackAdapter(config).doctor()
    assert "slack: missing scopes chat:write.public - FAILED" in lines, lines


# -- sources ----------------------------------------------------------------------------------


async def test_stalled_sources_are_probed_at_once_and_reported_as_no_answer(
    tmp_path: Path, feed_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    body = rss([Entry("Sora", "https://a.example/1", published=0)])
    feed_server.add("/ok.xml", body=body, content_type="application/rss+xml")
    for path in ("/slow1.xml", "/slow2.xml"):
        feed_server.add(path, body=body, content_type="application/rss+xml", delay=3.0)
    urls = [feed_server.url(p) for p in ("/slow1.xml", "/ok.xml", "/slow2.xml")]
    lines = await doctor(write_config(tmp_path, sources=tuple(urls)), capsys, probe_timeout=0.5)
    sources = [line for line in lines if line.startswith("source ")]
    assert sources == [
        f"source {urls[0]}: FAILED: no answer within 0.5 s",
        f"source {urls[1]}: reachable (HTTP 200)",
        f"source {urls[2]}: FAILED: no answer within 0.5 s",
    ]
    assert feed_server.max_in_flight >= 2  # the stalled two were asked at once, not in turn


async def test_sources_still_out_at_the_deadline_are_reported_so(
    tmp_path: Path, feed_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    feed_server.add("/slow.xml", body=b"<rss/>", delay=3.0)
    url = feed_server.url("/slow.xml")
    lines = await doctor(write_config(tmp_path, sources=(url,)), capsys, deadline=0.3)
    assert f"source {url}: FAILED: no answer within 0.3 s" in lines
