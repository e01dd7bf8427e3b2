"""Rules on a single pledge: which class a condition falls in, which conditions may be
attached at all, and how a pledge may move through its lifecycle."""

from __future__ import annotations

import pytest

from bot.domain.model import (
    ConditionKind,
    PledgeStatus,
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
