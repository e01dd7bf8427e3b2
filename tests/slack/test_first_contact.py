"""The first reply to a new user warns that Slack is not accredited for classified
information, even when the command is refused."""

from __future__ import annotations

from bot.services.muster import Muster
from tests.support.factories import COORDINATOR, OTHER, OWN
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


def test_the_warning_stays_with_its_reply_when_replies_are_reused(
    coalition: Muster, muster_cmd: SlashCommands
) -> None:
    # status and gaps are rendered once while the data stays the same
    # (handlers/rendered.py): one user's warning must not reach the next reply.
    muster_cmd(OWN, "help")  # known from here on
    for number, command in enumerate(("status", "status SKY", "gaps")):
        newcomer = f"UNEW{number}"
        coalition.delegations.add_members(COORDINATOR, "OST", [newcomer])
        plain = muster_cmd(OWN, command)
        first = muster_cmd(newcomer, command)
        again = muster_cmd(OWN, command)
        assert "not accredited" in str(first.blocks) and "not accredited" in first.text
        assert "not accredited" not in str(again.blocks) + again.text
        assert again.blocks == plain.blocks and again.text == plain.text


def test_a_reused_reply_shows_the_change_that_followed_it(
    coalition: Muster, muster_cmd: SlashCommands
) -> None:
    muster_cmd(OWN, "help")  # known from here on
    before = muster_cmd(OWN, "status SKY").text
    assert muster_cmd(OWN, "status SKY").text == before
    muster_cmd(OWN, "pledge SKY-1 3 confirmed")
    assert muster_cmd(OWN, "status SKY").text != before
