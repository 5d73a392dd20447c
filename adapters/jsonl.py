"""One JSON object a line, appended to a file: the SPEC's record, for tools and tests."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

from bot.adapter import Adapter, DeliveryError
from bot.model import Alert, Digest, Message, Notice

LINE_BREAKS = {0x85: "\\u0085", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def alert_record(alert: Alert) -> dict[str, Any]:
    return {
        "kind": alert.kind,
        "channel": alert.channel,
        "story": str(alert.story_id),
        "title": alert.title,
        "url": alert.url,
        "source": alert.source,
        "published": alert.published.isoformat() if alert.published else None,
        "summary": alert.summary,
        "watches": list(alert.watches),
    }


def digest_record(digest: Digest) -> dict[str, Any]:
    return {
        "kind": "digest",
        "channel": digest.channel,
        "since": digest.since.isoformat(),
        "until": digest.until.isoformat(),
        "sections": [
            {
                "watch": section.watch,
                "more": section.more,
                "stories": [
                    {
                        "story": str(story.story_id),
                        "title": story.title,
                        "url": story.url,
                        "source": story.source,
                        "published": story.published.isoformat() if story.published else None,
                        "outlets": story.outlets,
                    }
                    for story in section.stories
                ],
            }
            for section in digest.sections
        ],
    }


class JsonlAdapter(Adapter):
    platform = "jsonl"

    async def send(self, target: str, message: Message) -> None:
        path = self.config.jsonl_path(target)
        if isinstance(message, Alert):
            record = alert_record(message)
        elif isinstance(message, Digest):
            record = digest_record(message)
        elif isinstance(message, Notice):
            record = {"kind": "notice", "channel": message.channel, "text": message.text}
        # A lone surrogate cannot be UTF-8: replaced, so a hostile title cannot stop the outbox.
        line = json.dumps(record, ensure_ascii=False).encode("utf-8", "replace").decode()
        # Keep one record a line for readers that also split at NEL, LS and PS.
        line = line.translate(LINE_BREAKS) + "\n"
        try:
            await asyncio.to_thread(_append, path, line)  # fsync waits on the disk, not the loop
        except OSError as exc:
            raise DeliveryError(f"cannot write {path}: {exc.strerror}") from None


def _append(path: Path, line: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())  # confirmed means on disk, as a chat API's 200 would
