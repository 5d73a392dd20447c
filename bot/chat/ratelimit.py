"""A per-key sliding-window limit, for commands a user could spam (HARDENING D7)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable


class SlidingWindow:
    """At most `limit` events per key in any `window` seconds; the clock is passed in."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float]) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._events: dict[str, deque[float]] = {}

    def wait(self, key: str) -> float:
        """0 and the event counted, or the seconds until one more is allowed."""
        now = self.clock()
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self.window:
            events.popleft()
        if len(events) >= self.limit:
            return events[0] + self.window - now
        events.append(now)
        if len(self._events) > 10_000:  # forget idle keys rather than grow without bound
            self._events = {k: v for k, v in self._events.items() if v}
        return 0.0
