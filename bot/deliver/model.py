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
    watch_names: tuple[str | None, ...] = ()  # beside watches, None where one has no name
    notify: tuple[str, ...] = ()  # what the matching watches ping, each once, as in the file
    outlets: int = 1  # distinct outlets among the story's copies when it is sent
    outlet_names: tuple[str, ...] = ()  # those outlets, the first to carry it first
    through: int | None = None  # the newest copy counted (an item id), kept once confirmed
    highlights: tuple[Highlight, ...] = ()

    @property
    def watch_labels(self) -> tuple[str, ...]:
        """The matching watches as people read them: each one's name, else its query."""
        names = self.watch_names or (None,) * len(self.watches)
        return tuple(name or query for query, name in zip(self.watches, names, strict=False))

    @property
    def outlets_text(self) -> str:
        """ "3 outlets", the words every platform shows."""
        return f"{self.outlets} outlet{'s' if self.outlets != 1 else ''}"


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
    """The stories of one watch, most-covered first, headed by its name (else its query)."""

    watch: str
    stories: tuple[DigestStory, ...]
    more: int = 0
    queries: tuple[str, ...] = ()  # the queries of the watches under that name


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


@dataclass(frozen=True)
class NewCopy:
    """A copy from an outlet new to the story, as an update lists it."""

    title: str
    url: str | None
    source: str
    published: datetime | None


@dataclass(frozen=True)
class Update:
    """A coverage update (SPEC Alerts) of an alert already confirmed in a channel: the
    alert as it reads now (the edit), and the copies new since the last record about it."""

    channel: str
    story_id: int
    alert: Alert  # re-rendered with today's best copy, outlet count and names
    ref: str | None  # the platform's reference to the alert message (None: it has none)
    copies: tuple[NewCopy, ...]
    thread: bool = False  # also reply in the alert's thread with the new copies
    kind: str = "update"

    @property
    def outlets(self) -> int:
        return self.alert.outlets

    @property
    def through(self) -> int | None:
        return self.alert.through


Message = Alert | Digest | Notice | Update
