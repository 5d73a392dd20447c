"""Labelled points where a crash test may kill the process (HARDENING F6).

`NEWSWATCH_CRASH_AT=after-store newswatch poll` exits at once, as SIGKILL would, at the
first point of that name, so subprocess tests can prove a restart loses nothing. Unset,
each point is one dictionary lookup. The points: after-fetch, after-store, after-send.
"""

from __future__ import annotations

import os


def crash_point(label: str) -> None:
    """Exit the process now, without cleanup, if the environment asks for this point."""
    if os.environ.get("NEWSWATCH_CRASH_AT") == label:
        os._exit(137)
