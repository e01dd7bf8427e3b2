"""The tick runs every minute in every serving process. When nothing is due it must
change nothing, so that what `status` and `gaps` built stays reusable (issue 9):
housekeeping that deletes or updates no row does not renew the data version."""

from __future__ import annotations

import time
from datetime import timedelta

from bot.domain.clock import FixedClock
from bot.runtime.app import make_client
from bot.runtime.scheduler import Ticker
from bot.runtime.settings import Settings
from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from storage.db import read_session
from storage.versions import data_version
from tests.support.broadcasts import FRIDAY, MONDAY, STATUS, messages_in, subscribed_coalition
from tests.support.clock import tick_at
from tests.support.factories import OWN


def version(muster: Muster) -> int | None:
    with read_session(muster.engine) as s:
        return data_version(s)


def test_a_tick_with_nothing_due_keeps_what_status_built(
    clock: FixedClock, muster: Muster, ticker: Ticker, slack: SlackStandIn
) -> None:
    subscribed_coalition(clock, muster)
    tick_at(ticker, MONDAY)  # the first tick alerts on the red lines: that writes
    status = muster.reports.status(OWN)
    before = version(muster)

    for minutes in range(1, 6):  # quiet minutes: the digest is due on Friday
        tick_at(ticker, MONDAY + timedelta(minutes=minutes))
    assert version(muster) == before
    assert muster.reports.status(OWN) is status

    tick_at(ticker, FRIDAY)  # the control: a digest posted is a change
    assert messages_in(slack, STATUS)
    assert version(muster) != before
    assert muster.reports.status(OWN) is not status


def test_each_step_of_the_tick_first_yields_to_the_requests_in_flight(
    clock: FixedClock, muster: Muster, settings: Settings
) -> None:
    subscribed_coalition(clock, muster)
    steps: list[float] = []
    client = make_client(settings)
    yielding = Ticker(muster, client, pace=0, worker="test-worker", yield_to=steps.append)
    tick_at(yielding, MONDAY)
    # reconfirmation, calls, one alerts subscription, answer notices, lost reports,
    # the outbox, forgetting old deliveries (the digest is not due)
    assert len(steps) == 7
    assert steps == [1.0] * 7  # a second at most each (none of it spent: nothing waits here)


def test_a_tick_under_constant_load_waits_three_seconds_in_all(
    clock: FixedClock, muster: Muster, settings: Settings
) -> None:
    subscribed_coalition(clock, muster)
    offered: list[float] = []

    def busy(seconds: float) -> None:  # the requests never stop: each wait runs out
        offered.append(seconds)
        time.sleep(0.8)

    client = make_client(settings)
    tick_at(Ticker(muster, client, pace=0, worker="test-worker", yield_to=busy), MONDAY)
    assert len(offered) == 4 and offered[:3] == [1.0] * 3 and 0.5 < offered[3] < 0.7
