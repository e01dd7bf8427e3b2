"""Alerts a coordinator can read: one message per channel and tick, and changes found
from a watermark (downtime loses nothing, repeats nothing)."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.clock import FixedClock
from bot.domain.model import PledgeStatus, Priority
from bot.runtime.scheduler import Ticker
from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from tests.support.broadcasts import ALERTS, MONDAY
from tests.support.broadcasts import messages_in as posts
from tests.support.clock import set_clock, tick_at
from tests.support.factories import COORDINATOR, OTHER, OWN, small_coalition
from tests.support.slack import SlashCommands, validate_calls


def test_the_first_tick_in_a_realistic_coalition_posts_one_message(
    clock: FixedClock, muster: Muster, ticker: Ticker, slack: SlackStandIn
) -> None:
    set_clock(clock, MONDAY - timedelta(hours=1))
    small_coalition(muster)
    for n in range(15):  # fifteen more critical lines, all red
        muster.requirements.add_requirement(
            COORDINATOR,
            objective="LAND",
            quantity=2,
            unit="units",
            title=f"Enabler {n}",
            priority=Priority.CRITICAL,
        )
    muster.broadcasts.subscribe(COORDINATOR, "alerts", ALERTS)
    report = tick_at(ticker, MONDAY)
    assert len(report.alerts) >= 16
    [message] = posts(slack)
    assert message.count(" is a critical shortfall") == len(report.alerts)
    validate_calls(slack.calls)


def test_after_three_days_of_downtime_one_message_covers_every_change_once(
    clock: FixedClock,
    muster: Muster,
    muster_cmd: SlashCommands,
    ticker: Ticker,
    slack: SlackStandIn,
) -> None:
    set_clock(clock, MONDAY - timedelta(hours=1))
    small_coalition(muster)
    muster.pledges.pledge(
        OTHER, requirement="LAND-1", quantity=2, status=PledgeStatus.CONFIRMED
    )  # P-3
    muster.broadcasts.subscribe(COORDINATOR, "alerts", ALERTS)
    tick_at(ticker, MONDAY)  # SKY-1 is a critical shortfall
    slack.reset()
    set_clock(clock, MONDAY + timedelta(hours=2))
    muster_cmd(OWN, 'withdraw P-2 "reassigned"')
    set_clock(clock, MONDAY + timedelta(days=1))
    muster_cmd(OTHER, "pledge update P-3 quantity 1")
    # The servers are down until Thursday: the old one-hour window saw neither change.
    tick_at(ticker, MONDAY + timedelta(days=3))
    [message] = posts(slack)
    assert "An undisclosed pledge was withdrawn on LAND-1" in message
    assert "P-3 (OST) was reduced from 2 to 1 battlegroup on LAND-1" in message
    tick_at(ticker, MONDAY + timedelta(days=3, minutes=1))
    tick_at(ticker, MONDAY + timedelta(days=4))
    assert len(posts(slack)) == 1  # nothing repeated
