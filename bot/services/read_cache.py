"""Reads that are the same for every caller, kept while the data stays the same.

``status`` and ``gaps`` show every line's coverage to everyone alike (restricted
pledges only inside totals), and are read far more often than anything changes.
Each entry is keyed by the database's data version (storage/versions.py), read in
the caller's own transaction: any commit, by any process, makes the next read build
afresh. Kept per process, shared by its threads, a few entries at most, each for at
most MAX_AGE: a write made outside Muster, which renews no version, shows by then."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")
MAX_AGE = 30.0  # seconds


class ReadCache:
    def __init__(self, size: int = 16, max_age: float = MAX_AGE) -> None:
        self.size = size
        self.max_age = max_age
        # name -> (data version, built at (monotonic seconds), value)
        self._entries: OrderedDict[Hashable, tuple[Hashable, float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, name: Hashable, version: Hashable | None, build: Callable[[], T]) -> T:
        """The value last built for ``name`` at ``version``, or ``build()``'s."""
        if version is None:
            return build()
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(name)
            if entry is not None and entry[0] == version and now - entry[1] < self.max_age:
                self._entries.move_to_end(name)
                return entry[2]  # type: ignore[no-any-return]
        value = build()  # outside the lock: one slow build never holds up another read
        with self._lock:
            self._entries[name] = (version, now, value)
            self._entries.move_to_end(name)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value
