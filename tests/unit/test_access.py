"""Who may see and do what: the role checks and visibility rules of bot.domain.access,
as pure functions of the caller and the facts, without a database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import access
from bot.domain.errors import PermissionDenied
from bot.domain.model import Posture
from bot.domain.read_models import Actor
from tests.support.read_models import actor, coordinator

VAL, OST = 1, 2
DELEGATE = actor("UVAL1", delegation="VAL", delegation_id=VAL)
OTHER = actor("UOST1", delegation="OST", delegation_id=OST)
LEAD = coordinator()  # a coordinator outside every delegation
LEAD_OF_VAL = coordinator("UCOORDVAL", delegation="VAL", delegation_id=VAL)
NOBODY = actor("UNOBODY")

actors = st.builds(
    Actor,
    user_id=st.sampled_from(["U1", "U2"]),
    is_coordinator=st.booleans(),
    delegation_id=st.one_of(st.none(), st.integers(1, 4)),
)
delegation_ids = st.integers(1, 4)


# --- roles --------------------------------------------------------------------


def test_registered_means_a_coordinator_or_in_a_delegation() -> None:
    assert [a.is_registered for a in (DELEGATE, LEAD, LEAD_OF_VAL, NOBODY)] == [
        True,
        True,
        True,
        False,
    ]


@pytest.mark.parametrize("check", ["registered", "coordinator", "delegate"])
def test_the_unregistered_are_told_to_ask_a_coordinator_whatever_they_try(check: str) -> None:
    with pytest.raises(PermissionDenied) as raised:
        if check == "registered":
            access.require_registered(NOBODY)
        elif check == "coordinator":
            access.require_coordinator(NOBODY, "answer questions")
        else:
            access.require_delegate(NOBODY, "pledge")
    assert raised.value.message == access.NOT_REGISTERED
    assert "Ask a coordinator to add you" in str(raised.value)


@pytest.mark.parametrize("who", [DELEGATE, LEAD, LEAD_OF_VAL])
def test_registered_callers_pass_and_come_back_unchanged(who: Actor) -> None:
    assert access.require_registered(who) is who


def test_only_coordinators_pass_the_coordinator_check() -> None:
    assert access.require_coordinator(LEAD, "answer questions") is LEAD
    assert access.require_coordinator(LEAD_OF_VAL, "answer questions") is LEAD_OF_VAL
    with pytest.raises(PermissionDenied) as raised:
        access.require_coordinator(DELEGATE, "answer questions")
    assert raised.value.message == "Only coordinators can answer questions."


def test_only_members_of_a_delegation_pass_the_delegate_check() -> None:
    assert access.require_delegate(DELEGATE, "pledge") is DELEGATE
    assert access.require_delegate(LEAD_OF_VAL, "pledge") is LEAD_OF_VAL
    with pytest.raises(PermissionDenied) as raised:
        access.require_delegate(LEAD, "pledge")
    assert raised.value.message == (
        "Only members of a delegation can pledge; you are not in one. "
        "A coordinator can add you with `/muster delegation member <CODE> @you`."
    )


def test_a_pledge_is_changed_by_its_delegation_and_maybe_a_coordinator() -> None:
    assert access.may_change_pledge(DELEGATE, VAL, allow_coordinator=False)
    assert not access.may_change_pledge(OTHER, VAL, allow_coordinator=True)
    assert access.may_change_pledge(LEAD, VAL, allow_coordinator=True)
    assert not access.may_change_pledge(LEAD, VAL, allow_coordinator=False)
    assert not access.may_change_pledge(NOBODY, VAL, allow_coordinator=True)


# --- visibility ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        (DELEGATE, True),  # its own delegation's
        (OTHER, False),
        (LEAD, True),
        (LEAD_OF_VAL, True),
        (NOBODY, False),
        (access.SYSTEM, True),
        (access.CHANNEL_AUDIENCE, False),
    ],
)
def test_a_restricted_pledge_is_for_coordinators_and_its_own_delegation(
    who: Actor, sees: bool
) -> None:
    assert access.may_see_pledge(who, delegation_id=VAL, restricted=True) is sees
    assert access.may_see_pledge(who, delegation_id=VAL, restricted=False)


@given(actors, delegation_ids, st.booleans())
def test_may_see_pledge_is_the_rule_written_out(who: Actor, owner: int, restricted: bool) -> None:
    expected = not restricted or who.is_coordinator or who.delegation_id == owner
    assert access.may_see_pledge(who, delegation_id=owner, restricted=restricted) == expected


@pytest.mark.parametrize(
    ("who", "asked_by", "knows"),
    [
        (DELEGATE, VAL, True),
        (OTHER, VAL, False),
        (LEAD, VAL, True),
        (access.CHANNEL_AUDIENCE, VAL, False),
        # A question whose delegation is unknown names nobody, even to a delegation-less viewer.
        (NOBODY, None, False),
        (DELEGATE, None, False),
        (LEAD, None, True),
    ],
)
def test_questions_are_anonymous_to_other_delegations(
    who: Actor, asked_by: int | None, knows: bool
) -> None:
    assert access.may_know_asker(who, asked_by) is knows


@pytest.mark.parametrize(
    ("firm", "live", "asked", "posture"),
    [
        (1, 1, 0, Posture.COMMITTED),
        (1, 1, 3, Posture.COMMITTED),
        (1, 2, 0, Posture.COMMITTED),  # half of its live pledges are firm
        (1, 3, 0, Posture.CONSIDERING),  # one small confirmed pledge is not commitment
        (0, 2, 0, Posture.CONSIDERING),
        (0, 0, 1, Posture.CONSIDERING),
        (0, 0, 0, Posture.NOT_YET_POSITIONED),
    ],
)
def test_posture_as_the_delegation_itself_sees_it(
    firm: int, live: int, asked: int, posture: Posture
) -> None:
    assert access.posture(DELEGATE, VAL, firm=firm, live=live, asked=asked) == posture
    assert access.posture(LEAD, VAL, firm=firm, live=live, asked=asked) == posture


def test_a_question_alone_does_not_move_the_posture_others_see() -> None:
    assert access.posture(OTHER, VAL, firm=0, live=0, asked=2) == Posture.NOT_YET_POSITIONED
    assert access.posture(OTHER, VAL, firm=0, live=1, asked=2) == Posture.CONSIDERING


@given(actors, delegation_ids, st.integers(0, 3), st.integers(0, 3), st.integers(0, 3))
def test_posture_never_betrays_an_anonymous_asker(
    who: Actor, owner: int, firm: int, more: int, asked: int
) -> None:
    live = firm + more
    shown = access.posture(who, owner, firm=firm, live=live, asked=asked)
    if not access.may_know_asker(who, owner):
        assert shown == access.posture(who, owner, firm=firm, live=live, asked=0)
    # Committed is a share: at least half of the live pledges firm.
    assert (shown == Posture.COMMITTED) == (live > 0 and 2 * firm >= live)


EVENTS = [
    ("P-1", VAL, False),  # VAL's, never restricted
    ("P-2", VAL, True),  # VAL's, restricted when the event happened
    ("P-3", OST, False),  # OST's
    ("P-12", VAL, False),  # VAL's, restricted since
    ("P-4", None, False),  # no delegation recorded
]


def test_hidden_pledges_are_others_restricted_then_or_now() -> None:
    assert access.hidden_pledges(OTHER, EVENTS, restricted_now={12}) == {"P-2", "P-12"}
    assert access.hidden_pledges(OTHER, EVENTS, restricted_now=set()) == {"P-2"}


def test_a_delegation_sees_its_own_pledges_and_coordinators_see_all() -> None:
    assert access.hidden_pledges(DELEGATE, EVENTS, restricted_now={12}) == set()
    assert access.hidden_pledges(LEAD, EVENTS, restricted_now={1, 2, 3, 4, 12}) == set()
    assert access.hidden_pledges(DELEGATE, EVENTS, restricted_now={3}) == {"P-3"}


def test_restricted_now_is_read_from_the_number_of_the_reference() -> None:
    # P-12 restricted must not hide P-1 or P-2 (no prefix or digit matching).
    assert access.hidden_pledges(NOBODY, [("P-1", VAL, False)], restricted_now={12}) == set()
    assert access.hidden_pledges(NOBODY, [("P-12", VAL, False)], restricted_now={1}) == set()
