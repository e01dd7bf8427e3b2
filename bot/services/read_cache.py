"""Reads that are the same for every caller, kept while the data stays the same.

``status`` and ``gaps`` show every line's coverage to everyone alike (restricted
pledges only inside totals), and are read far more often than anything changes.
Each entry is keyed by the database's data version (storage/versions.py), read in
the caller's own transaction: any commit, by any process, makes the next read build
afresh. Kept per process, shared by its threads, a few entries at most.

An entry is never given out once it is MAX_AGE old, so that a write made outside
Muster, which renews no version, shows by then. It is built again from RENEW_AHEAD
before that: the first caller in that window builds it, and meanwhile the others are
still given the entry they have, which is of the current version (nothing Muster
wrote is missing from it). Were it built only once too old, every request arriving
during the build would wait for it (issue 9: at concurrency 8 those waits were the
slowest replies)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")
MAX_AGE = 30.0  # seconds
RENEW_AHEAD = 5.0  # seconds before MAX_AGE: the first caller from then builds afresh


class _Build:
    """One build in progress, which the threads asking for the same entry wait for."""

    def __init__(self) -> None:
        self.builder = threading.get_ident()
        self.done = threading.Event()
        self.built = False
        self.value: Any = None


class ReadCache:
    def __init__(
        self, size: int = 16, max_age: float = MAX_AGE, renew_ahead: float = RENEW_AHEAD
    ) -> None:
        self.size = size
        self.max_age = max_age
        self.renew_at = max(0.0, max_age - renew_ahead)
        # name -> (data version, built at (monotonic seconds), value)
        self._entries: OrderedDict[Hashable, tuple[Hashable, float, Any]] = OrderedDict()
        self._building: dict[tuple[Hashable, Hashable], _Build] = {}
        self._lock = threading.Lock()

    def kept(self, name: Hashable, version: Hashable | None) -> tuple[bool, Any]:
        """(True, the value) when one was built for ``name`` at ``version`` and is
        neither due to be built again nor too old while being built again; (False,
        None) otherwise: the caller then builds it, or waits for the build under way.
        Builds nothing."""
        with self._lock:
            return self._usable(name, version)

    def get(self, name: Hashable, version: Hashable | None, build: Callable[[], T]) -> T:
        """The value last built for ``name`` at ``version``, or ``build()``'s.

        Threads that miss the same entry at once build it once: the first builds, the
        others wait for its value (or, while the entry is renewed ahead of MAX_AGE,
        are given the one they have). After a write every thread of a busy process
        misses together, and eight builds at once on two cores were the slowest
        replies of all (issue 9)."""
        if version is None:
            return build()
        with self._lock:
            found, value = self._usable(name, version)
            if found:
                return value  # type: ignore[no-any-return]
            pending = self._building.get((name, version))
            mine = pending is None
            if pending is None:
                pending = self._building[(name, version)] = _Build()
        if pending.builder == threading.get_ident() and not mine:
            return build()  # a build asking for its own entry: waiting would never end
        if not mine:
            pending.done.wait()  # the builder always sets it, whatever happens to it
            if pending.built:
                return pending.value  # type: ignore[no-any-return]
            return self.get(name, version, build)  # its build failed: try our own
        return self._build(name, version, build, pending)

    def _usable(self, name: Hashable, version: Hashable | None) -> tuple[bool, Any]:
        entry = self._entries.get(name)
        if entry is None or version is None or entry[0] != version:
            return False, None
        age = time.monotonic() - entry[1]
        if age >= self.max_age:
            return False, None
        if age >= self.renew_at and (name, version) not in self._building:
            return False, None  # the caller builds it again; others get this one meanwhile
        self._entries.move_to_end(name)
        return True, entry[2]

    def _build(
        self, name: Hashable, version: Hashable, build: Callable[[], T], pending: _Build
    ) -> T:
        now = time.monotonic()  # its age counts from before it reads
        try:
            value = build()  # outside the lock: one slow build never holds up another read
            pending.value, pending.built = value, True
            with self._lock:
                self._entries[name] = (version, now, value)
                self._entries.move_to_end(name)
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
            return value
        finally:
            with self._lock:
                if self._building.get((name, version)) is pending:
                    del self._building[(name, version)]
            pending.done.set()
