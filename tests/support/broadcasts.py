"""Digests and alerts in tests: the channels they go to, the week they play out in,
and what the Web API stand-in was asked to post there."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.clock import FixedClock
from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from tests.support.clock import set_clock
from tests.support.factories import COORDINATOR, small_coalition

ALERTS, STATUS, COORDINATORS = "C0ALERTS", "C0STATUS", "C0COORD"
MONDAY = datetime.fromisoformat("2026-11-23T10:00:00+00:00")
FRIDAY = datetime.fromisoformat("2026-11-27T15:00:00+00:00")  # 16:00 in Brussels


def at(minutes: int) -> datetime:
    return MONDAY + timedelta(minutes=minutes)


def messages_in(slack: SlackStandIn, channel: str = ALERTS) -> list[str]:
    return [
        c.args["text"] for c in slack.calls_to("chat.postMessage") if c.args["channel"] == channel
    ]


def alerts_in(slack: SlackStandIn, channel: str = ALERTS) -> list[str]:
    """Every alert posted to ``channel``: one line each, whichever message carried it."""
    return [line for text in messages_in(slack, channel) for line in text.splitlines()]


def subscribed_coalition(clock: FixedClock, muster: Muster) -> Muster:
    """The small coalition an hour before MONDAY, with ALERTS subscribed to the gap
    alerts and STATUS to the weekly digest."""
    set_clock(clock, MONDAY - timedelta(hours=1))
    small_coalition(muster)
    muster.broadcasts.subscribe(COORDINATOR, "alerts", ALERTS)
    muster.broadcasts.subscribe(COORDINATOR, "digest", STATUS)
    return muster
