"""Shared fixtures: the real loopback feed server, and helpers to build configs for tests."""

from __future__ import annotations

from tests.feedserver import feed_server  # noqa: F401  (fixture re-exported for every test)
from tests.slack_fixtures import slack, slack_env  # noqa: F401  (the fake Slack, its tokens)
from tests.pgserver import pg_dsn, pg_server  # noqa: F401  (a real PostgreSQL, or a skip)
