"""Rules on a single pledge: which class a condition falls in, which conditions may be
attached at all, and how a pledge may move through its lifecycle."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.model import (
    LIVE_STATUSES,
    ConditionKind,
    PledgeStatus,
    check_condition,
    check_status_move,
    classify_condition,
)

CONFIRMED, OFFERED, INDICATED, WITHDRAWN = (
    PledgeStatus.CONFIRMED,
    PledgeStatus.OFFERED,
    PledgeStatus.INDICATED,
    PledgeStatus.WITHDRAWN,
)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("if the US backstops", ConditionKind.US_BACKSTOP),
        ("subject to a US backstop", ConditionKind.US_BACKSTOP),
        ("American air cover", ConditionKind.US_BACKSTOP),
        ("subject to parliament", ConditionKind.PARLIAMENT),
        ("Bundestag mandate vote", ConditionKind.PARLIAMENT),
        ("a UN Security Council resolution", ConditionKind.LEGAL_MANDATE),
        ("clear legal basis", ConditionKind.LEGAL_MANDATE),
        ("clarity on rules of engagement", ConditionKind.RULES_OF_ENGAGEMENT),
        ("agreed ROE", ConditionKind.RULES_OF_ENGAGEMENT),
        ("funding from the EU facility", ConditionKind.OTHER),
    ],
)
def test_conditions_are_classified(text: str, kind: ConditionKind) -> None:
    assert classify_condition(text) == kind


def test_no_condition_has_no_class() -> None:
    assert classify_condition("  ") is None


@pytest.mark.parametrize(
    ("current", "new", "allowed"),
    [
        (INDICATED, OFFERED, True),
        (OFFERED, CONFIRMED, True),
        (INDICATED, CONFIRMED, True),
        (CONFIRMED, CONFIRMED, True),
        (CONFIRMED, OFFERED, False),
        (OFFERED, INDICATED, False),
        (OFFERED, WITHDRAWN, False),
        (WITHDRAWN, OFFERED, False),
    ],
)
def test_pledge_lifecycle(current: PledgeStatus, new: PledgeStatus, allowed: bool) -> None:
    assert (check_status_move(current, new) is None) == allowed


def test_the_pronoun_us_is_no_us_backstop() -> None:
    assert classify_condition("if they let us deploy") == ConditionKind.OTHER
    assert classify_condition("if the U.S. agrees") == ConditionKind.US_BACKSTOP


def test_the_first_matching_class_wins() -> None:
    assert classify_condition("a US backstop and a vote in parliament") == ConditionKind.US_BACKSTOP
    assert classify_condition("ROE agreed by parliament") == ConditionKind.RULES_OF_ENGAGEMENT


@pytest.mark.parametrize(
    "text", ["once the ceasefire holds", "after the cease-fire", "Cease fire first", "a truce"]
)
def test_the_ceasefire_is_no_condition_on_one_pledge(text: str) -> None:
    refusal = check_condition(text)
    assert refusal is not None and "precondition of the whole mission" in refusal


@pytest.mark.parametrize("text", ["subject to parliament", "US backstop", "fire support first"])
def test_other_conditions_may_be_attached(text: str) -> None:
    assert check_condition(text) is None


def test_refused_moves_say_why() -> None:
    assert check_status_move(WITHDRAWN, CONFIRMED) == "it was withdrawn; make a new pledge instead"
    assert check_status_move(OFFERED, WITHDRAWN) == "use `/muster withdraw` to withdraw a pledge"
    assert check_status_move(CONFIRMED, INDICATED) == (
        "pledges move indicated → offered → confirmed, not back from confirmed; "
        "withdraw it and pledge again"
    )


@given(st.sampled_from(LIVE_STATUSES), st.sampled_from(LIVE_STATUSES))
def test_live_pledges_move_forward_or_stay(current: PledgeStatus, new: PledgeStatus) -> None:
    forward = LIVE_STATUSES.index(new) >= LIVE_STATUSES.index(current)
    assert (check_status_move(current, new) is None) == forward
