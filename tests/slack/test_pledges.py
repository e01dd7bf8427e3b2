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


def test_a_quarter_battlegroup_is_pledged_and_reported_as_one(
    coalition: Muster, muster_cmd: SlashCommands
) -> None:
    """A company towards a battlegroup: 0.25 is taken, said as written, and counted."""
    reply = muster_cmd(OTHER, "pledge LAND-1 0.25 offered")
    assert "Pledge P-3 recorded" in reply.text
    assert "*P-3* OST → LAND-1: 0.25 battlegroups, offered" in reply.text
    assert "firm 2 of 4 battlegroups (50%) · pending 0.25 · conditional 0 · open 1.75" in reply.text
    raised = muster_cmd(OTHER, "pledge update P-3 quantity 1").text
    assert "*P-3* OST → LAND-1: 1 battlegroup, offered" in raised
    assert "quantity 0.25 → 1" in muster_cmd(OTHER, "history P-3").text
    assert "1.5 battlegroups" in muster_cmd(OTHER, "pledge LAND-1 1.5").text
    assert "pending 2.5 · conditional 0 · open 0" in muster_cmd(OTHER, "status LAND").text


def test_part_units_written_wrong_get_one_line_and_change_nothing(
    coalition: Muster, muster_cmd: SlashCommands
) -> None:
    for typed, answer in [
        ("1,5", "'1,5' has a decimal comma: write 1.5, with a point."),
        ("0.125", "'0.125' has more than two decimal places; quantities go to hundredths"),
        ("0", "'0' is zero; quantities are above zero."),
        ("-1", "'-1' is negative; quantities are above zero."),
    ]:
        reply = muster_cmd(OTHER, f"pledge LAND-1 {typed} offered")
        first = reply.text.split(" Usage: ")[0]
        assert first.startswith(answer) and "\n" not in first
        assert "Usage: `/muster pledge <REQ> &lt;quantity>" in reply.text
    assert "P-3" not in muster_cmd(OTHER, "pledges LAND-1").text
    assert "`0.25` (a company towards a battlegroup)" in muster_cmd(OTHER, "help pledges").text
