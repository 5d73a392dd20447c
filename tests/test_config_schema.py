"""SPEC "Configuration" and "Watchlists and watches", checked by the declared schema: every
wrong type, unknown key and missing key is one line `file: key: what is wrong`, and a watch's
optional name and notify are checked at start and kept on the loaded watches."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from bot.match.watchlists import WatchlistError, load_watchlist

TOP_KNOWN = (
    "alerts, allow_private_networks, backfill, channels, database, discord, lease, "
    "max_age, poll_interval, retention, slack, sources, timezone"
)
TARGETS = "console | jsonl:PATH | slack:ID | discord:ID"
ENV = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "DISCORD_BOT_TOKEN": "d"}


def refusal(tmp_path: Path, text: str) -> str:
    """The one line start-up stops with, less the file's name in front."""
    path = tmp_path / "newswatch.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(str(path), ENV)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    return message.removeprefix(f"{path}: ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("colour = 1\n", f"colour: unknown key (known: {TOP_KNOWN})"),
        (
            '[[sources]]\nurl = "https://a.example/"\nfeed = 1\n',
            "sources[0].feed: unknown key (known: search, url)",
        ),
        (
            '[[channels]]\ntarget = "console"\ncolour = 1\n',
            "channels[0].colour: unknown key (known: digest, target, watchlists)",
        ),
        (
            '[slack]\ntoken = "x"\n',
            "slack.token: unknown key (known: api_url, host, managers, mode, port)",
        ),
        ('[discord]\nproxy = "x"\n', "discord.proxy: unknown key (known: api_url, gateway_url)"),
        (
            '[slack]\n"a\\nb" = 1\n',
            "slack.'a\\nb': unknown key (known: api_url, host, managers, mode, port)",
        ),
    ],
    ids=["top", "sources", "channels", "slack", "discord", "a key with a line break"],
)
def test_an_unknown_key_in_any_table_is_named_with_the_known_ones(
    tmp_path: Path, text: str, expected: str
) -> None:
    assert refusal(tmp_path, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("database = 1\n", "database: must be a file path or a postgresql:// URL, not 1"),
        ("poll_interval = 5\n", "poll_interval: must be a duration like 30s, 5m, 2h or 7d, not 5"),
        (
            'backfill = ["1h"]\n',
            "backfill: must be a duration like 30s, 5m, 2h or 7d, not an array",
        ),
        ("allow_private_networks = 1\n", "allow_private_networks: must be true or false, not 1"),
        (
            'allow_private_networks = "yes"\n',
            "allow_private_networks: must be true or false, not 'yes'",
        ),
        ("[[sources]]\nurl = 3\n", "sources[0].url: must be a feed URL, not 3"),
        ("[[channels]]\ntarget = 1\n", f"channels[0].target: must be {TARGETS}, not 1"),
        (
            '[[channels]]\ntarget = "console"\ndigest = 9\n',
            'channels[0].digest: must be a cron string like "0 9 * * *", not 9',
        ),
        ("[slack]\nport = true\n", "slack.port: must be a port number, not true"),
        ('[slack]\nport = "3000"\n', "slack.port: must be a port number, not '3000'"),
        ("[slack]\nport = 0\n", "slack.port: must be a port number, not 0"),
        ("[slack]\nport = 65536\n", "slack.port: must be a port number, not 65536"),
        ("[slack]\nmode = 1\n", "slack.mode: must be socket or http, not 1"),
        ('[slack]\nmode = "rtm"\n', "slack.mode: must be socket or http, not 'rtm'"),
        (
            "[slack]\nhost = 3000\n",
            'slack.host: must be an IP address or a host name ("0.0.0.0"), not 3000',
        ),
        (
            "[discord]\napi_url = 1979-05-27\n",
            "discord.api_url: must be a string, not a date or time",
        ),
    ],
)
def test_a_value_of_the_wrong_type_or_range_names_the_key_and_the_value(
    tmp_path: Path, text: str, expected: str
) -> None:
    assert refusal(tmp_path, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'sources = {url = "x"}\n',
            "sources: must be an array of tables ([[sources]]), not a table",
        ),
        ("sources = [1]\n", "sources: must be an array of tables ([[sources]]); sources[0] is 1"),
        (
            'channels = "console"\n',
            "channels: must be an array of tables ([[channels]]), not 'console'",
        ),
        (
            '[[channels]]\ntarget = "console"\nwatchlists = "default"\n',
            "channels[0].watchlists: must be a list of names or paths, not 'default'",
        ),
        (
            '[[channels]]\ntarget = "console"\nwatchlists = {a = 1}\n',
            "channels[0].watchlists: must be a list of names or paths, not a table",
        ),
        (
            '[[channels]]\ntarget = "console"\nwatchlists = ["default", 1]\n',
            "channels[0].watchlists: must be a list of names or paths; "
            "channels[0].watchlists[1] is 1",
        ),
        ("slack = 1\n", "slack: must be a table, not 1"),
        ("discord = []\n", "discord: must be a table, not an array"),
        (
            '[slack]\nmanagers = ["U1", 2]\n',
            "slack.managers: must be a list of user ids; slack.managers[1] is 2",
        ),
    ],
)
def test_a_table_where_a_list_is_wanted_and_back_is_refused(
    tmp_path: Path, text: str, expected: str
) -> None:
    assert refusal(tmp_path, text) == expected


def test_a_channel_without_a_target_is_told_the_forms(tmp_path: Path) -> None:
    text = '[[channels]]\ndigest = "0 9 * * *"\n'
    assert refusal(tmp_path, text) == f"channels[0].target: required: {TARGETS}"


def test_a_key_that_spells_a_path_is_named_as_written(tmp_path: Path) -> None:
    """A quoted key cannot pass itself off as a key of another table."""
    text = '"x` - at `$.slack" = 1\n'
    assert refusal(tmp_path, text) == f"'x` - at `$.slack': unknown key (known: {TOP_KNOWN})"


def write_list(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "team.toml"
    path.write_text(text, encoding="utf-8")
    return path


def list_refusal(tmp_path: Path, text: str) -> str:
    path = write_list(tmp_path, text)
    with pytest.raises(WatchlistError) as caught:
        load_watchlist(str(path), tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    return message.removeprefix(f"{path}: ")


ANY_MENTION = "(Slack: @here, @channel, <!subteam^ID>, <@U...>; Discord: @here, <@&ROLE>, <@USER>)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("colour = 1\n", "colour: unknown key (known: name, watch)"),
        ("name = 3\n", "name: must be a string, not 3"),
        ('watch = {query = "x"}\n', "watch: must be an array of tables ([[watch]]), not a table"),
        ("watch = [1]\n", "watch: must be an array of tables ([[watch]]); watch[0] is 1"),
        (
            '[[watch]]\nquery = "x"\nping = "@here"\n',
            "watch[0].ping: unknown key (known: name, notify, query)",
        ),
        ('[[watch]]\nname = "Sora"\n', "watch[0].query: required: a query string"),
        (
            '[[watch]]\nquery = "x"\n[[watch]]\nquery = 3\n',
            "watch[1].query: must be a query string, not 3",
        ),
        ('[[watch]]\nquery = "x"\nname = 3\n', "watch[0].name: must be a string, not 3"),
        ('[[watch]]\nquery = "x"\nname = " \\u200b "\n', "watch[0].name: must not be empty"),
        (
            f'[[watch]]\nquery = "x"\nname = "{"n" * 81}"\n',
            "watch[0].name: at most 80 characters, not 81",
        ),
        (
            '[[watch]]\nquery = "x"\nnotify = ["@here"]\n',
            'watch[0].notify: must be a mention string like "@here", not an array',
        ),
        (
            '[[watch]]\nquery = "x"\nnotify = "@everyone"\n',
            f"watch[0].notify: '@everyone' is not a mention {ANY_MENTION}",
        ),
        (
            '[[watch]]\nquery = "x"\nnotify = "here"\n',
            f"watch[0].notify: 'here' is not a mention {ANY_MENTION}",
        ),
        (
            '[[watch]]\nquery = "x"\nnotify = "<@U1> @here"\n',
            f"watch[0].notify: '<@U1> @here' is not a mention {ANY_MENTION}",
        ),
    ],
)
def test_a_watchlist_mistake_names_the_file_and_the_key(
    tmp_path: Path, text: str, expected: str
) -> None:
    assert list_refusal(tmp_path, text) == expected


def test_a_watch_keeps_its_name_cleaned_and_its_notify(tmp_path: Path) -> None:
    path = write_list(
        tmp_path,
        '[[watch]]\nquery = "Sora"\nname = "  OpenAI\\u202e   in  Hollywood "\nnotify = "@here"\n'
        '[[watch]]\nquery = "WGA"\n',
    )
    watchlist = load_watchlist(str(path), tmp_path)
    named, plain = watchlist.watches
    assert (named.query, named.name, named.notify) == ("Sora", "OpenAI in Hollywood", "@here")
    assert (plain.query, plain.name, plain.notify) == ("WGA", None, None)
    assert watchlist.queries == ("Sora", "WGA")


def test_a_name_of_80_characters_is_kept(tmp_path: Path) -> None:
    path = write_list(tmp_path, f'[[watch]]\nquery = "x"\nname = "{"é" * 80}"\n')
    assert load_watchlist(str(path), tmp_path).watches[0].name == "é" * 80


def channel(tmp_path: Path, target: str, notify: str) -> Path:
    write_list(tmp_path, f'[[watch]]\nquery = "Sora"\nnotify = "{notify}"\n')
    path = tmp_path / "newswatch.toml"
    path.write_text(
        f'[[channels]]\ntarget = "{target}"\nwatchlists = ["team.toml"]\n', encoding="utf-8"
    )
    return path


@pytest.mark.parametrize(
    ("target", "notify"),
    [
        ("slack:C1", "@here"),
        ("slack:C1", "@channel"),
        ("slack:C1", "<!subteam^S0123ABC>"),
        ("slack:C1", "<@U0123ABC>"),
        ("slack:C1", "<@W0123ABC>"),
        ("discord:1", "@here"),
        ("discord:1", "<@&123456789012345678>"),
        ("discord:1", "<@123456789012345678>"),
        ("console", "@channel"),
        ("jsonl:a.jsonl", "<@&123>"),
    ],
)
def test_a_notify_the_channels_platform_knows_is_kept(
    tmp_path: Path, target: str, notify: str
) -> None:
    config = load_config(str(channel(tmp_path, target, notify)), ENV)
    assert config.channels[0].watchlists[0].watches[0].notify == notify


@pytest.mark.parametrize(
    ("target", "notify", "forms"),
    [
        ("discord:1", "@channel", "Discord mention (@here, <@&ROLE>, <@USER>)"),
        ("discord:1", "<@U0123ABC>", "Discord mention (@here, <@&ROLE>, <@USER>)"),
        ("discord:1", "<!subteam^S1>", "Discord mention (@here, <@&ROLE>, <@USER>)"),
        ("slack:C1", "<@&123>", "Slack mention (@here, @channel, <!subteam^ID>, <@U...>)"),
        ("slack:C1", "<@123>", "Slack mention (@here, @channel, <!subteam^ID>, <@U...>)"),
    ],
)
def test_a_notify_of_the_other_platform_stops_start_up_naming_channel_file_and_watch(
    tmp_path: Path, target: str, notify: str, forms: str
) -> None:
    message = refusal(tmp_path, channel(tmp_path, target, notify).read_text(encoding="utf-8"))
    team = tmp_path / "team.toml"
    assert (
        message
        == f"channels[0].watchlists[0]: {team}: watch[0].notify: {notify!r} is not a {forms}"
    )
