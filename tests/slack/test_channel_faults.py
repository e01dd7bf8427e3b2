"""The Web API failing under us: what a post to a channel does when Slack refuses it,
limits its rate, or the bot is not in the channel."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.domain.clock import FixedClock
from bot.runtime.scheduler import Ticker
from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from tests.support.broadcasts import (
    ALERTS,
    COORDINATORS,
    MONDAY,
    STATUS,
    alerts_in,
    at,
    subscribed_coalition,
)
from tests.support.clock import set_clock, tick_at
from tests.support.factories import COORDINATOR, OTHER, small_coalition
from tests.support.slack import SlashCommands

CHANNEL = "C0COORD"


@pytest.fixture
def coalition(clock: FixedClock, muster: Muster) -> Muster:
    """Not the tier's plain coalition: this one is subscribed to alerts and the digest."""
    return subscribed_coalition(clock, muster)


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


def test_not_in_channel_joins_a_public_channel_and_posts(
    alerting: Muster, ticker: Ticker, slack: SlackStandIn
) -> None:
    slack.fail("chat.postMessage", error="not_in_channel")
    tick_at(ticker, at(0))
    assert [c.args["channel"] for c in slack.calls_to("conversations.join")] == [ALERTS]
    assert len(alerts_in(slack)) == 2  # refused once, then posted after joining


@pytest.mark.parametrize(
    ("failure", "join"),
    [
        ("channel_not_found", None),
        ("is_archived", None),
        ("not_in_channel", "method_not_supported_for_channel_type"),
    ],
)
def test_an_unreachable_channel_is_paused_and_the_coordinators_told_once(
    failure: str,
    join: str | None,
    alerting: Muster,
    muster_cmd: SlashCommands,
    ticker: Ticker,
    slack: SlackStandIn,
) -> None:
    slack.fail("chat.postMessage", error=failure)
    if join:
        slack.fail("conversations.join", error=join)
    report = tick_at(ticker, at(0))
    assert report.broken == [ALERTS]
    told = alerts_in(slack, COORDINATORS)
    assert len(told) == 1 and f"can no longer post the alerts to <#{ALERTS}>" in told[0]
    tick_at(ticker, at(1))
    tick_at(ticker, at(2))
    assert len(alerts_in(slack, COORDINATORS)) == 1
    assert f"paused: {join or failure}" in muster_cmd(COORDINATOR, "alerts list").text
    assert (
        "now gets gap alerts" in muster_cmd(COORDINATOR, f"alerts subscribe <#{ALERTS}>").text
    )  # revived


def test_a_failed_chart_upload_does_not_stop_the_digest(
    clock: FixedClock,
    alerting: Muster,
    ticker: Ticker,
    slack: SlackStandIn,
    caplog: pytest.LogCaptureFixture,
) -> None:
    set_clock(clock, MONDAY - timedelta(hours=1))
    alerting.broadcasts.subscribe(COORDINATOR, "digest", STATUS)
    slack.fail("file.upload", status=500)
    report = tick_at(ticker, datetime.fromisoformat("2026-11-27T15:00:00+00:00"))
    assert report.digests == [f"{STATUS} digest:2026-W48"]
    assert len(alerts_in(slack, STATUS)) == 1
    assert slack.calls_to("files.completeUploadExternal") == []
    assert "chart upload to C0STATUS failed" in caplog.text


def test_rate_limits_are_honoured(alerting: Muster, ticker: Ticker, slack: SlackStandIn) -> None:
    slack.fail("chat.postMessage", status=429, error="ratelimited", retry_after=1)
    tick_at(ticker, at(0))
    posts = slack.calls_to("chat.postMessage")
    assert len(posts) == 2 and len(alerts_in(slack)) == 2
    assert json.loads(json.dumps(posts[1].args["blocks"]))  # the retry carried the same message


def test_a_passing_join_failure_keeps_the_subscription(
    coalition: Muster, ticker: Ticker, slack: SlackStandIn
) -> None:
    slack.fail("chat.postMessage", error="not_in_channel")
    slack.fail("conversations.join", status=500, error="internal_error")
    report = tick_at(ticker, MONDAY)
    assert report.broken == [] and report.alerts == []
    assert coalition.broadcasts.is_subscribed("alerts", ALERTS)
