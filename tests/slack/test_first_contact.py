"""The first reply to a new user warns that Slack is not accredited for classified
information, even when the command is refused."""

from __future__ import annotations

from bot.services.muster import Muster
from tests.support.factories import OTHER
from tests.support.slack import SlashCommands


def test_first_reply_to_a_new_user_warns_about_classification(
    coalition: Muster, muster_cmd: SlashCommands
) -> None:
    first = muster_cmd(OTHER, "gaps").text
    second = muster_cmd(OTHER, "gaps").text
    assert "not accredited for classified information" in first
    assert "not accredited" not in second
    assert "not accredited for classified information" in muster_cmd(OTHER, "help").text


def test_even_a_refused_first_contact_gets_the_warning(
    coalition: Muster, muster_cmd: SlashCommands
) -> None:
    reply = muster_cmd("UNEWCOMER", "status")
    assert "You are not registered" in reply.text and "not accredited" in reply.text
