"""Restricted pledges are attributed only for coordinators and their own delegation;
questions do not name the asking delegation to others."""

from __future__ import annotations

import json

import pytest

from bot.services.muster import Muster
from tests.support.factories import COORDINATOR, OTHER, OWN, small_coalition
from tests.support.slack import SlashCommands

# P-2 is Valdoria's restricted pledge of 2 battlegroups to LAND-1, caveat "only in the western region".
SECRETS = ("P-2", "western region", "restricted")
VIEWS = [
    "pledges",
    "pledges LAND-1",
    "pledges VAL",
    "pledges mine",
    "status",
    "status LAND",
    "requirements",
    "requirements LAND",
    "gaps",
    "history LAND-1",
]


def everything(reply: object) -> str:
    return json.dumps(reply.body, ensure_ascii=False)  # type: ignore[attr-defined]


@pytest.mark.parametrize("view", VIEWS)
def test_other_delegations_never_see_a_restricted_pledge_attributed(
    view: str, coalition: Muster, muster_cmd: SlashCommands
) -> None:
    shown = everything(muster_cmd(OTHER, view))
    for secret in SECRETS:
        assert secret not in shown, f"{secret!r} leaked in {view!r}"


@pytest.mark.parametrize("user", [COORDINATOR, OWN])
def test_coordinators_and_the_own_delegation_see_it_in_full(
    user: str, coalition: Muster, muster_cmd: SlashCommands
) -> None:
    shown = muster_cmd(user, "pledges LAND-1").text
    assert "*P-2* VAL → LAND-1: 2 battlegroups, confirmed · restricted" in shown
    assert "only in the western region" in shown
    assert "caveat" in muster_cmd(user, "history P-2").text


def test_others_see_it_only_inside_totals(coalition: Muster, muster_cmd: SlashCommands) -> None:
    listing = muster_cmd(OTHER, "pledges LAND-1").text
    assert "1 undisclosed pledge is counted in the totals but not shown." in listing
    assert "firm 2 of 4 battlegroups" in muster_cmd(OTHER, "status LAND").text


def test_history_of_a_restricted_pledge_is_not_found_for_others(
    coalition: Muster, muster_cmd: SlashCommands
) -> None:
    assert "No pledge P-2 that you can see." in muster_cmd(OTHER, "history P-2").text
    assert muster_cmd(OTHER, "history P-2").text.startswith(
        muster_cmd(OTHER, "history P-99").text[:8]
    )


def test_others_cannot_change_or_withdraw_it(coalition: Muster, muster_cmd: SlashCommands) -> None:
    assert "No pledge P-2 that you can see." in muster_cmd(OTHER, "withdraw P-2").text


def test_requirement_history_shows_an_undisclosed_change_without_details(
    coalition: Muster, muster_cmd: SlashCommands
) -> None:
    text = muster_cmd(OTHER, "history LAND-1").text
    assert "an undisclosed pledge created by a delegation" in text


def test_making_a_pledge_restricted_later_hides_its_earlier_history(
    coalition: Muster, muster_cmd: SlashCommands
) -> None:
    muster_cmd(OWN, "pledge update P-1 restricted")
    assert "US backstop" not in everything(muster_cmd(OTHER, "history SKY-1"))
    assert "No pledge P-1" in muster_cmd(OTHER, "history P-1").text


def test_questions_do_not_name_the_asking_delegation_to_others(
    coalition: Muster, muster_cmd: SlashCommands
) -> None:
    for view in ("questions", "history Q-1"):
        shown = everything(muster_cmd(OTHER, view))
        assert "Who provides air cover" in shown
        assert "VAL" not in shown and OWN not in shown, view
    assert "asked by VAL" in muster_cmd(COORDINATOR, "questions").text
    assert "asked by VAL" in muster_cmd(OWN, "questions").text


def test_answers_are_visible_to_every_registered_user(
    coalition: Muster, muster_cmd: SlashCommands
) -> None:
    muster_cmd(COORDINATOR, "answer Q-1 The lead nations provide it.")
    assert "The lead nations provide it." in muster_cmd(OTHER, "questions all").text


def test_a_delegations_list_does_not_betray_its_restricted_pledges(
    coalition: Muster, muster_cmd: SlashCommands
) -> None:
    shown = muster_cmd(OTHER, "pledges VAL").text
    assert "Pledges of VAL (1)" in shown and "undisclosed" not in shown


def test_posture_does_not_betray_a_restricted_pledge(
    muster: Muster, muster_cmd: SlashCommands
) -> None:
    small_coalition(muster)
    muster_cmd(OWN, "withdraw P-1")  # VAL's only remaining pledge is the restricted, confirmed P-2
    # Neither the restricted pledge nor VAL's anonymous question Q-1 may show through.
    assert "*VAL* Valdoria · 1 member · not yet positioned" in muster_cmd(OTHER, "delegations").text
    assert "*VAL* Valdoria · 1 member · committed" in muster_cmd(COORDINATOR, "delegations").text
    assert "*VAL* Valdoria · 1 member · committed" in muster_cmd(OWN, "delegations").text
