"""Plain data passed from the core to the adapters: what an alert, a digest and a notice hold."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Highlight:
    """Characters start..end of an alert's `field` ("title" or "summary") that a watch of
    the alert matched on: shown in bold (bot.deliver.highlight)."""

    field: str
    start: int
    end: int


@dataclass(frozen=True)
class Alert:
    """One new story for one channel: everything an adapter needs to render it."""

    channel: str
    story_id: int
    title: str
    url: str | None
    source: str
    published: datetime | None
    summary: str
    watches: tuple[str, ...]
    kind: str = "alert"
    highlights: tuple[Highlight, ...] = ()


@dataclass(frozen=True)
class DigestStory:
    """A story in a digest, with how many outlets carried it."""

    story_id: int
    title: str
    url: str | None
    source: str
    published: datetime | None
    outlets: int


@dataclass(frozen=True)
class DigestSection:
    """The stories of one watch, most-covered first."""

    watch: str
    stories: tuple[DigestStory, ...]
    more: int = 0


@dataclass(frozen=True)
class Digest:
    """A channel's stories over a window, grouped by watch."""

    channel: str
    since: datetime
    until: datetime
    sections: tuple[DigestSection, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        return not any(section.stories for section in self.sections)


@dataclass(frozen=True)
class Notice:
    """An operational message for a channel, such as a source being disabled."""

    channel: str
    text: str
    kind: str = "notice"


Message = Alert | Digest | Notice
