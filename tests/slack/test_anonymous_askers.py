"""An anonymous question through `/muster`: the asker's delegation and the coordinators
still see who asked, other delegations do not."""

from __future__ import annotations

from bot.services.muster import Muster
from tests.support.factories import COORDINATOR, OTHER, OWN
from tests.support.slack import SlashCommands


def test_the_asker_and_the_coordinators_still_see_it(
    muster: Muster, muster_cmd: SlashCommands
) -> None:
    muster.delegations.add_delegation(COORDINATOR, "VAL", "Valdoria")
    muster.delegations.add_delegation(COORDINATOR, "OST", "Ostland")
    muster.delegations.add_members(COORDINATOR, "VAL", [OWN])
    muster.delegations.add_members(COORDINATOR, "OST", [OTHER])
    muster.questions.ask(OWN, "Who provides air cover?")
    assert "considering" in line_of("VAL", muster_cmd(COORDINATOR, "delegations").text)
    assert "considering" in line_of("VAL", muster_cmd(OWN, "delegations").text)
    assert "not yet positioned" in line_of("VAL", muster_cmd(OTHER, "delegations").text)


def line_of(code: str, text: str) -> str:
    return next(line for line in text.splitlines() if code in line)
