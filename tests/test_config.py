"""SPEC "Configuration": lookup order, defaults, relative paths, secrets, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, find_config_path, load_config

WATCHLIST = 'name = "Test"\n[[watch]]\nquery = "Sora"\n'


def write(tmp_path: Path, text: str, name: str = "newswatch.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_explicit_path_wins_over_environment(tmp_path: Path) -> None:
    env = {"NEWSWATCH_CONFIG": str(tmp_path / "env.toml")}
    assert find_config_path(str(tmp_path / "cli.toml"), env) == tmp_path / "cli.toml"


def test_environment_variable_is_used_without_explicit_path(tmp_path: Path) -> None:
    env = {"NEWSWATCH_CONFIG": str(tmp_path / "env.toml")}
    assert find_config_path(None, env) == tmp_path / "env.toml"


def test_local_newswatch_toml_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "")
    assert find_config_path(None, {}) == Path("newswatch.toml")


def test_no_file_at_all_runs_the_builtin_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config(None, {})
    assert config.path is None
    assert config.database == tmp_path / "newswatch.db"
    assert [c.target for c in config.channels] == ["console"]
    assert config.channels[0].watchlists[0].path.name == "default.toml"
    assert any(s.search and "{query}" in s.search for s in config.sources)
    assert (config.poll_interval, config.backfill, config.max_age) == (300, 86400, 7 * 86400)


def test_relative_paths_resolve_from_the_files_folder(tmp_path: Path) -> None:
    folder = tmp_path / "conf"
    (folder / "lists").mkdir(parents=True)
    write(folder / "lists", WATCHLIST, "mine.toml")
    path = write(
        folder,
        'database = "data/nw.db"\n[[channels]]\ntarget = "jsonl:out/alerts.jsonl"\n'
        'watchlists = ["lists/mine.toml"]\n',
    )
    config = load_config(str(path), {})
    assert config.database == folder / "data" / "nw.db"
    assert config.channels[0].target == "jsonl:out/alerts.jsonl"  # the channel as written
    assert config.jsonl_path(config.channels[0].target) == folder / "out" / "alerts.jsonl"
    assert config.channels[0].watchlists[0].queries == ("Sora",)


def test_durations_are_read_in_every_unit(tmp_path: Path) -> None:
    path = write(tmp_path, 'poll_interval = "30s"\nbackfill = "2h"\nmax_age = "7d"\n')
    config = load_config(str(path), {})
    assert (config.poll_interval, config.backfill, config.max_age) == (30, 7200, 604800)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("colour = 1\n", "colour: unknown key"),
        ('poll_interval = "5 minutes"\n', "poll_interval: bad duration"),
        ('backfill = "1w"\n', "backfill: bad duration"),
        ("allow_private_networks = 1\n", "allow_private_networks: must be true or false"),
        ('[[sources]]\nurl = "ftp://example.com/feed"\n', "sources[0].url:"),
        ('[[sources]]\nsearch = "https://news.example/?q=x"\n', "sources[0].search: a search"),
        ('[[sources]]\nurl = "https://a.example/"\nfeed = 1\n', "sources[0].feed: unknown key"),
        ('[[channels]]\ntarget = "irc:#news"\n', "channels[0].target:"),
        ('[[channels]]\ntarget = "console"\ndigest = "at nine"\n', "channels[0].digest: bad cron"),
        ('[[channels]]\ntarget = "console"\ndigest = "@often"\n', "channels[0].digest: bad cron"),
        ('timezone = "Mars/Olympus"\n', "timezone: unknown time zone 'Mars/Olympus'"),
        ('timezone = ""\n', "timezone: unknown time zone ''"),
        ('timezone = "../../etc/passwd"\n', "timezone: unknown time zone"),
        ('timezone = "/etc/localtime"\n', "timezone: unknown time zone"),
        ('timezone = "Europe"\n', "timezone: unknown time zone 'Europe'"),
        ('timezone = "localtime"\n', "timezone: unknown time zone 'localtime'"),
        ("timezone = 1\n", "timezone:"),
        ('[[channels]]\ntarget = "console"\nwatchlists = ["nope"]\n', "channels[0].watchlists[0]:"),
        ('[slack]\nmode = "rtm"\n', "slack.mode:"),
        ('[slack]\ntoken = "x"\n', "slack.token: unknown key"),
        ('[discord]\nproxy = "x"\n', "discord.proxy: unknown key"),
        ("database = [\n", "not valid TOML"),
    ],
)
def test_each_mistake_names_the_file_and_the_key(tmp_path: Path, text: str, where: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(str(path), {})
    message = str(caught.value)
    assert message.startswith(str(path))
    assert where in message
    assert "\n" not in message


def test_a_bad_query_in_a_watchlist_names_the_watchlist_and_the_watch(tmp_path: Path) -> None:
    write(tmp_path, '[[watch]]\nquery = "Sora"\n[[watch]]\nquery = "\\"unclosed"\n', "bad.toml")
    path = write(tmp_path, '[[channels]]\ntarget = "console"\nwatchlists = ["bad.toml"]\n')
    with pytest.raises(ConfigError) as caught:
        load_config(str(path), {})
    assert "channels[0].watchlists[0]" in str(caught.value)
    assert "bad.toml: watch[1].query" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "env", "needed"),
    [
        ('[[channels]]\ntarget = "slack:C1"\n', {}, "SLACK_BOT_TOKEN"),
        ('[[channels]]\ntarget = "slack:C1"\n', {"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_APP_TOKEN"),
        (
            '[slack]\nmode = "http"\n[[channels]]\ntarget = "slack:C1"\n',
            {"SLACK_BOT_TOKEN": "xoxb-1"},
            "SLACK_SIGNING_SECRET",
        ),
        ('[[channels]]\ntarget = "discord:123"\n', {}, "DISCORD_BOT_TOKEN"),
    ],
)
def test_a_missing_token_for_a_configured_adapter_stops_start_up(
    tmp_path: Path, text: str, env: dict[str, str], needed: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=needed):
        load_config(str(path), env)


def test_tokens_in_the_file_are_refused_as_unknown_keys(tmp_path: Path) -> None:
    path = write(tmp_path, '[discord]\ntoken = "abc"\n')
    with pytest.raises(ConfigError, match=r"discord\.token: unknown key"):
        load_config(str(path), {})


def test_a_file_without_sources_or_channels_keeps_the_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, 'poll_interval = "10m"\n')
    config = load_config(str(path), {})
    assert config.sources and config.channels[0].target == "console"


@pytest.mark.parametrize(
    ("text", "zone"), [("", "UTC"), ('timezone = "Europe/Paris"\n', "Europe/Paris")]
)
def test_the_timezone_is_an_iana_name_utc_when_left_out(
    tmp_path: Path, text: str, zone: str
) -> None:
    config = load_config(str(write(tmp_path, text)), {})
    assert (config.timezone, str(config.zone)) == (zone, zone)


@pytest.mark.parametrize("digest", ["@daily", "@hourly", "@weekly", "@DAILY", "0 9 * * mon-fri"])
def test_cron_aliases_and_crontab_strings_are_accepted(tmp_path: Path, digest: str) -> None:
    path = write(tmp_path, f'[[channels]]\ntarget = "console"\ndigest = "{digest}"\n')
    assert load_config(str(path), {}).channels[0].digest == digest
