"""Logging set-up: one line per event with the same keys everywhere, and never a secret.

httpx logs full request URLs at INFO (HARDENING), so it is held at WARNING, and a filter
masks anything that looks like a token or a secret from the environment.
"""

from __future__ import annotations

import logging
import os
import re
import sys

SECRET_ENV = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "DISCORD_BOT_TOKEN")
TOKEN_SHAPES = re.compile(
    r"xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+"
    r"|hooks\.slack\.com/services/[A-Za-z0-9/]+"
    r"|discord(?:app)?\.com/api/(?:v\d+/)?webhooks/\d+/[A-Za-z0-9_-]+"
    r"|[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,40}"  # Discord bot token
)
EXTRA_KEYS = ("source", "channel", "story", "reason", "new_items", "count")


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Mask token-shaped strings and the given secret values."""
    for secret in secrets:
        if secret and len(secret) >= 6:
            text = text.replace(secret, "[redacted]")
    return TOKEN_SHAPES.sub("[redacted]", text)


class RedactingFormatter(logging.Formatter):
    """Formats `message key=value ...` and redacts the finished line."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.secrets = tuple(os.environ.get(name, "") for name in SECRET_ENV)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = [f"{key}={getattr(record, key)!r}" for key in EXTRA_KEYS if hasattr(record, key)]
        if extras:
            line += " " + " ".join(extras)
        return redact(line, self.secrets)


def setup_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "apscheduler", "slack_bolt", "slack_sdk", "discord"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
