"""Time in tests: every test runs on a FixedClock that it moves by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.domain.clock import FixedClock

if TYPE_CHECKING:  # the scheduler draws charts: matplotlib is slow to import for a type
    from bot.runtime.scheduler import Ticker, TickReport

# A Monday morning in ISO week 48 of 2026: the week the scripted tests play out.
START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def fixed(clock: object) -> FixedClock:
    assert isinstance(clock, FixedClock), "tests run on a FixedClock"
    return clock


def tick_at(ticker: Ticker, when: datetime | str) -> TickReport:
    """Move the services' clock to ``when`` and run one tick there."""
    fixed(ticker.muster.clock).set(datetime.fromisoformat(when) if isinstance(when, str) else when)
    return ticker.tick()


def set_clock(clock: object, when: datetime | str) -> None:
    """Stand the clock at ``when`` (an ISO string or an aware datetime)."""
    fixed(clock).set(datetime.fromisoformat(when) if isinstance(when, str) else when)
