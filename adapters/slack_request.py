"""The gate in front of bolt in HTTP mode: check the signature on the raw bytes, then parse.

bolt parses a request before it checks the signature (its AsyncBoltRequest decodes and
json-loads the body, and its verifier calls int() on the timestamp), so garbage from anyone
who can reach the port became a 500 and a traceback. Here nothing is parsed until the
HMAC over the exact bytes matches, and slack-sdk's SignatureVerifier is not used because it
decodes the body as UTF-8 first
(https://docs.slack.dev/authentication/verifying-requests-from-slack). A signed body that
still does not parse is refused as malformed, with a reason.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import parse_qsl

MAX_SKEW = 300.0  # Slack's 5-minute window, either way
MAX_STAMP_DIGITS = 12  # a Unix time in seconds; longer is not a time (and int() has limits)
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
FORM_KEYS = frozenset({"command", "payload", "ssl_check"})  # every form Slack sends has one
# Slash command fields newswatch reads: each must be a string when it is there at all.
STRING_FIELDS = (
    "command",
    "text",
    "channel_id",
    "user_id",
    "team_id",
    "trigger_id",
    "response_url",
)


class MalformedRequest(ValueError):
    """A signed request whose body newswatch cannot read; `str()` says why."""


def signature_ok(secret: str, body: bytes, timestamp: str, signature: str, now: float) -> bool:
    """True when `signature` is v0=HMAC-SHA256(secret, "v0:{timestamp}:" + body), in time.

    The timestamp must be ASCII digits only: str.isdigit() also accepts "²" and other
    digits that int() refuses or reads differently.
    """
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= MAX_STAMP_DIGITS):
        return False
    if abs(now - int(timestamp)) > MAX_SKEW:
        return False
    if not signature.isascii() or not signature.startswith("v0="):
        return False
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    expected = "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii"))


def parse_body(body: bytes, content_type: str) -> dict[str, Any]:
    """The fields of a signed request: a form (slash commands), its `payload`, or JSON."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedRequest("the body is not UTF-8") from None
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == JSON:
        parsed = _json(text, "the JSON body")
    elif kind == FORM:
        try:
            fields = dict(parse_qsl(text, keep_blank_values=True, errors="strict"))
        except (UnicodeDecodeError, ValueError):
            raise MalformedRequest("a form field is not UTF-8") from None
        if "payload" in fields:
            parsed = _json(fields["payload"], "the payload field")
        elif FORM_KEYS.isdisjoint(fields):
            raise MalformedRequest("the form has no command, payload or ssl_check field")
        else:
            parsed = fields
    else:
        raise MalformedRequest(f"content type {kind or 'none'!r} is not a form or JSON")
    if not isinstance(parsed, dict):
        raise MalformedRequest(f"the body is a JSON {type(parsed).__name__}, not an object")
    for name in STRING_FIELDS:
        if name in parsed and not isinstance(parsed[name], str):
            raise MalformedRequest(f"{name} is a {type(parsed[name]).__name__}, not a string")
    return parsed


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedRequest(f"{what} is not JSON ({exc.msg} at {exc.pos})") from None
    except RecursionError:  # "[[[[...": json nests by recursion
        raise MalformedRequest(f"{what} is nested too deep") from None
