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
    if command in ("gaps", "requirements"):  # one block per requirement: cut, visibly
        assert len(reply.blocks) == 50
        assert "more blocks not shown" in json.dumps(reply.blocks[-1])
    if command == "pledges":  # a page of packed lines, and the way to the next page
        shown = json.dumps(reply.blocks, ensure_ascii=False)
        assert "*P-26*" in shown and "*P-27*" not in shown  # P-2 is restricted
        assert "Showing 1–25 of 70. The next: `/muster pledges page 2`" in shown
    assert len(reply.text) <= 3000
