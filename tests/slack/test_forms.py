"""Modal forms opened by `/muster`: usable before the first requirement, and a form
that cannot open in time says so at once."""

from __future__ import annotations

import pytest

from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from tests.support.factories import COORDINATOR, OTHER, small_coalition
from tests.support.slack import SlashCommands


def test_forms_work_before_the_first_requirement(
    muster: Muster, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    muster.delegations.add_delegation(COORDINATOR, "OST", "Ostland")
    muster.delegations.add_members(COORDINATOR, "OST", [OTHER])
    assert "no requirements to pledge against yet" in muster_cmd(OTHER, "pledge").text
    muster_cmd(OTHER, "ask", opens_form=True)
    [opened] = slack.calls_to("views.open")
    assert [b["block_id"] for b in opened.args["view"]["blocks"] if b["type"] == "input"] == [
        "question"
    ]


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        ({"error": "expired_trigger_id"}, "Slack gave up waiting for the form to open."),
        ({"delay": 3.0}, "Slack took too long to answer."),
        ({"status": 429, "error": "ratelimited", "retry_after": 5}, "Slack is busy right now."),
    ],
)
def test_a_form_that_cannot_open_in_time_says_so_quickly(
    failure: dict,
    message: str,
    muster: Muster,  # type: ignore[type-arg]
    muster_cmd: SlashCommands,
    slack: SlackStandIn,
) -> None:
    small_coalition(muster)
    slack.fail("views.open", **failure)
    reply = muster_cmd(OTHER, "pledge")
    assert message in reply.text
    assert len(slack.calls_to("views.open")) == 1  # no retry past the trigger's life
