"""Gap alerts, posted by the scheduler's tick: once per condition, in the words each
channel may read, never resolved by a reading older than the alert, and escaped."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.clock import FixedClock
from bot.runtime.scheduler import Ticker
from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from tests.support.broadcasts import (
    ALERTS,
    COORDINATORS,
    MONDAY,
    alerts_in,
    at,
    messages_in,
    subscribed_coalition,
)
from tests.support.clock import set_clock, tick_at
from tests.support.factories import COORDINATOR, OTHER, OWN
from tests.support.slack import SlashCommands, validate_calls


@pytest.fixture
def coalition(clock: FixedClock, muster: Muster) -> Muster:
    """Not the tier's plain coalition: this one is subscribed to alerts and the digest."""
    return subscribed_coalition(clock, muster)


def posts(slack: SlackStandIn, channel: str) -> list[str]:
    """What was posted to ``channel``, one line per alert (a tick groups them in one message)."""
    return [
        line
        for c in slack.calls_to("chat.postMessage")
        if c.args["channel"] == channel
        for line in c.args["text"].splitlines()
    ]


def test_a_scripted_week_of_alerts_each_condition_once(
    clock: FixedClock,
    alerting: Muster,
    muster_cmd: SlashCommands,
    ticker: Ticker,
    slack: SlackStandIn,
) -> None:
    tick_at(ticker, at(0))
    assert alerts_in(slack) == [
        "SKY-1 is a critical shortfall. Air defence: firm 0 of 6 batteries."
    ]
    tick_at(ticker, at(1))
    assert len(alerts_in(slack)) == 1  # still red: no repeat

    set_clock(clock, at(2))  # LAND-1 (4 battlegroups): VAL withdraws its restricted 2
    muster_cmd(OWN, 'withdraw P-2 "reassigned"')
    tick_at(ticker, at(3))
    tick_at(ticker, at(4))
    opened = alerts_in(slack)[1:]
    assert opened == [
        "An undisclosed pledge was withdrawn on LAND-1. Battlegroups: firm now 0 of 4 battlegroups."
    ]

    set_clock(clock, at(5))  # SKY-1 filled: the condition resolves
    muster_cmd(OTHER, "pledge SKY-1 6 confirmed")
    tick_at(ticker, at(6))
    set_clock(clock, at(7))  # … and relapses when the offer shrinks
    muster_cmd(OTHER, "pledge update P-3 quantity 2")
    tick_at(ticker, at(8))
    tick_at(ticker, at(9))
    # The reduction that turns the critical line red again is one message saying both,
    # under one Pledge button.
    assert alerts_in(slack)[2:] == [
        "SKY-1 is a critical shortfall. Air defence: firm 2 of 6 batteries.",
        "P-3 (OST) was reduced from 6 to 2 batteries on SKY-1. Air defence: firm now 2 of 6 batteries.",
    ]
    assert len(messages_in(slack)) == 3
    last = slack.calls_to("chat.postMessage")[-1].args["blocks"]
    sections = [b for b in last if b.get("accessory")]
    assert len(sections) == 1 and sections[0]["accessory"]["value"] == "SKY-1"
    validate_calls(slack.calls)


def test_the_coordinators_channel_sees_who_withdrew(
    clock: FixedClock,
    alerting: Muster,
    muster_cmd: SlashCommands,
    ticker: Ticker,
    slack: SlackStandIn,
) -> None:
    set_clock(clock, at(0))
    alerting.broadcasts.subscribe(COORDINATOR, "alerts", COORDINATORS)
    set_clock(clock, at(1))
    muster_cmd(OWN, "withdraw P-2")
    tick_at(ticker, at(2))
    assert (
        "P-2 (VAL) was withdrawn on LAND-1. Battlegroups: firm now 0 of 4 battlegroups."
        in alerts_in(slack, COORDINATORS)
    )
    assert (
        "An undisclosed pledge was withdrawn on LAND-1. Battlegroups: firm now 0 of 4 battlegroups."
        in alerts_in(slack)
    )


def test_deadlines_and_stale_questions(
    clock: FixedClock,
    alerting: Muster,
    muster_cmd: SlashCommands,
    ticker: Ticker,
    slack: SlackStandIn,
) -> None:
    set_clock(clock, at(0))
    muster_cmd(COORDINATOR, "requirement edit LAND-1 by 2026-12-01")
    tick_at(ticker, at(1))
    assert (
        "LAND-1 is needed by 2026-12-01 and still short. Battlegroups: firm 2 of 4 battlegroups."
        in alerts_in(slack)
    )
    tick_at(ticker, MONDAY + timedelta(days=6))  # Q-1 was asked an hour before Monday: six days old
    assert not [t for t in alerts_in(slack) if t.startswith("Q-1")]
    tick_at(ticker, MONDAY + timedelta(days=7))
    stale = [t for t in alerts_in(slack) if t.startswith("Q-1")]
    assert stale == ["Q-1 has waited 7 days for an answer. Who provides air cover for our battery?"]
    answer_button = next(
        c for c in slack.calls_to("chat.postMessage") if c.args["text"].startswith("Q-1")
    )
    assert answer_button.args["blocks"][0]["accessory"]["action_id"] == "muster.answer"


def test_a_stale_reading_never_resolves_an_alert_posted_after_it(
    clock: FixedClock, coalition: Muster, ticker: Ticker, slack: SlackStandIn
) -> None:
    tick_at(ticker, MONDAY)  # posts "SKY-1 is a critical shortfall"
    b = coalition.broadcasts
    assert (
        b.resolve_alerts(1, set(), ("critical_red",), evaluated_at=MONDAY - timedelta(seconds=2))
        == 0
    )
    tick_at(ticker, MONDAY + timedelta(minutes=1))
    assert (
        len([t for t in posts(slack, ALERTS) if t.startswith("SKY-1 is a critical shortfall")]) == 1
    )


def test_a_reduced_undisclosed_pledge_shows_no_figures(
    clock: FixedClock,
    coalition: Muster,
    muster_cmd: SlashCommands,
    ticker: Ticker,
    slack: SlackStandIn,
) -> None:
    set_clock(clock, MONDAY)
    muster_cmd(OWN, "pledge update P-2 quantity 1")
    tick_at(ticker, MONDAY + timedelta(minutes=1))
    assert (
        "An undisclosed pledge was reduced on LAND-1. Battlegroups: firm now 1 of 4 battlegroups."
        in posts(slack, ALERTS)
    )


def test_alert_notifications_are_escaped(
    clock: FixedClock,
    coalition: Muster,
    muster_cmd: SlashCommands,
    ticker: Ticker,
    slack: SlackStandIn,
) -> None:
    set_clock(clock, MONDAY - timedelta(days=8))
    muster_cmd(OTHER, "ask &lt;!here&gt; who pays?")
    tick_at(ticker, MONDAY)
    stale = next(t for t in posts(slack, ALERTS) if "waited" in t)
    assert "<!here>" not in stale and "&lt;!here&gt;" in stale
