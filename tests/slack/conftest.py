"""Fixtures of the Slack tier: the real Bolt app and the scheduler's tick, both against
the Web API stand-in, and the coalitions they act on."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.clock import FixedClock
from bot.services.muster import Muster
from tests.support.broadcasts import ALERTS, COORDINATORS, MONDAY
from tests.support.clock import set_clock
from tests.support.factories import COORDINATOR, small_coalition


@pytest.fixture
def alerting(clock: FixedClock, muster: Muster) -> Muster:
    """SKY-1 (6 batteries, critical) has one conditional offer: red from the start."""
    set_clock(clock, MONDAY - timedelta(hours=1))
    small_coalition(muster)
    muster.delegations.set_coordinators_channel(COORDINATOR, COORDINATORS)
    muster.broadcasts.subscribe(COORDINATOR, "alerts", ALERTS)
    return muster


@pytest.fixture
def coalition(muster: Muster) -> Muster:
    """The small coalition of tests/support/factories.py."""
    small_coalition(muster)
    return muster
