"""A channel target as configured: `console`, `jsonl:PATH`, `slack:ID` or `discord:ID`.

The string stays the channel's name everywhere (SPEC: "channel is the target string as
configured"), so `str(Target.parse(text)) == text`; this is the one place that splits it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TARGET_KINDS = ("console", "jsonl", "slack", "discord")
TARGET_FORMS = "console | jsonl:PATH | slack:ID | discord:ID"
# The ids each platform hands out: Slack's are upper-case letters and digits (C0123, D0ABC),
# Discord's are snowflakes (decimal digits). ASCII only: str.isdigit() also takes "²".
ADDRESS_FORMS = {
    "slack": (re.compile(r"[A-Z0-9]+"), "a Slack channel id (capital letters and digits)"),
    "discord": (re.compile(r"[0-9]+"), "a Discord channel id (digits)"),
}


class TargetError(ValueError):
    """A target that names no platform newswatch knows, or lacks its address."""


@dataclass(frozen=True)
class Target:
    """The platform (the adapter that sends) and its address there ("" for the console).

    Only the first colon splits: a jsonl PATH may hold colons of its own.
    """

    platform: str
    address: str = ""

    @classmethod
    def parse(cls, text: str) -> Target:
        platform, _, address = text.partition(":")
        whole = text == "console" if platform == "console" else address != ""
        if platform not in TARGET_KINDS or not whole:
            raise TargetError(f"{text!r} is not {TARGET_FORMS}")
        return cls(platform, address)

    @classmethod
    def configured(cls, text: str) -> Target:
        """A target as written in the config: a chat address must be that platform's id form,
        so a typo or a pasted escape sequence is refused at load, not at the first send."""
        target = cls.parse(text)
        form = ADDRESS_FORMS.get(target.platform)
        if form is not None and form[0].fullmatch(target.address) is None:
            raise TargetError(f"{text!r} is not {form[1]}")
        return target

    def __str__(self) -> str:
        return self.platform if self.platform == "console" else f"{self.platform}:{self.address}"
