"""Slack's limits on a coalition of realistic size: long lists through `/muster` stay
inside them and say what they leave out."""

from __future__ import annotations

import json

import pytest

from bot.services.muster import Muster
from tests.support.factories import OTHER, big_coalition
from tests.support.slack import SlashCommands


@pytest.mark.parametrize("command", ["gaps", "requirements", "pledges", "status LAND", "help"])
def test_long_lists_stay_inside_slack_limits_and_say_so(
    command: str, muster: Muster, muster_cmd: SlashCommands
) -> None:
    big_coalition(muster)
    reply = muster_cmd(OTHER, command)  # validates blocks against slack_sdk and the 50-block limit
    if command in ("gaps", "requirements"):  # a page of 25, and the way to the next page
        shown = json.dumps(reply.blocks, ensure_ascii=False)
        assert f"The next: `/muster {command} page 2`" in shown
        assert len([b for b in reply.blocks if "accessory" in b]) <= 25
    if command == "status LAND":  # every line of the objective, packed to fit
        shown = json.dumps(reply.blocks, ensure_ascii=False)
        assert (
            shown.count("* Requirement number")
            == muster.reports.status(OTHER, "LAND").objectives[0].rollup.count - 1
        )  # LAND-1 is the small coalition's "Battlegroups"
    assert "more block" not in json.dumps(reply.blocks)
    if command == "pledges":  # a page of packed lines, and the way to the next page
        shown = json.dumps(reply.blocks, ensure_ascii=False)
        assert "*P-26*" in shown and "*P-27*" not in shown  # P-2 is restricted
        assert "Showing 1–25 of 70. The next: `/muster pledges page 2`" in shown
    assert len(reply.text) <= 3000
