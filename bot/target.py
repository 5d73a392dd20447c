"""A channel target as configured: `console`, `jsonl:PATH`, `slack:ID` or `discord:ID`.

The string stays the channel's name everywhere (SPEC: "channel is the target string as
configured"), so `str(Target.parse(text)) == text`; this is the one place that splits it.
"""

from __future__ import annotations

from dataclasses import dataclass

TARGET_KINDS = ("console", "jsonl", "slack", "discord")
TARGET_FORMS = "console | jsonl:PATH | slack:ID | discord:ID"


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

    def __str__(self) -> str:
        return self.platform if self.platform == "console" else f"{self.platform}:{self.address}"
