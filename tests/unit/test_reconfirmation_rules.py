"""Periodic reconfirmation as the parsers read it and the domain rules it: `reconfirm
every 90d grace 14d`, one-line answers to what cannot be a policy, when rounds fall
(09:00 where the coalition is, across the change of clocks), what a stale pledge
counts as, and the direct message a round sends, within Slack's limits."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bot.domain.errors import BadInput
from bot.domain.model import PledgeFigure, PledgeStatus, requirement_coverage
from bot.domain.read_models import PledgeView
from bot.domain.reconfirmation import Policy, policy_problem, round_moment
from bot.services.reconfirmation import PolicyChange, Request
from handlers.ids import ACTION_CHANGE_PLEDGE, ACTION_STILL_VALID, ACTION_WITHDRAW_PLEDGE
from handlers.reconfirm import (
    MAX_WITH_BUTTONS,
    Reconfirm,
    SetPolicy,
    ShowPolicy,
    TurnOff,
    render_policy_change,
    request_message,
)
from handlers.router import parse_command
from tests.support.slack import validate_blocks

BRUSSELS = "Europe/Brussels"


def parsed(text: str) -> object:
    return parse_command(text)[1]


def refusal(text: str) -> str:
    with pytest.raises(BadInput) as raised:
        parse_command(text)
    return str(raised.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("reconfirm every 90d", SetPolicy(Policy(90, 14))),
        ("reconfirm every 90d grace 14d", SetPolicy(Policy(90, 14))),
        ("reconfirm EVERY 180D GRACE 30d", SetPolicy(Policy(180, 30))),
        ("reconfirm every 1d grace 1d", SetPolicy(Policy(1, 1))),
        ("reconfirm off", TurnOff()),
        ("reconfirm", ShowPolicy()),
        ("reconfirm P-3", Reconfirm((3,))),
        ("reconfirm p7 P-3 P-7", Reconfirm((7, 3, 7))),
    ],
)
def test_what_the_parsers_read(text: str, expected: object) -> None:
    assert parsed(text) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("reconfirm every 0d", "Reconfirmation rounds are 1 to 3,650 days apart, not 0d."),
        ("reconfirm every 3651d", "Reconfirmation rounds are 1 to 3,650 days apart, not 3,651d."),
        ("reconfirm every 90", "Write the days with a d: `90d`, not `90`."),
        ("reconfirm every -90", "'-90' is not a number of days; write it as `90d`."),
        ("reconfirm every -90d", "Reconfirmation rounds are 1 to 3,650 days apart, not -90d."),
        ("reconfirm every 90d grace -1d", "The grace is 1 to 365 days, not -1d."),
        ("reconfirm every 90d grace 0d", "The grace is 1 to 365 days, not 0d."),
        ("reconfirm every 90d grace 14", "Write the days with a d: `14d`, not `14`."),
        ("reconfirm every 90d grace", "How many days of grace? Write them with a d, e.g. `90d`."),
        ("reconfirm every", "How many days between rounds? Write them with a d, e.g. `90d`."),
        ("reconfirm every ninety", "'ninety' is not a number of days; write it as `90d`."),
        ("reconfirm every 90d weekly", "I did not understand 'weekly'."),
        ("reconfirm off now", "I did not understand 'now'."),
        ("reconfirm Q-3", "'Q-3' is not a pledge reference."),
        ("reconfirm SKY-1", "'SKY-1' is not a pledge reference."),
    ],
)
def test_what_cannot_be_read_gets_one_line_with_the_usage(text: str, says: str) -> None:
    answer = refusal(text)
    assert answer.startswith(says), answer
    assert "\n" not in answer
    assert "Usage: `/muster reconfirm" in answer


def test_the_policy_is_stored_and_read_back_and_said_in_words() -> None:
    policy = Policy(90, 14)
    assert policy.stored() == "every 90d grace 14d"
    assert Policy.read(policy.stored()) == policy
    assert policy.describe() == "every 90 days, with 14 days' grace"
    assert Policy(1, 1).describe() == "every 1 day, with 1 day's grace"
    assert [Policy.read(v) for v in ("off", "", None, "every 0d grace 14d", "90")] == [None] * 5
    assert policy_problem(3650, 365) is None


def test_rounds_fall_at_nine_in_the_coalitions_time_zone_across_the_change_of_clocks() -> None:
    winter = datetime(2027, 3, 27, 8, 30, tzinfo=UTC)  # 09:30 in Brussels, the day before
    assert round_moment(winter, BRUSSELS) == datetime(2027, 3, 27, 8, 0, tzinfo=UTC)
    summer = datetime(2027, 3, 28, 7, 30, tzinfo=UTC)  # 09:30 in Brussels, summer time
    assert round_moment(summer, BRUSSELS) == datetime(2027, 3, 28, 7, 0, tzinfo=UTC)
    early = datetime(2027, 3, 28, 6, 59, tzinfo=UTC)  # 08:59: still yesterday's round
    assert round_moment(early, BRUSSELS) == datetime(2027, 3, 27, 8, 0, tzinfo=UTC)
    assert round_moment(winter, "Asia/Tokyo") == datetime(2027, 3, 27, 0, 0, tzinfo=UTC)


def test_a_stale_confirmed_pledge_counts_as_pending_and_a_stale_offer_as_before() -> None:
    confirmed = PledgeFigure(Decimal(2), PledgeStatus.CONFIRMED, conditional=False)
    stale = replace(confirmed, stale=True)
    offered = PledgeFigure(Decimal(1), PledgeStatus.OFFERED, conditional=False, stale=True)
    held = PledgeFigure(Decimal(1), PledgeStatus.CONFIRMED, conditional=True, stale=True)
    assert confirmed.is_firm and not stale.is_firm
    line = requirement_coverage(6, [confirmed, stale, offered, held])
    assert (line.firm, line.pending, line.conditional, line.open) == (2, 3, 1, 0)


def pledge(n: int, **changes: object) -> PledgeView:
    view = PledgeView(
        ref=f"P-{n}",
        requirement="SKY-1",
        unit="batteries",
        delegation="VAL",
        delegation_name="Valdoria",
        quantity=Decimal(2),
        status=PledgeStatus.CONFIRMED,
        condition="",
        condition_kind=None,
        caveats="",
        available_from=None,
        restricted=False,
        withdrawn_reason="",
        version=1,
        updated_at=datetime(2026, 11, 23, tzinfo=UTC),
        confirmed_at=datetime(2026, 11, 23, tzinfo=UTC),
        reconfirm_asked_at=datetime(2027, 2, 22, tzinfo=UTC),
    )
    return replace(view, **changes)  # type: ignore[arg-type]


def request(pledges: list[PledgeView], name: str = "Valdoria") -> Request:
    return Request(
        key="reconfirm:VAL:2027-02-22",
        delegation="VAL",
        delegation_name=name,
        policy=Policy(90, 14),
        pledges=tuple(pledges),
        stale_at=datetime(2027, 3, 8, 8, tzinfo=UTC),
        members=(("UVAL1", ""),),
    )


def test_a_request_lists_each_pledge_with_its_three_buttons() -> None:
    text, blocks = request_message(request([pledge(1), pledge(2, restricted=True)]))
    validate_blocks(blocks)
    actions = [b for b in blocks if b["type"] == "actions"]
    assert [[e["action_id"] for e in a["elements"]] for a in actions] == [
        [ACTION_STILL_VALID, ACTION_CHANGE_PLEDGE, ACTION_WITHDRAW_PLEDGE]
    ] * 2
    assert [a["elements"][0]["value"] for a in actions] == ["P-1", "P-2"]
    readable = json.dumps(blocks, ensure_ascii=False)
    assert "every 90 days, with 14 days' grace" in readable
    assert "*P-2* VAL → SKY-1: 2 batteries, confirmed · restricted" in readable
    assert "`/muster reconfirm P-1 P-2`" in readable
    assert "reconfirmation asked" not in readable  # each is: its line need not say so
    assert text.startswith("Do VAL's pledges still stand? (2): P-1, P-2. Reconfirm by <!date^")


def test_a_request_escapes_what_delegations_typed() -> None:
    text, blocks = request_message(
        request([pledge(1, caveats="<!channel> only <@U999> & co")], name="<!here> Valdoria")
    )
    readable = text + json.dumps(blocks)
    assert "<!channel>" not in readable and "<!here>" not in readable and "<@U999>" not in readable
    assert "&lt;!channel&gt; only &lt;@U999&gt; &amp; co" in readable


def test_a_request_too_long_for_buttons_lists_the_rest_and_stays_within_the_limits() -> None:
    many = [pledge(n, caveats="x" * 400) for n in range(1, 61)]
    _text, blocks = request_message(request(many))
    validate_blocks(blocks)
    buttons = [b for b in blocks if b["type"] == "actions"]
    assert len(buttons) == MAX_WITH_BUTTONS
    readable = json.dumps(blocks)
    assert f"and {60 - MAX_WITH_BUTTONS} more, without buttons" in readable
    assert "`/muster reconfirm P-1 P-2" in readable  # every one of them, in one command


def test_a_request_when_the_pledges_were_last_confirmed() -> None:
    _text, blocks = request_message(request([pledge(1)]))
    confirmed = int(datetime(2026, 11, 23, tzinfo=UTC).timestamp())
    assert f"last confirmed <!date^{confirmed}^{{date_short_pretty}}" in json.dumps(blocks)
    assert timedelta(days=14) == Policy(90).grace


def test_a_longer_cycle_says_what_it_took_out_of_the_old_one() -> None:
    released = ("P-1", "P-2", "P-3", "P-4")
    change = PolicyChange(Policy(90, 14), Policy(365, 14), 0, released, ("P-2",))
    text = render_policy_change(change, "Europe/Brussels").text
    assert (
        "1 stale pledge (P-2) is not due under the new cycle and counts as it stands again." in text
    )
    assert (
        "3 pledges asked about (P-1, P-3, P-4) are not due under the new cycle and are no longer"
        " asked; requests not yet sent will not go." in text
    )
    both = PolicyChange(Policy(90, 14), Policy(365, 14), 0, ("P-1", "P-2"), ("P-1", "P-2"))
    assert "2 stale pledges (P-1, P-2) are not due under the new cycle and count as they stand" in (
        render_policy_change(both, "UTC").text
    )
    off = render_policy_change(PolicyChange(Policy(90, 14), None, lifted=("P-1", "P-2")), "UTC")
    assert "2 stale pledges (P-1, P-2) count as they stand again; requests not yet" in off.text
    assert "Before: every 90 days, with 14 days' grace." in text
    same = render_policy_change(PolicyChange(Policy(90, 14), Policy(30, 14), 2), "UTC").text
    assert "not due under it" not in same
