"""Calls for contributions in tests: a coalition of seven delegations (one member of
Northmark works from Los Angeles), the week the call plays out in, across the change
to summer time in Brussels, and what the Web API stand-in was asked to send."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from bot.domain.clock import FixedClock
from bot.runtime.standin import Call, SlackStandIn
from bot.services.muster import Muster
from tests.support.answers import dms
from tests.support.clock import set_clock
from tests.support.factories import COORDINATOR, small_coalition

COORDINATORS = "C0COORD"
# Monday 22 March 2027, 09:00 in Brussels (winter time); the call is due on Friday
# 2 April at 12:00 in Brussels, which is summer time by then (since 28 March).
MONDAY = datetime(2027, 3, 22, 8, 0, tzinfo=UTC)
DEADLINE = datetime(2027, 4, 2, 10, 0, tzinfo=UTC)
BEFORE_48H = DEADLINE - timedelta(hours=48)  # Wednesday 12:00 in Brussels
BEFORE_4H = DEADLINE - timedelta(hours=4)  # Friday 08:00 in Brussels
OPEN = 'call open SKY LAND-1 due 2027-04-02 12:00 Europe/Brussels "Offers before the conference, please"'

MEMBERS = {
    "VAL": ("UVAL1", "UVAL2"),
    "OST": ("UOST1",),
    "CAL": ("UCAL1",),
    "MER": ("UMER1",),
    "LAK": ("ULAK1", "ULAK2"),
    "NM": ("UNM1", "UNMLA"),
    "HN": ("UHN1",),
}
NAMES = {
    "CAL": "Caledor",
    "MER": "Meridia",
    "LAK": "Lakeland",
    "NM": "Northmark",
    "HN": "Host nation",
}
PLEDGING, DECLINING, SILENT = ("VAL", "OST", "CAL"), "MER", ("HN", "LAK", "NM")
NIGHT_OWL = "UNMLA"  # in Los Angeles: 48 hours before the deadline is 03:00 there
EVERYONE = tuple(user for users in MEMBERS.values() for user in users)


def members_of(*codes: str) -> tuple[str, ...]:
    return tuple(user for code in codes for user in MEMBERS[code])


def call_coalition(muster: Muster, clock: FixedClock, slack: SlackStandIn) -> Muster:
    """The small coalition (VAL and OST, SKY-1 and LAND-1) and five more delegations,
    an hour before MONDAY, with a coordinators' channel; UNMLA's Slack time zone is
    Los Angeles, everyone else's Brussels."""
    set_clock(clock, MONDAY - timedelta(hours=1))
    small_coalition(muster)
    for code, name in NAMES.items():
        muster.delegations.add_delegation(COORDINATOR, code, name)
    for code, users in MEMBERS.items():
        muster.delegations.add_members(COORDINATOR, code, list(users))
    muster.delegations.set_coordinators_channel(COORDINATOR, COORDINATORS)
    slack.user_zones.update(dict.fromkeys(EVERYONE, "Europe/Brussels"))
    slack.user_zones[NIGHT_OWL] = "America/Los_Angeles"
    return muster


def letters(slack: SlackStandIn, title: str) -> list[Call]:
    """Direct messages whose title (their first line) starts with ``title``."""
    return [c for c in dms(slack) if c.args["text"].startswith(title)]


def reminders(slack: SlackStandIn) -> Counter[str]:
    return Counter(c.args["channel"] for c in letters(slack, "Reminder: C-1"))


def invitations(slack: SlackStandIn) -> Counter[str]:
    return Counter(c.args["channel"] for c in letters(slack, "Call for contributions C-1"))


def summaries(slack: SlackStandIn) -> list[Call]:
    return [
        c
        for c in slack.calls_to("chat.postMessage")
        if c.args["channel"] == COORDINATORS and c.args["text"].startswith("C-1 closed")
    ]
