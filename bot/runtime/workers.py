"""The pool that runs follow-up work after Slack has its acknowledgement."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from typing import Any

# How long follow-up work waits for the requests in flight to be answered. Slack
# gives each request 3 s; a burst of 30 delegates is answered in well under a second,
# and a Home refresh a second late is not noticed.
YIELD_AT_MOST = 1.0


class WorkerPool(ThreadPoolExecutor):
    """A thread pool that can say when all the work given to it is done, so the
    console can print follow-ups in order and a shutdown can drain it.

    Follow-up work yields to requests: it starts once no request is being answered
    in this process (see ``answering``), or after ``yield_at_most`` seconds. In a burst
    the acknowledgements, which Slack times, then get the CPU before the App Home
    refreshes and posts that nobody is waiting for."""

    def __init__(self, max_workers: int = 32, *, yield_at_most: float = YIELD_AT_MOST) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="muster-worker")
        self._pending: set[Future[Any]] = set()
        self._lock = threading.Lock()
        self._quiet = threading.Condition()
        self._answering = 0
        self.yield_at_most = yield_at_most

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)
        return future

    def follow_up(self, fn: Callable[..., Any], /, *args: Any) -> Future[Any]:
        """Run ``fn`` once the requests in flight have been answered (or the wait is up)."""
        return self.submit(self._after_requests, fn, *args)

    @contextmanager
    def answering(self) -> Iterator[None]:
        """Mark a request being answered, for as long as the block runs."""
        with self._quiet:
            self._answering += 1
        try:
            yield
        finally:
            with self._quiet:
                self._answering -= 1
                if not self._answering:
                    self._quiet.notify_all()

    @property
    def requests_in_flight(self) -> int:
        """How many requests are being answered right now."""
        with self._quiet:
            return self._answering

    def until_quiet(self, at_most: float | None = None, step: float = 0.002) -> bool:
        """Wait until no request is being answered in this process, at most
        ``at_most`` seconds (``yield_at_most`` by default); True if it was quiet. In
        short sleeps, not a timed wait: under libfaketime (CI's shifted-calendar pass)
        a timed wait that runs out never returns."""
        deadline = time.monotonic() + (self.yield_at_most if at_most is None else at_most)
        while self.requests_in_flight:
            if time.monotonic() >= deadline:
                return False
            time.sleep(step)
        return True

    def _after_requests(self, fn: Callable[..., Any], *args: Any) -> Any:
        with self._quiet:
            self._quiet.wait_for(lambda: not self._answering, timeout=self.yield_at_most)
        return fn(*args)

    def _done(self, future: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until no work is pending; False if some is still running after ``timeout``."""
        with self._lock:
            pending = list(self._pending)
        if not pending:
            return True
        _done, not_done = wait(pending, timeout=timeout)
        return not not_done
