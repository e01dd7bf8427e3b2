"""The one place that reads the wall clock.

Everything else takes the time from a ``Clock`` injected at the composition root,
so tests run on a fixed clock and the build passes on any date. A lint rule
(ruff's banned-api) keeps the wall clock out of every other module."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Now, timezone-aware UTC."""
    return datetime.now(UTC)  # noqa: TID251 (this module is the one allowed reader)


def epoch_seconds() -> int:
    """Seconds since the epoch, for protocols that stamp requests with it (Slack's
    request signatures are checked against the real time, whatever the domain's clock)."""
    return int(time.time())  # noqa: TID251


class FixedClock:
    """A clock that stands still until told to move: for tests, ``muster tick --now``
    and replaying a scripted week."""

    def __init__(self, now: datetime) -> None:
        self.now = _aware(now)

    def __call__(self) -> datetime:
        return self.now

    def set(self, when: datetime) -> None:
        self.now = _aware(when)

    def advance(self, by: timedelta) -> datetime:
        self.now += by
        return self.now


def _aware(when: datetime) -> datetime:
    if when.tzinfo is None:
        raise ValueError("a clock needs a timezone-aware time")
    return when.astimezone(UTC)
