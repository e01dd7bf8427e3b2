"""The Web API failing under us: what a post to a channel does when Slack refuses it,
limits its rate, or the bot is not in the channel."""

from __future__ import annotations

from typing import Any

import pytest

from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from tests.support.factories import COORDINATOR, OTHER, small_coalition
from tests.support.slack import SlashCommands

CHANNEL = "C0COORD"


def test_a_rate_limited_announcement_is_retried_after_the_pause(
    muster: Muster, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    small_coalition(muster)
    muster.delegations.set_coordinators_channel(COORDINATOR, CHANNEL)
    slack.fail("chat.postMessage", status=429, error="ratelimited", retry_after=1)
    assert "Question Q-2 recorded" in muster_cmd(OTHER, "ask Who funds the fuel?").text
    calls = slack.calls_to("chat.postMessage")
    assert len(calls) == 2 and calls[1].args["channel"] == CHANNEL
    assert muster.questions.announcement_of(2) == (CHANNEL, calls[1].reply["ts"])


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 500, "error": "internal_error"},
        {"error": "channel_not_found"},
        {"error": "is_archived"},
    ],
)
def test_a_failed_announcement_never_costs_the_question(
    failure: dict[str, Any],
    muster: Muster,
    muster_cmd: SlashCommands,
    slack: SlackStandIn,
    caplog: pytest.LogCaptureFixture,
) -> None:
    small_coalition(muster)
    muster.delegations.set_coordinators_channel(COORDINATOR, CHANNEL)
    slack.fail("chat.postMessage", **failure)
    assert "Question Q-2 recorded" in muster_cmd(OTHER, "ask Who funds the fuel?").text
    assert muster.questions.announcement_of(2) is None
    assert "could not post to C0COORD" in caplog.text
    assert "Who funds the fuel?" in muster_cmd(COORDINATOR, "questions").text


def test_an_announcement_joins_the_coordinators_channel_it_is_not_in(
    muster: Muster, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    """Announcements follow the same posting rules as digests: join, then post."""
    small_coalition(muster)
    muster.delegations.set_coordinators_channel(COORDINATOR, CHANNEL)
    slack.fail("chat.postMessage", error="not_in_channel")
    assert "Question Q-2 recorded" in muster_cmd(OTHER, "ask Who funds the fuel?").text
    assert [c.args["channel"] for c in slack.calls_to("conversations.join")] == [CHANNEL]
    posted = slack.calls_to("chat.postMessage")[-1]
    assert muster.questions.announcement_of(2) == (CHANNEL, posted.reply["ts"])
