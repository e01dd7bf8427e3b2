"""Bolt's and the Slack SDK's log lines that would quote a request or a response,
as they leave the real app at DEBUG: cut to what they say, without the body and
without the bot's token."""

from __future__ import annotations

import json
import logging
import uuid

import pytest
from slack_bolt import BoltRequest

from bot.runtime.logs import WITHHELD
from bot.services.muster import Muster
from tests.support.factories import OWN, small_coalition
from tests.support.slack import SlashCommands, new_trigger_id


@pytest.fixture
def marker() -> str:
    return f"BODY-MARKER-{uuid.uuid4().hex}"


def test_a_bad_signature_is_logged_without_the_body(
    muster_cmd: SlashCommands, caplog: pytest.LogCaptureFixture, marker: str
) -> None:
    body = muster_cmd.form(OWN, f"pledge SKY-1 1 {marker}")
    headers = muster_cmd.signed(body) | {"x-slack-signature": "v0=" + "0" * 64}
    with caplog.at_level(logging.DEBUG):
        assert muster_cmd.app.dispatch(BoltRequest(body=body, headers=headers)).status == 401
    assert f"Invalid request signature detected{WITHHELD}" in caplog.text
    assert marker not in caplog.text


def test_an_unhandled_request_is_logged_without_the_body(
    muster_cmd: SlashCommands, caplog: pytest.LogCaptureFixture, marker: str
) -> None:
    shortcut = {
        "type": "shortcut",
        "callback_id": marker,
        "user": {"id": OWN},
        "team": {"id": "T0MUSTER"},
        "trigger_id": new_trigger_id(),
    }
    body = json.dumps(shortcut)
    headers = muster_cmd.signed(body) | {"content-type": "application/json"}
    with caplog.at_level(logging.DEBUG):
        assert muster_cmd.app.dispatch(BoltRequest(body=body, headers=headers)).status == 404
    assert f"Unhandled request{WITHHELD}" in caplog.text
    assert marker not in caplog.text


def test_replies_and_web_api_calls_are_logged_without_their_bodies(
    muster: Muster, muster_cmd: SlashCommands, caplog: pytest.LogCaptureFixture, marker: str
) -> None:
    small_coalition(muster)
    with caplog.at_level(logging.DEBUG):
        assert "Question Q-2 recorded" in muster_cmd(OWN, f"ask {marker}?").text
    assert f"Responding with status: 200{WITHHELD}" in caplog.text
    assert "Sending a request - url: " in caplog.text  # the follow-ups' Web API calls
    assert marker not in caplog.text
    assert "xoxb-test-token" not in caplog.text
