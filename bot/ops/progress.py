"""A first poll of many slow feeds says how far it got: one status line on a terminal.

On a terminal the line is rewritten in place ("polled 120/300 sources") as each source
finishes and cleared at the end; anywhere else nothing is written here (the log has one
line per source instead). No dependency: a carriage return and an erase-line do it.
"""

from __future__ import annotations

from typing import TextIO

ERASE_LINE = "\r\x1b[2K"


def is_terminal(stream: TextIO) -> bool:
    """Whether `stream` is a terminal (a person watching), not a pipe or a log file."""
    try:
        return stream.isatty()
    except ValueError:  # a closed stream
        return False


class ProgressLine:
    """`polled N/M sources` on `stream`, only if it is a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.shown = False
        self.enabled = is_terminal(stream)

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        # The cursor goes back to the line's start: a log line written before the next
        # update covers it (a log line is always longer) instead of running on after it.
        self.stream.write(f"{ERASE_LINE}polled {done}/{total} sources\r")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        """Erase the line, so what is printed next starts on a clean one."""
        if self.shown:
            self.stream.write(ERASE_LINE)
            self.stream.flush()
            self.shown = False
