"""Opening the files newswatch reads and writes, safely in a folder others can write (/tmp).

A planted symbolic link would send our appends, truncations and pid writes into another
file; a FIFO would block the open or the read forever; /dev/zero would be read until memory
runs out. So every open here is non-blocking (O_NONBLOCK: a FIFO opens at once, or fails),
checks that what it got is a regular file (fstat, after the open: no race), and creates
files 0600, for they hold the watches and the channels' history.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

CREATE_MODE = 0o600

_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISSOCK, "a socket"),
)


class UnsafeFileError(OSError):
    """A file newswatch will not use as it is; the text names the file and says why."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def describe(mode: int) -> str:
    """What kind of file a st_mode is, in words: "a FIFO", "a directory"."""
    for check, name in _KINDS:
        if check(mode):
            return name
    return "not a plain file"


def open_regular(
    path: Path | str, flags: int, *, follow: bool = False, sole_link: bool = False
) -> int:
    """`os.open` (creating 0600 when flags hold O_CREAT) that yields a regular file or raises.

    follow=False refuses a symbolic link, dangling or not, so nothing is created or written
    through one. sole_link refuses a file with other hard links too: for files we truncate.
    """
    flags |= os.O_NONBLOCK | os.O_CLOEXEC | (0 if follow else os.O_NOFOLLOW)
    try:
        fd = os.open(path, flags, CREATE_MODE)
    except OSError as exc:
        raise _refusal(path, exc) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFileError(path, f"not a regular file ({describe(info.st_mode)})")
        if sole_link and info.st_nlink > 1:
            raise UnsafeFileError(path, "has other hard links; refusing to write through them")
        # Blocking again, as ordinary file I/O expects (it changes nothing for a regular file).
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _refusal(path: Path | str, exc: OSError) -> OSError:
    """The open's error, said plainly where a planted file is the likely cause."""
    if exc.errno == errno.ELOOP or (not isinstance(exc, FileNotFoundError) and _is_link(path)):
        # ELOOP: O_NOFOLLOW met a symbolic link in the last component.
        return UnsafeFileError(path, "is a symbolic link; newswatch does not follow links here")
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return exc
    # A FIFO with no reader (ENXIO). A directory's EISDIR stays an ordinary error: it
    # neither blocks nor redirects a write (the jsonl adapter retries it as an outage).
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        return UnsafeFileError(path, f"not a regular file ({describe(mode)})")
    return exc


def _is_link(path: Path | str) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except OSError:
        return False


def open_append(path: Path | str) -> int:
    """A descriptor appending to `path` (created 0600), never through a link or to a FIFO."""
    return open_regular(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)


def read_capped(path: Path | str, limit: int, *, follow: bool = True) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; anything else is refused.

    Links are followed by default: reading through one harms nothing, and users link their
    configuration on purpose. The cap is checked before reading and again while reading
    (a file that grows meanwhile is refused too).
    """
    fd = open_regular(path, os.O_RDONLY, follow=follow)
    with os.fdopen(fd, "rb") as handle:
        if os.fstat(handle.fileno()).st_size > limit:
            raise UnsafeFileError(path, f"too large (over {_size(limit)})")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise UnsafeFileError(path, f"too large (over {_size(limit)})")
    return data


def read_text_capped(path: Path | str, limit: int, *, follow: bool = True) -> str:
    """read_capped, decoded as UTF-8 with universal newlines (as Path.read_text reads)."""
    text = read_capped(path, limit, follow=follow).decode("utf-8")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def replace_contents(path: Path | str, data: bytes) -> None:
    """Write `data` as the whole of `path` (created 0600), never through a link."""
    fd = open_regular(path, os.O_WRONLY | os.O_CREAT, sole_link=True)
    try:
        os.ftruncate(fd, 0)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _size(limit: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if limit >= size and limit % size == 0:
            return f"{limit // size} {unit}"
    return f"{limit} bytes"
