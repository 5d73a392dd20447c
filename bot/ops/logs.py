"""Logging set-up, and the one redaction every log line, stored error and printed row passes.

httpx logs full request URLs at INFO (HARDENING), so it is held at WARNING, and a formatter
masks anything that looks like a token or a secret from the environment. APIs and proxies
echo tokens in their error text, so errors are masked again before they are stored and
before they are printed (`scrub`): a row stored by an older version may still hold one.
"""

from __future__ import annotations

import logging
import os
import re
import sys

from bot.text import terminal_safe

SECRET_ENV = (
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
    "DISCORD_BOT_TOKEN",
    "PGPASSWORD",  # libpq's, for a postgresql:// database (bot.database_url)
)
MASK = "[redacted]"
TOKEN_SHAPES = re.compile(
    r"xox[abeposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+"
    # Incoming webhooks (services/), slash-command and action response_urls, workflow triggers.
    r"|hooks\.slack(?:-gov)?\.com/[A-Za-z0-9/_-]+"
    r"|discord(?:app)?\.com/api/(?:v\d+/)?webhooks/\d+/[A-Za-z0-9_-]+"
    r"|[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,40}"  # Discord bot token
)
# A credential after its label: the label is kept, so the reader sees what was masked.
LABELLED = re.compile(
    r"(?i)(?P<header>\b(?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?"
    r"(?:(?:bearer|basic|bot|token)\s+)?|\bbearer\s+)[^\s\"',;]+"
    r"|(?P<userinfo>://[^/\s:@]*:)[^/\s@]+(?=@)"  # https://user:PASSWORD@host
    r"|(?P<param>[?&](?:access_token|api_?key|auth|key|password|secret|sig|signature|token)=)"
    r"[^&\s#\"']+"
)
EXTRA_KEYS = (
    "source",
    "url",
    "channel",
    "story",
    "reason",
    "new_items",
    "count",
    "worker",
    "role",
)


def configured_secrets() -> tuple[str, ...]:
    """The secret values this process was given (SPEC: only ever from the environment)."""
    return tuple(os.environ.get(name, "") for name in SECRET_ENV)


def redact(text: str, secrets: tuple[str, ...] | None = None) -> str:
    """Mask the given secret values (default: the configured ones) and token-shaped strings."""
    for secret in configured_secrets() if secrets is None else secrets:
        if secret and len(secret) >= 6:
            text = text.replace(secret, MASK)
    text = LABELLED.sub(lambda m: (m["header"] or m["userinfo"] or m["param"]) + MASK, text)
    return TOKEN_SHAPES.sub(MASK, text)


def scrub(text: str) -> str:
    """Outside text (an API's or a feed's error) fit to store and to print: one line that a
    terminal shows as text, with no secret in it."""
    return redact(terminal_safe(text))


class RedactingFormatter(logging.Formatter):
    """Formats `message key=value ...`, redacts the finished line and makes each of its lines
    terminal-safe (a traceback keeps its line breaks; an exception's text loses its escapes)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.secrets = configured_secrets()

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = [f"{key}={getattr(record, key)!r}" for key in EXTRA_KEYS if hasattr(record, key)]
        if extras:
            line += " " + " ".join(extras)
        parts = line.split("\n")
        return "\n".join(redact(terminal_safe(part), self.secrets) for part in parts)


def setup_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "apscheduler", "slack_bolt", "slack_sdk", "discord"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
