"""How text reaches a channel: the one path for untrusted text, and plain renderings.

PlatformText is that path: clean_text first (the core's one cleaner), then the platform's
own escape, then the core's one cut, at the limit the platform declares as class data (as
Apprise's `body_maxlen`). The cut happens on the escaped text, between atoms the platform
names, so it never splits an escape or a grapheme. The plain renderings below, for the
console and text fallbacks, pass every string from a feed through clean_text again, so no
control character (a terminal escape, a bidi override) reaches a terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, tzinfo
from typing import ClassVar

import regex

from bot.deliver.model import Alert, Digest, Update
from bot.text import GRAPHEME, clean_head, cut
from bot.text import clean_text as safe


class PlatformText:
    """Untrusted text for one platform: cleaned, escaped, cut to a limit it declares.

    A subclass overrides `escape` (which may only lengthen text) and `atom` (what a cut
    must keep whole: an escape and the grapheme it escapes), and names its limits."""

    atom: ClassVar[regex.Pattern[str]] = GRAPHEME
    title_maxlen: ClassVar[int] = 256
    body_maxlen: ClassVar[int] = 4096
    field_maxlen: ClassVar[int] = 1024

    @classmethod
    def escape(cls, text: str) -> str:
        """Clean text as the platform shows it literally; the base shows it as it is."""
        return text

    @classmethod
    def show(cls, text: str | None, limit: int, *, lines: bool = False) -> str:
        """Untrusted text, cleaned (line breaks kept with `lines`), escaped, within `limit`."""
        return cls.cut(cls.escape(clean_head(text or "", limit, lines=lines)), limit)

    @classmethod
    def cut(cls, shown: str, limit: int) -> str:
        """Text already escaped for this platform, within `limit`, no escape split."""
        return cut(shown, limit, atom=cls.atom)


def when(moment: datetime | None, zone: tzinfo = UTC) -> str:
    """A moment as wall-clock time in `zone`, named by its abbreviation (`10:30 CET`)."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z") if moment else "date unknown"


def plain_alert_lines(alert: Alert, zone: tzinfo = UTC) -> list[str]:
    """An alert as plain lines (console, text fallbacks), its time in `zone`."""
    lines = [safe(alert.title) or "(untitled)"]
    lines.append(f"  {safe(alert.source)} · {when(alert.published, zone)}")
    if alert.url:
        lines.append(f"  {safe(alert.url)}")
    if alert.summary:
        lines.append(f"  {safe(alert.summary)}")
    lines.append(f"  watches: {', '.join(safe(w) for w in alert.watch_labels)}")
    if alert.notify:  # shown as written; a terminal or a file pings nobody
        lines.append(f"  notify: {' '.join(safe(m) for m in alert.notify)}")
    lines.append(f"  {outlet_summary(alert, safe)}")
    return lines


MAX_OUTLET_NAMES = 8  # an alert names this many outlets, then says how many more


def outlet_summary(alert: Alert, show: Callable[[str], str]) -> str:
    """ "3 outlets: Variety, The Verge, Deadline", each name through the platform's `show`
    (the first few, then "and N more")."""
    names = [show(name) for name in alert.outlet_names[:MAX_OUTLET_NAMES]]
    more = len(alert.outlet_names) - len(names)
    tail = f" and {more} more" if more > 0 else ""
    return f"{alert.outlets_text}: {', '.join(names)}{tail}" if names else alert.outlets_text


def plain_update_line(update: Update) -> str:
    """A coverage update on one line: `update: TITLE now 3 outlets: Variety, The Verge`."""
    title = safe(update.alert.title) or "(untitled)"
    return f"update: {title} now {outlet_summary(update.alert, safe)}"


def plain_digest_lines(digest: Digest, zone: tzinfo = UTC) -> list[str]:
    """A digest as plain lines, its window in `zone`."""
    window = f"{when(digest.since, zone)} to {when(digest.until, zone)}"
    head = f"Digest for {digest.channel}: {window}"
    if digest.empty:
        return [head, "  No new stories in this window."]
    lines = [head]
    for section in digest.sections:
        lines.append(f"  {safe(section.watch)}")
        for story in section.stories:
            outlets = f"{story.outlets} outlet{'s' if story.outlets != 1 else ''}"
            lines.append(f"    - {safe(story.title)} ({safe(story.source)}; {outlets})")
            if story.url:
                lines.append(f"      {safe(story.url)}")
        if section.more:
            lines.append(f"    … and {section.more} more")
    return lines


def pack_lines(lines: Iterable[str], limit: int, cut: Callable[[str, int], str]) -> list[str]:
    """Join lines into texts of at most `limit` characters, each line first `cut` to fit."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        line = cut(line, limit)
        if current and len(current) + 1 + len(line) > limit:
            chunks.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks
