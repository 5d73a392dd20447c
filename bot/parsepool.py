"""Worker processes for feedparser, so parsing never starves the event loop.

feedparser is pure Python: in threads it holds the GIL, and a 300-feed poll kept slash
commands waiting over a second (bench/responsive.py). In worker processes the loop stays
free. Workers are spawned (never forked from a process with threads) and exit on their
own when the process that made them dies, even by SIGKILL, so none is left behind.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor

PARSE_WORKERS = max(1, min(4, os.cpu_count() or 1))
PARENT_CHECK = 0.5  # seconds between a worker's checks that its parent is still there


def new_pool(workers: int = PARSE_WORKERS) -> ProcessPoolExecutor:
    """A pool of spawned workers that follow their parent out."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_follow_parent,
        initargs=(os.getpid(),),
    )


def _follow_parent(parent: int) -> None:
    """In a worker: exit at once when the parent is gone (we are re-parented then)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK)
        os._exit(0)

    threading.Thread(target=watch, name="newswatch-parent-watch", daemon=True).start()
