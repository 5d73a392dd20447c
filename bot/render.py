"""Plain-text renderings of alerts and digests, shared by the console and text fallbacks."""

from __future__ import annotations

from datetime import datetime

from bot.model import Alert, Digest


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "date unknown"


def plain_alert_lines(alert: Alert) -> list[str]:
    lines = [alert.title or "(untitled)"]
    lines.append(f"  {alert.source} · {when(alert.published)}")
    if alert.url:
        lines.append(f"  {alert.url}")
    if alert.summary:
        lines.append(f"  {alert.summary}")
    lines.append(f"  watches: {', '.join(alert.watches)}")
    return lines


def plain_digest_lines(digest: Digest) -> list[str]:
    head = f"Digest for {digest.channel}: {when(digest.since)} to {when(digest.until)}"
    if digest.empty:
        return [head, "  No new stories in this window."]
    lines = [head]
    for section in digest.sections:
        lines.append(f"  {section.watch}")
        for story in section.stories:
            outlets = f"{story.outlets} outlet{'s' if story.outlets != 1 else ''}"
            lines.append(f"    - {story.title} ({story.source}; {outlets})")
            if story.url:
                lines.append(f"      {story.url}")
        if section.more:
            lines.append(f"    … and {section.more} more")
    return lines
