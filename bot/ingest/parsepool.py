"""Worker processes for parsing, so parsing never starves the event loop and one feed never
takes the service down.

feedparser is pure Python: in threads it holds the GIL, and a 300-feed poll kept slash
commands waiting over a second (bench/responsive.py). In worker processes the loop stays
free. Workers are spawned (never forked from a process with threads) and exit on their
own when the process that made them dies, even by SIGKILL, so none is left behind.

Each worker runs one parse at a time over its own pipe, so when one dies (killed by its
CPU limit, the OOM killer or anyone) the pool knows which parse it was running: that one
parse fails with the reason, the worker is replaced, and every other parse carries on.
(A ProcessPoolExecutor fails every pending parse at the first death and is broken for good.)
Each worker's address space and each parse's CPU time are capped (`resource.setrlimit`),
and each parse's wall-clock time too: a worker that uses no CPU (stopped, or stuck on a
lock) never reaches its CPU limit, so past the deadline the pool kills it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from bot.ingest.parse import ParsedFeed, parse_feed
from bot.ingest.parseworker import Limits, Parse, serve

log = logging.getLogger("newswatch.parse")

PARSE_WORKERS = max(1, min(4, os.cpu_count() or 1))
# A worker's address space. A spawned worker holds about 160 MiB of it before its first
# parse (mostly reserved, not resident), and the largest feed a fetch lets through (10 MiB
# of 4-byte characters, feedparser's path) needs 200 to 260 MiB (measured on 3.11, x86-64;
# tests/test_parse_limits.py parses it). 1 GiB leaves four times that; a runaway parse gets
# a MemoryError there, never the host's RAM.
PARSE_MEMORY = 1 << 30
# CPU seconds for one parse. A 10 MiB feed takes under 2 s on feedparser's path (measured);
# fifteen times that allows a slow machine. Past it the kernel stops the worker (SIGXCPU).
PARSE_CPU_SECONDS = 30
# Wall-clock seconds for one parse, from the worker's word that it has the request. Longer
# than the CPU limit, so a parse that computes meets that first; this one ends a worker that
# is not running at all (kill -STOP, a debugger), which the CPU limit never would.
PARSE_WALL_SECONDS = 60.0
# Wall-clock seconds for a worker to take a request (a new one imports feedparser first); a
# worker stopped while idle would otherwise hold the send of a large body forever.
HANDOVER_SECONDS = 60.0


class ParsePool:
    """Up to `workers` spawned processes, each parsing one feed at a time.

    Workers start on demand and stay for the next parse. `parse` never raises for a bad
    feed or a dead worker: both come back as a ParsedFeed with an error.
    """

    def __init__(
        self,
        workers: int | None = None,
        *,
        memory: int = PARSE_MEMORY,
        cpu_seconds: int = PARSE_CPU_SECONDS,
        wall_seconds: float = PARSE_WALL_SECONDS,
        handover_seconds: float = HANDOVER_SECONDS,
        task: Parse = parse_feed,
    ) -> None:
        self.size = workers or PARSE_WORKERS
        self._limits = Limits(memory, cpu_seconds)
        self._wall_seconds = wall_seconds
        self._handover_seconds = handover_seconds
        self._task = task
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._out: dict[int, _Worker] = {}  # pid -> a worker given a parse
        # One thread a worker, so a parse always finds a worker idle or room for a new one.
        self._threads = ThreadPoolExecutor(self.size, thread_name_prefix="newswatch-parse")
        self._closed = False
        self._unreadable_logged: set[int] = set()  # sources whose unreadable date was logged

    async def parse(
        self, source: int, body: bytes, url: str, content_type: str | None, now: float
    ) -> ParsedFeed:
        """Parse one fetched body in a worker; `source` names it in busy() and the log."""
        loop = asyncio.get_running_loop()
        parsed = await loop.run_in_executor(
            self._threads, self._run, source, (body, url, content_type, now)
        )
        if parsed.unreadable_date and source not in self._unreadable_logged:
            self._unreadable_logged.add(source)  # once per source, with the raw text (issue 14)
            log.info("unreadable date %r", parsed.unreadable_date, extra={"url": url})
        return parsed

    def busy(self) -> dict[int, int]:
        """The pid of each worker that has started a parse, to the source it parses."""
        with self._lock:
            return {pid: w.source for pid, w in self._out.items() if w.started}

    def pids(self) -> list[int]:
        with self._lock:
            return [w.pid for w in self._idle] + list(self._out)

    def close(self) -> None:
        """Stop every worker: idle ones are asked to exit, busy ones are terminated."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
            busy = list(self._out.values())
        for worker in idle:
            worker.stop()
        for worker in busy:
            worker.process.terminate()
            with contextlib.suppress(OSError):  # a stopped worker acts on SIGTERM once resumed
                os.kill(worker.pid, signal.SIGCONT)
        self._threads.shutdown(wait=True, cancel_futures=True)
        for worker in idle + busy:
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()

    def _run(self, source: int, args: tuple[bytes, str, str | None, float]) -> ParsedFeed:
        for attempt in range(2):
            worker = self._take(source)
            if not _hand_over(worker, args, self._handover_seconds):
                # It died, or was stopped, before this parse reached it: not this feed's
                # doing, so a fresh worker gets it, once.
                self._drop(worker)
                if attempt == 0:
                    continue
                return self._died(worker, source)
            with self._lock:
                worker.started = True
            try:
                if not worker.conn.poll(self._wall_seconds):
                    return self._overran(worker, source)
                result: ParsedFeed = worker.conn.recv()
            except (EOFError, OSError):  # it died mid-parse: that parse, and only it, fails
                self._drop(worker)
                return self._died(worker, source)
            self._give_back(worker)
            return result
        raise AssertionError("unreachable")

    def _died(self, worker: _Worker, source: int) -> ParsedFeed:
        if self._closed:
            return ParsedFeed(title="", items=(), error="parse stopped: newswatch is closing")
        reason = _death(worker, self._limits)
        log.warning("parse worker died", extra={"source": source, "reason": reason})
        return ParsedFeed(title="", items=(), error=reason)

    def _overran(self, worker: _Worker, source: int) -> ParsedFeed:
        """A parse past its wall-clock limit: its worker is killed and replaced."""
        worker.process.kill()  # SIGKILL ends a stopped process too
        self._drop(worker)
        if self._closed:
            return ParsedFeed(title="", items=(), error="parse stopped: newswatch is closing")
        reason = f"parse took over {self._wall_seconds:g} s (worker killed)"
        log.warning("parse worker killed", extra={"source": source, "reason": reason})
        return ParsedFeed(title="", items=(), error=reason)

    def _take(self, source: int) -> _Worker:
        with self._lock:
            if self._closed:
                raise RuntimeError("ParsePool.parse after close()")
            worker = self._idle.pop() if self._idle else None
        if worker is not None and not worker.process.is_alive():  # killed while idle
            self._drop(worker)
            worker = None
        if worker is None:
            worker = _Worker.start(self._context, self._task, self._limits)
        worker.source, worker.started = source, False
        with self._lock:
            self._out[worker.pid] = worker
        return worker

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            self._out.pop(worker.pid, None)
            if not self._closed:
                self._idle.append(worker)
                return
        worker.stop()

    def _drop(self, worker: _Worker) -> None:
        with self._lock:
            self._out.pop(worker.pid, None)
        worker.conn.close()
        worker.process.join()


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    pid: int
    source: int = 0
    started: bool = False  # it confirmed it has the parse: a death now is that parse's

    @classmethod
    def start(
        cls, context: multiprocessing.context.SpawnContext, task: Parse, limits: Limits
    ) -> _Worker:
        here, there = context.Pipe()
        process = context.Process(
            target=serve,
            args=(there, os.getpid(), task, limits),
            name="newswatch-parse",
            daemon=True,
        )
        process.start()
        there.close()  # only the worker holds its end: its death reads as EOF here
        assert process.pid is not None
        return cls(process, here, process.pid)

    def stop(self) -> None:
        """Ask an idle worker to exit (it may be dead already)."""
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.conn.close()


def _hand_over(worker: _Worker, args: tuple[bytes, str, str | None, float], seconds: float) -> bool:
    """Give a worker its request and wait for its word that it has it; False when it died
    first or did not take it within `seconds` (then it is killed)."""
    watchdog = threading.Timer(seconds, worker.process.kill)
    watchdog.daemon = True
    watchdog.start()
    try:
        worker.conn.send(args)
        worker.conn.recv()
    except (EOFError, OSError):
        return False
    finally:
        watchdog.cancel()
    return True


def _death(worker: _Worker, limits: Limits) -> str:
    """Why a worker is gone, from its exit status."""
    code = worker.process.exitcode
    if code is None:
        return "parse worker died"
    if code >= 0:
        return f"parse worker died (exit status {code})"
    number = -code
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = "unknown signal"
    if number == signal.SIGXCPU:
        return (
            f"parse worker died (over {limits.cpu_seconds} s of CPU: "
            f"killed by signal {number}, {name})"
        )
    return f"parse worker died (killed by signal {number}, {name})"
