"""Follow-up work (App Home refreshes, announcements, posts) yields to the requests
being answered: in a burst, Slack's acknowledgements get the CPU first."""

from __future__ import annotations

import time
from typing import Any

from slack_bolt import BoltRequest

from bot.runtime.standin import SlackStandIn
from tests.support.factories import OWN
from tests.support.slack import SlashCommands


def test_a_request_counts_as_in_flight_while_its_listener_runs(
    muster_cmd: SlashCommands, coalition: object
) -> None:
    assert muster_cmd.workers is not None
    seen: list[int] = []

    @muster_cmd.app.command("/probe")
    def probe(ack: Any) -> None:
        assert muster_cmd.workers is not None
        seen.append(muster_cmd.workers.requests_in_flight)
        ack("ok")

    body = muster_cmd.form(OWN, "x").replace("command=%2Fmuster", "command=%2Fprobe")
    response = muster_cmd.app.dispatch(BoltRequest(body=body, headers=muster_cmd.signed(body)))
    assert response.status == 200
    assert seen == [1]
    assert muster_cmd.workers.requests_in_flight == 0


def test_a_pledges_home_refresh_waits_for_the_request_in_flight(
    muster_cmd: SlashCommands, coalition: object, slack: SlackStandIn
) -> None:
    workers = muster_cmd.workers
    assert workers is not None
    workers.yield_at_most = 60.0  # so only the end of the other request can release it
    body = muster_cmd.form(OWN, "pledge LAND-1 1 offered")
    with workers.answering():  # another delegate's request, still being answered
        response = muster_cmd.app.dispatch(BoltRequest(body=body, headers=muster_cmd.signed(body)))
        assert response.status == 200 and "recorded" in response.body
        time.sleep(0.5)  # a refresh that did not wait arrives in milliseconds
        assert slack.calls_to("views.publish") == [], "it went before the other was answered"
    assert slack.wait_for("views.publish"), "the refresh never went"
    assert workers.wait_idle()
