"""Pledges through `/muster`: a withdrawn pledge stays withdrawn, and coordinators may
withdraw any pledge."""

from __future__ import annotations

from bot.services.muster import Muster
from tests.support.factories import COORDINATOR, OTHER, OWN
from tests.support.slack import SlashCommands


def test_withdrawn_pledges_stay_withdrawn(coalition: Muster, muster_cmd: SlashCommands) -> None:
    assert "Pledge P-1 withdrawn" in muster_cmd(OWN, 'withdraw P-1 "battery redeployed"').text
    assert "P-1 is already withdrawn." in muster_cmd(OWN, "withdraw P-1").text
    assert (
        "was withdrawn; make a new pledge instead"
        in muster_cmd(OWN, "pledge update P-1 quantity 4").text
    )
    assert "reason “battery redeployed”" in muster_cmd(OTHER, "pledges SKY-1").text


def test_coordinators_can_withdraw_any_pledge(coalition: Muster, muster_cmd: SlashCommands) -> None:
    assert (
        "Pledge P-2 withdrawn"
        in muster_cmd(COORDINATOR, "withdraw P-2 lead nations' decision").text
    )
