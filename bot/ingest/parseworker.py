"""A parse worker's side of bot.ingest.parsepool: its limits, then one parse per request.

Runs in a spawned process: it follows its parent out, ignores Ctrl-C (the parent stops it),
caps its address space and each parse's CPU time, and answers every request, a runaway
parse included, with a ParsedFeed.
"""

from __future__ import annotations

import contextlib
import math
import os
import resource
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection

from bot.ingest.parse import ParsedFeed

PARENT_CHECK = 0.5  # seconds between a worker's checks that its parent is still there

Parse = Callable[[bytes, str, str | None, float], ParsedFeed]


@dataclass(frozen=True)
class Limits:
    """A worker's address space (bytes) and each parse's CPU time (seconds)."""

    memory: int
    cpu_seconds: int


def serve(conn: Connection, parent: int, task: Parse, limits: Limits) -> None:
    """A worker's life: limits, then one parse per request until asked to stop."""
    _follow_parent(parent)
    # Ctrl-C reaches the whole process group: the parent stops the workers itself, so a
    # worker ignores it rather than print a KeyboardInterrupt traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _limit(resource.RLIMIT_CORE, 0)  # a worker stopped by a limit leaves no core file behind
    _limit(resource.RLIMIT_AS, limits.memory)
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        conn.send(True)
        _limit_cpu(limits.cpu_seconds)
        try:
            result = task(*request)
        except MemoryError:
            result = _out_of_memory(limits)
        except Exception as exc:  # a parse never raises; if one does, it is that feed's error
            result = ParsedFeed(title="", items=(), error=f"not a feed: {type(exc).__name__}")
        try:
            conn.send(result)
        except MemoryError:
            conn.send(_out_of_memory(limits))


def _out_of_memory(limits: Limits) -> ParsedFeed:
    megabytes = limits.memory >> 20
    return ParsedFeed(title="", items=(), error=f"parse failed: it took over {megabytes} MiB")


def _limit_cpu(seconds: int) -> None:
    """Let this parse use `seconds` more CPU than the worker has used so far: RLIMIT_CPU
    counts the whole life of the process, so the limit moves up before each parse."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    _limit(resource.RLIMIT_CPU, math.ceil(usage.ru_utime + usage.ru_stime) + seconds)


def _limit(kind: int, soft: int) -> None:
    """Set a soft limit, never past the hard one. Where the OS will not set it (RLIMIT_AS
    on macOS), the worker runs without it rather than not at all."""
    _, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(kind, (soft, hard))


def _follow_parent(parent: int) -> None:
    """In a worker: exit at once when the parent is gone (we are re-parented then)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK)
        os._exit(0)

    threading.Thread(target=watch, name="newswatch-parent-watch", daemon=True).start()
