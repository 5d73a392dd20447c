"""Plain-text renderings of alerts and digests, shared by the console and text fallbacks.

Every string from a feed passes clean_text again here, so no control character (a terminal
escape, a bidi override) reaches a terminal whatever path the text took.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from bot.model import Alert, Digest
from bot.text import clean_text as safe


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "date unknown"


def plain_alert_lines(alert: Alert) -> list[str]:
    lines = [safe(alert.title) or "(untitled)"]
    lines.append(f"  {safe(alert.source)} · {when(alert.published)}")
    if alert.url:
        lines.append(f"  {safe(alert.url)}")
    if alert.summary:
        lines.append(f"  {safe(alert.summary)}")
    lines.append(f"  watches: {', '.join(safe(w) for w in alert.watches)}")
    return lines


def plain_digest_lines(digest: Digest) -> list[str]:
    head = f"Digest for {digest.channel}: {when(digest.since)} to {when(digest.until)}"
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
