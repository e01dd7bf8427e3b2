"""Two hundred days of periodic reconfirmation through the real app and the scheduler's
tick, on a clock moved a day at a time: each delegation is asked once a round, by a
direct message to each of its members; pledges nobody reconfirms go stale and leave
firm coverage in status, the gaps, the digest and the Home tab; reconfirmed by the
button or by `/muster reconfirm`, or changed through the form, they come back; and
`reconfirm off` stops it all."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.domain.clock import FixedClock
from bot.runtime.scheduler import Ticker
from bot.runtime.standin import Call, SlackStandIn
from bot.services.muster import Muster
from handlers.ids import ACTION_CHANGE_PLEDGE, ACTION_STILL_VALID, CALLBACK_PLEDGE_CHANGE
from tests.support.answers import CAL, OST, VAL, dms, more_members, readable
from tests.support.clock import START, set_clock, tick_at
from tests.support.factories import COORDINATOR
from tests.support.http import fill
from tests.support.slack import SlashCommands, home_of, press, submit

COORDINATORS = "C0COORD"
DAYS = 200


def day(n: int, hour: int = 10) -> datetime:
    """Day ``n`` of the scenario, at ``hour`` UTC (10:00 is after the day's round)."""
    return START + timedelta(days=n, hours=hour - START.hour)


def buttons(call: Call) -> dict[tuple[str, str], str]:
    """(action, pledge) → value of every button in a direct message."""
    return {
        (e["action_id"], e["value"]): e["value"]
        for block in call.args["blocks"]
        if block["type"] == "actions"
        for e in block["elements"]
    }


def listed(call: Call) -> list[str]:
    """The pledges a request lists, by their buttons."""
    return [value for (action, value) in buttons(call) if action == ACTION_STILL_VALID]


def coverage_of(muster: Muster, code: str) -> tuple[object, ...]:
    [view] = [v for v in muster.reports.gaps(COORDINATOR) if v.code == code] or [
        v
        for part in muster.reports.status(COORDINATOR).objectives
        for v in part.requirements
        if v.code == code
    ]
    c = view.coverage
    return (c.firm, c.pending, c.conditional)


def change_values(view: dict[str, Any], **changes: object) -> dict[str, Any]:
    """What Slack submits for a form whose fields keep their initial values but these."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block.get("type") != "input":
            continue
        element = block["element"]
        initial = (
            element.get("initial_value")
            or element.get("initial_date")
            or bool(element.get("initial_options"))
            or None
        )
        values[block["block_id"]] = initial
    return values | changes


class Week:
    """The scenario's clock, ticks and the direct messages each round sent."""

    def __init__(self, clock: FixedClock, ticker: Ticker, slack: SlackStandIn) -> None:
        self.clock, self.ticker, self.slack = clock, ticker, slack
        self.seen = 0
        self.requests: dict[int, list[Call]] = defaultdict(list)  # day: messages sent

    def tick(self, n: int) -> None:
        """The day's ticks: at 10:00 UTC and at 15:00 (the digest's Friday hour)."""
        for hour in (10, 15):
            tick_at(self.ticker, day(n, hour))
            sent = dms(self.slack)
            self.requests[n] += [
                c
                for c in sent[self.seen :]
                if c.args["metadata"]["event_payload"]["key"].startswith("reconfirm:")
            ]
            self.seen = len(sent)

    def run(self, first: int, last: int) -> None:
        for n in range(first, last + 1):
            self.tick(n)

    def at(self, n: int, hour: int = 12) -> None:
        set_clock(self.clock, day(n, hour))


@pytest.fixture
def week(coalition: Muster, clock: FixedClock, ticker: Ticker, slack: SlackStandIn) -> Week:
    more_members(coalition)  # VAL has three members, OST two, CAL one
    return Week(clock, ticker, slack)


def test_two_hundred_days_of_reconfirmation(
    week: Week, muster: Muster, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    # Day 0: Ostland confirms 2 batteries for SKY-1 (P-3); the coordinators turn
    # reconfirmation on and take the digest in their channel.
    set_clock(week.clock, START)
    muster_cmd(COORDINATOR, f"setup coordinators-channel <#{COORDINATORS}>")
    muster_cmd(COORDINATOR, f"digest subscribe <#{COORDINATORS}> weekly friday 16:00")
    assert "P-3 recorded" in muster_cmd(OST[0], "pledge SKY-1 2 confirmed").text
    on = muster_cmd(COORDINATOR, "reconfirm every 90d grace 14d").text
    assert "every 90 days, with 14 days' grace" in on
    assert "No live pledge was last confirmed 90 days ago or more." in on
    assert coverage_of(muster, "SKY-1") == (2, 0, 1)
    assert coverage_of(muster, "LAND-1") == (2, 0, 0)
    week.run(0, 29)
    week.at(30)
    assert "P-4 recorded" in muster_cmd(VAL[1], "pledge LAND-1 1 confirmed").text

    # Day 90: the first round asks every delegation with pledges 90 days old, once.
    week.run(30, 91)
    assert sorted(week.requests) == list(range(92)) and [
        n for n, sent in week.requests.items() if sent
    ] == [90]
    first = week.requests[90]
    assert Counter(c.args["channel"] for c in first) == Counter([*VAL, *OST])
    by_member = {c.args["channel"]: c for c in first}
    assert listed(by_member[VAL[0]]) == ["P-1", "P-2"]  # its own restricted pledge too
    assert listed(by_member[OST[0]]) == ["P-3"]
    assert "P-2" not in readable(by_member[OST[0]])  # another nation's restricted pledge
    assert "only in the western region" in readable(by_member[VAL[0]])
    assert not set(CAL) & {c.args["channel"] for c in first}  # no pledge, no request

    # Day 91: Valdoria says P-1 still stands, with the button; Ostland cannot do it for it.
    week.at(91)
    press(muster_cmd, OST[0], ACTION_STILL_VALID, "P-1")
    [refused] = slack.calls_to("response_url")
    assert refused.args["text"] == "Only its own delegation can reconfirm P-1."
    press(muster_cmd, VAL[2], ACTION_STILL_VALID, "P-1")
    answered = slack.calls_to("response_url")[-1].args
    assert (
        answered["text"].startswith("Pledge P-1 reconfirmed")
        and answered["response_type"] == "ephemeral"
    )

    # Day 104: the grace is over. P-2 and P-3 go stale and leave firm coverage.
    before = muster_cmd(OST[0], "status SKY").text
    assert "firm 2 of 6 batteries" in before
    week.run(92, 104)
    assert coverage_of(muster, "SKY-1") == (0, 2, 1)
    assert coverage_of(muster, "LAND-1") == (1, 2, 0)  # P-4 (day 30) is not due yet
    assert (
        "firm 0 of 6 batteries (0%) · pending 2 · conditional 1"
        in muster_cmd(OST[0], "status SKY").text
    )
    assert "SKY-1" in muster_cmd(OST[0], "gaps").text
    pledges = muster_cmd(VAL[0], "pledges mine").text
    assert "*P-2* VAL → LAND-1: 2 battlegroups, confirmed · restricted · ⚠️ *stale* since" in pledges
    assert "*P-1* VAL → SKY-1: 1 battery, offered\n" in pledges  # reconfirmed: not stale
    history = muster_cmd(VAL[0], "history P-2").text
    assert "P-2 asked to reconfirm by Muster" in history
    assert "P-2 went stale by Muster: stale no → yes" in history
    home = json.dumps(home_of(VAL[0], muster_cmd, slack), ensure_ascii=False)
    assert "*P-2* VAL → LAND-1: 2 battlegroups, confirmed · restricted · ⚠️ *stale* since" in home

    # The next digest says how much firm capacity went stale, in the coordinators' view.
    week.run(105, 105)
    week.at(106)
    back = muster_cmd(OST[1], "reconfirm P-3").text
    assert back.startswith("Pledge P-3 reconfirmed")
    assert "P-3 was stale and counts as it stands again." in back
    assert coverage_of(muster, "SKY-1") == (2, 0, 1)
    week.run(106, 111)
    digests = [
        c.args
        for c in slack.calls_to("chat.postMessage")
        if c.args["channel"] == COORDINATORS and "Weekly status" in c.args["text"]
    ]
    stale_digests = [json.dumps(d["blocks"], ensure_ascii=False) for d in digests]
    [reporting] = [d for d in stale_digests if "*Gone stale*" in d]
    assert "2 battlegroups of firm capacity went stale: LAND-1 (P-2 VAL)" in reporting
    assert "*Reconfirmed (1)*: P-3 OST → SKY-1: 2 batteries" in reporting
    # Reconfirmed before that digest, P-3 is not stale: the digest does not say it is.
    assert "SKY-1 (P-3" not in reporting

    # Day 121: P-4, pledged on day 30, comes due: Valdoria's second round, P-4 alone.
    week.run(112, 125)
    second = [n for n, sent in week.requests.items() if sent and n > 90]
    assert second == [121]
    assert [listed(c) for c in week.requests[121]] == [["P-4"]] * len(VAL)

    # Day 125: Valdoria changes P-4 through the form the Change button opens.
    week.at(125)
    press(muster_cmd, VAL[1], ACTION_CHANGE_PLEDGE, "P-4")
    form = slack.calls_to("views.open")[-1].args["view"]
    assert form["callback_id"] == CALLBACK_PLEDGE_CHANGE
    done = submit(muster_cmd, fill(VAL[1], form, change_values(form, quantity="2")))
    assert done["view"]["title"]["text"] == "Pledge P-4 updated"
    assert coverage_of(muster, "LAND-1") == (2, 2, 0)

    # Day 182: P-1, reconfirmed on day 91, is asked about again; nothing else is.
    week.run(126, 185)
    assert [n for n, sent in week.requests.items() if sent and n > 121] == [182]
    assert [listed(c) for c in week.requests[182]] == [["P-1"]] * len(VAL)

    # Day 186: reconfirmation off. P-2 counts as it stands again; nobody is asked again.
    week.at(186)
    off = muster_cmd(COORDINATOR, "reconfirm off").text
    assert "1 stale pledge (P-2) counts as it stands again" in off
    assert coverage_of(muster, "LAND-1") == (4, 0, 0)
    week.run(186, DAYS)
    assert [n for n, sent in week.requests.items() if sent] == [90, 121, 182]
    assert coverage_of(muster, "SKY-1") == (2, 0, 1)  # P-1 and P-3 never went stale again

    # Every member got each of its delegation's requests once, and nobody else did.
    keys = Counter(
        c.args["metadata"]["event_payload"]["key"] for sent in week.requests.values() for c in sent
    )
    assert set(keys.values()) == {1}
    assert len(keys) == len(VAL) * 3 + len(OST)
