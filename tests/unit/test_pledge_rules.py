"""Rules on a single pledge: how it may move through its lifecycle. Conditions are
tested in test_conditions.py."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.model import LIVE_STATUSES, PledgeStatus, check_status_move

CONFIRMED, OFFERED, INDICATED, WITHDRAWN = (
    PledgeStatus.CONFIRMED,
    PledgeStatus.OFFERED,
    PledgeStatus.INDICATED,
    PledgeStatus.WITHDRAWN,
)


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
