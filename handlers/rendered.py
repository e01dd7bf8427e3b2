"""Replies rendered once from one read-model object.

The services hand out the very same report object while the data stays the same
(bot/services/read_cache.py), and rendering is pure: the reply rendered from that
object is reused, keyed by the object itself (held, so its id cannot be reused)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import replace

from handlers.blocks import Reply


class RenderedOnce:
    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._replies: OrderedDict[tuple[int, Hashable], tuple[object, Reply]] = OrderedDict()
        self._lock = threading.Lock()

    def reply(self, model: object, variant: Hashable, render: Callable[[], Reply]) -> Reply:
        key = (id(model), variant)
        with self._lock:
            kept = self._replies.get(key)
        if kept is None or kept[0] is not model:
            kept = (model, render())
            with self._lock:
                self._replies[key] = kept
                while len(self._replies) > self.size:
                    self._replies.popitem(last=False)
        # A copy of the reply and its list of blocks: a caller may add to either.
        return replace(kept[1], blocks=list(kept[1].blocks))


STATUS = RenderedOnce()
GAPS = RenderedOnce()
