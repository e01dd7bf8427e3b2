"""Starting and stopping a serving process: the signals that stop it, the bound on
stopping, and retrying at start-up what is not there yet (Slack, the database)."""

from __future__ import annotations

import gc
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import TypeVar

log = logging.getLogger("muster")
T = TypeVar("T")

# A thread back from the database waits for the GIL up to this long while another
# thread computes; Python's default, 5 ms, is paid at every statement of every request
# answered alongside others (status at concurrency 8: p50 25 ms on PostgreSQL).
SWITCH_INTERVAL = 0.0005
# From SIGTERM to the exit: under the 10 s Docker waits before it kills.
SHUTDOWN_BOUND = 8.0
# Seconds between start-up attempts: 1, 2, 4, … up to a minute, until it works or stops.
RETRY_DELAYS = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0)


@dataclass
class Stop:
    """Set by SIGTERM or SIGINT. A second signal ends the process at once."""

    event: threading.Event = field(default_factory=threading.Event)
    signal_name: str = ""
    at: float | None = None  # time.monotonic() of the first signal

    def install(self) -> Stop:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._received)
        return self

    def _received(self, signum: int, _frame: FrameType | None) -> None:
        if self.event.is_set():
            os._exit(128 + signum)  # asked twice: no more waiting
        self.at = time.monotonic()
        self.signal_name = signal.Signals(signum).name
        self.event.set()

    def requested(self) -> bool:
        return self.event.is_set()

    def wait(self) -> None:
        """Block until a signal arrives (in short waits: signals are handled between them)."""
        while not self.event.wait(1.0):
            pass

    def left(self) -> float:
        """Seconds left within SHUTDOWN_BOUND of the signal."""
        start = self.at if self.at is not None else time.monotonic()
        return max(0.0, start + SHUTDOWN_BOUND - time.monotonic())


class Stopped(Exception):
    """A signal arrived while start-up was still waiting for something."""


def retry(
    what: str,
    attempt: Callable[[], T],
    *,
    transient: Callable[[Exception], str | None],
    stop: Stop,
    delays: Sequence[float] = RETRY_DELAYS,
) -> T:
    """``attempt()`` until it succeeds. A failure that ``transient`` describes (returns
    a reason for) is logged and tried again after the next delay; any other is raised.
    Raises Stopped if a signal arrives while waiting."""
    failures = 0
    while True:
        try:
            return attempt()
        except Exception as exc:
            reason = transient(exc)
            if reason is None:
                raise
            delay = delays[min(failures, len(delays) - 1)]
            failures += 1
            log.warning("%s is unreachable (%s); trying again in %g s", what, reason, delay)
        if stop.event.wait(delay):
            raise Stopped


def finish(steps: Sequence[tuple[str, Callable[[float], bool]]], stop: Stop) -> bool:
    """Run the shutdown steps in order, each given the seconds left of the bound; log
    those that did not finish in time. True if all did."""
    done = True
    for name, step in steps:
        try:
            finished = step(stop.left())
        except Exception:
            log.exception("stopping: %s failed", name)
            finished = False
        if not finished:
            log.warning("stopping: %s did not finish within %g s", name, SHUTDOWN_BOUND)
            done = False
    return done


def prepare_to_serve() -> None:
    """Before a serving process builds its app (over HTTP, in each worker after the
    fork; in Socket Mode, the one process): threads take turns every SWITCH_INTERVAL."""
    sys.setswitchinterval(SWITCH_INTERVAL)


def keep_out_of_collections() -> None:
    """Leave what a serving process has built at start (modules, the app, the engine:
    some 200,000 objects) out of the garbage collector's full passes. Each such pass
    went through all of them and held every thread for 170-240 ms, the slowest
    replies of a busy minute (issue 9). Objects made afterwards are collected as
    usual."""
    gc.collect()
    gc.freeze()
