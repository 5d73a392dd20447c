"""One JSON object a line, appended to a file: the SPEC's record, for tools and tests."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any

from bot.config import Config
from bot.deliver.adapter import Adapter, DeliveryError, Sent
from bot.deliver.model import Alert, Digest, Message, Notice, Update
from bot.ops.safefiles import UnsafeFileError, open_append, open_regular

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
        # Beside `watches`, one entry each: the watch's name, or null where it has none.
        "watch_names": list(alert.watch_names or (None,) * len(alert.watches)),
        "outlets": alert.outlets,
    }


def update_record(update: Update) -> dict[str, Any]:
    """SPEC Alerts: the outlet count now, and the copies new since the last record."""
    return {
        "kind": "update",
        "channel": update.channel,
        "story": str(update.story_id),
        "outlets": update.outlets,
        "copies": [
            {
                "title": copy.title,
                "url": copy.url,
                "source": copy.source,
                "published": copy.published.isoformat() if copy.published else None,
            }
            for copy in update.copies
        ],
    }


def digest_record(digest: Digest) -> dict[str, Any]:
    return {
        "kind": "digest",
        "channel": digest.channel,
        "since": digest.since.isoformat(),
        "until": digest.until.isoformat(),
        "sections": [
            {
                "watch": section.watch,  # its name, else its query
                "queries": list(section.queries),
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
    """Appends records to a file. Batches share one write and one fsync, and a record cut
    off mid-send is looked up in the file, so a crash never writes one twice."""

    platform = "jsonl"
    batch_size = 200
    LOOKBACK = 8 << 20  # bytes of the file's end searched for records cut off mid-send

    def __init__(self, config: Config) -> None:
        super().__init__(config)
        self._paths: dict[str, Path] = {}

    def _path(self, target: str) -> Path:
        path = self._paths.get(target)
        if path is None:
            path = self._paths[target] = self.config.jsonl_path(target)
        return path

    async def send(self, target: str, message: Message) -> Sent | None:
        return (await self.send_batch(target, [message]))[0]

    async def send_batch(self, target: str, messages: Sequence[Message]) -> list[Sent | None]:
        path = self._path(target)
        text = "".join(record_line(message) for message in messages)
        try:
            await asyncio.to_thread(_append, path, text)  # fsync waits on the disk, not the loop
        except UnsafeFileError as exc:
            # A link, FIFO or device where the file should be: it stays so until someone
            # removes it, so this channel stops (and says why) rather than retry forever.
            raise DeliveryError(str(exc), scope="destination") from None
        except OSError as exc:
            raise DeliveryError(f"cannot write {path}: {exc.strerror}") from None
        return [None] * len(messages)  # a line in a file: nothing to keep a reference to

    async def doctor(self) -> list[str]:
        """Whether each jsonl channel could take a record now, found without writing one."""
        lines = []
        for channel in self.config.channels:
            if channel.platform == "jsonl":
                path = self._path(channel.target)
                lines.append(await asyncio.to_thread(doctor_line, channel.target, path))
        return lines

    async def delivered_already(
        self, target: str, messages: Sequence[Message]
    ) -> list[Sent | None]:
        """Alerts by (channel, story), other records by their exact line (an update cut off
        mid-send is rendered again with the copies it had then: bot.store.updates)."""
        try:
            seen = set(await asyncio.to_thread(_tail, self._path(target), self.LOOKBACK))
        except OSError:  # no file yet, unreadable or refused: nothing is known to be there
            return [None] * len(messages)
        stories: set[tuple[object, object]] = set()
        for line in seen:
            if line.startswith('{"kind": "alert"'):
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                stories.add((record.get("channel"), record.get("story")))
        held = [
            (message.channel, str(message.story_id)) in stories
            if isinstance(message, Alert)
            else record_line(message) in seen
            for message in messages
        ]
        return [Sent() if there else None for there in held]


def record_line(message: Message) -> str:
    """The SPEC's record for a message, as one line."""
    if isinstance(message, Alert):
        record = alert_record(message)
    elif isinstance(message, Update):
        record = update_record(message)
    elif isinstance(message, Digest):
        record = digest_record(message)
    elif isinstance(message, Notice):
        record = {"kind": "notice", "channel": message.channel, "text": message.text}
    # A lone surrogate cannot be UTF-8: replaced, so a hostile title cannot stop the outbox.
    line = json.dumps(record, ensure_ascii=False).encode("utf-8", "replace").decode()
    # Keep one record a line for readers that also split at NEL, LS and PS.
    if "\x85" in line or "\u2028" in line or "\u2029" in line:
        line = line.translate(LINE_BREAKS)
    return line + "\n"


def doctor_line(target: str, path: Path) -> str:
    """One doctor line for a jsonl target: an existing file is opened for appending (a
    regular file, not a link), a missing one's folder must let us create a file in it."""
    try:
        return f"jsonl: channel {target}: ok ({_appendable(path)})"
    except UnsafeFileError as exc:
        why = exc.reason
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        if exc.filename and str(exc.filename) != str(path):
            why = f"{exc.filename}: {why}"
    return f"jsonl: channel {target}: cannot append to {path}: {why} - FAILED"


def _appendable(path: Path) -> str:
    """How a record would get into `path`; raises the OSError that would stop it."""
    try:
        fd = open_regular(path, os.O_WRONLY | os.O_APPEND)  # no O_CREAT: the doctor creates none
    except FileNotFoundError:
        pass
    else:
        os.close(fd)
        return f"appends to {path}"
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # _append makes the missing folders: the first existing decides
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".newswatch-doctor-")
    except OSError as exc:
        why = f"cannot create a file here ({exc.strerror})"
        raise OSError(exc.errno, why, str(folder)) from None
    os.close(fd)
    os.unlink(probe)
    return f"will create {path}"


def _append(path: Path, text: str) -> None:
    """Append whole records or nothing: a failed write (a full disk) is cut back off.

    The file is created 0600 and never opened through a link or as a FIFO (bot.ops.safefiles).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    fd = open_append(path)
    try:
        start = os.lseek(fd, 0, os.SEEK_END)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)  # confirmed means on disk, as a chat API's 200 would
        except OSError:
            with suppress(OSError):
                os.ftruncate(fd, start)
            raise
    finally:
        os.close(fd)


def _tail(path: Path, size: int) -> list[str]:
    """The whole lines among the last `size` bytes of the file (a regular file, not a link)."""
    with os.fdopen(open_regular(path, os.O_RDONLY), "rb") as handle:
        end = handle.seek(0, os.SEEK_END)
        handle.seek(max(0, end - size))
        lines = handle.read().decode("utf-8", "replace").splitlines(keepends=True)
    return lines[1:] if end > size else lines
