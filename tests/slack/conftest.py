"""Fixtures of the Slack tier: the real Bolt app and the scheduler's tick, both against
the Web API stand-in, and the coalitions they act on."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.domain.clock import FixedClock
from bot.runtime.app import create_app, make_client
from bot.runtime.scheduler import Ticker
from bot.runtime.settings import Settings
from bot.runtime.standin import SlackStandIn
from bot.runtime.workers import WorkerPool
from bot.services.muster import Muster
from tests.conftest import SIGNING_SECRET
from tests.support.broadcasts import ALERTS, COORDINATORS, MONDAY
from tests.support.clock import set_clock
from tests.support.factories import COORDINATOR, small_coalition
from tests.support.slack import SlashCommands


@pytest.fixture
def muster_cmd(settings: Settings, muster: Muster, slack: SlackStandIn) -> Iterator[SlashCommands]:
    """`/muster …` through the real Bolt app, signed, with the Web API on loopback."""
    workers = WorkerPool(8)
    app = create_app(settings, muster=muster, workers=workers)
    yield SlashCommands(app, SIGNING_SECRET, slack.response_url(), workers)
    workers.shutdown(wait=True)


@pytest.fixture
def ticker(muster: Muster, settings: Settings) -> Ticker:
    """The scheduler tick against the Web API stand-in, with no pause between posts."""
    return Ticker(muster, make_client(settings), pace=0, worker="test-worker")


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
