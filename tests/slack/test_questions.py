"""Questions through `/muster`: answered, closed and reopened, and the asker told the
answer, even when Slack fails the message, with their App Home refreshed."""

from __future__ import annotations

import pytest

from bot.domain.clock import FixedClock
from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from tests.support.factories import COORDINATOR, OTHER, OWN, small_coalition
from tests.support.scripted_week import OST, play_week
from tests.support.slack import SlashCommands


@pytest.fixture
def week(clock: FixedClock, muster_cmd: SlashCommands) -> SlashCommands:
    """The scripted week of tests/support/scripted_week.py."""
    return play_week(clock, muster_cmd)


def test_the_answer_reaches_the_asker(week: SlashCommands) -> None:
    text = week(OST, "questions all").text
    assert "*Q-1* (answered, asked by OST" in text
    assert "National caveats apply; the ROE card follows on Friday." in text


def test_closed_questions_must_be_reopened_before_answering(
    coalition: Muster, muster_cmd: SlashCommands
) -> None:
    muster_cmd(COORDINATOR, "question close Q-1")
    assert "Q-1 is closed." in muster_cmd(COORDINATOR, "answer Q-1 Too late").text
    muster_cmd(COORDINATOR, "question reopen Q-1")
    assert "Answer to Q-1 recorded" in muster_cmd(COORDINATOR, "answer Q-1 Now answered").text


def test_the_asker_is_told_the_answer(
    coalition: Muster, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    reply = muster_cmd(COORDINATOR, "answer Q-1 The lead nations provide air cover.")
    assert "Sent by direct message to the only member of VAL." in reply.text
    [dm] = slack.calls_to("chat.postMessage")
    assert dm.args["channel"] == OWN
    assert "The lead nations provide air cover." in dm.args["text"]
    assert dm.token == "xoxb-test-token"


def test_a_failed_notification_does_not_lose_the_answer(
    coalition: Muster,
    muster_cmd: SlashCommands,
    slack: SlackStandIn,
    caplog: pytest.LogCaptureFixture,
) -> None:
    slack.fail("chat.postMessage", error="channel_not_found")
    reply = muster_cmd(COORDINATOR, "answer Q-1 Recorded anyway.")
    assert "Answer to Q-1 recorded" in reply.text
    assert "Recorded anyway." in muster_cmd(OTHER, "questions all").text
    assert "channel_not_found" in caplog.text


def test_answering_by_command_refreshes_the_askers_home(
    muster: Muster, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    small_coalition(muster)
    muster_cmd(COORDINATOR, "answer Q-1 The lead nations.")
    assert {c.args["user_id"] for c in slack.calls_to("views.publish")} == {COORDINATOR, OWN}
