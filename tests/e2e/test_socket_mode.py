"""Socket Mode: the same payloads through Muster's SocketModeHandler (Bolt's, with
malformed envelopes acknowledged and dropped)."""

from __future__ import annotations

import copy
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.runtime.app import create_app
from bot.runtime.settings import Settings
from bot.runtime.socketmode import MusterSocketModeHandler
from bot.runtime.standin import SlackStandIn
from bot.runtime.workers import WorkerPool
from bot.services.muster import Muster
from handlers.ids import ACTION_PLEDGE
from tests.support.databases import row_counts
from tests.support.factories import OTHER, OWN, small_coalition
from tests.support.http import click
from tests.support.slack import new_trigger_id, payload, validate_blocks, validate_calls


@dataclass
class SocketSide:
    """Slack's end of the socket: it only receives the envelopes' acknowledgements."""

    logger: logging.Logger = field(default_factory=lambda: logging.getLogger("socket-test"))
    sent: list[SocketModeResponse] = field(default_factory=list)

    def send_socket_mode_response(self, response: SocketModeResponse) -> None:
        self.sent.append(response)


@pytest.fixture
def socket(
    settings: Settings, muster: Muster, slack: SlackStandIn
) -> Iterator[tuple[MusterSocketModeHandler, SocketSide, WorkerPool]]:
    small_coalition(muster)
    workers = WorkerPool(4)
    socket_settings = settings.model_copy(update={"slack_signing_secret": None})
    app = create_app(socket_settings, muster=muster, workers=workers)
    handler = MusterSocketModeHandler(app, app_token="xapp-1-test")
    yield handler, SocketSide(), workers
    handler.close(1.0)  # the client's threads, never connected here
    workers.shutdown()
    validate_calls(slack.calls)


def envelope(kind: str, data: dict[str, Any], retry: int | None = None) -> SocketModeRequest:
    return SocketModeRequest(
        type=kind, envelope_id=new_trigger_id(), payload=data, retry_attempt=retry
    )


def test_slash_command_over_socket_mode(
    socket: tuple[MusterSocketModeHandler, SocketSide, WorkerPool],
) -> None:
    handler, side, _ = socket
    command = payload("slash_command") | {
        "user_id": OWN,
        "text": "pledge LAND-1 1 confirmed",
        "trigger_id": new_trigger_id(),
    }
    handler.handle(side, envelope("slash_commands", command))  # type: ignore[arg-type]
    [ack] = side.sent
    assert "Pledge P-3 recorded" in ack.payload["text"]
    validate_blocks(ack.payload["blocks"])


def test_a_retried_envelope_is_applied_once(
    socket: tuple[MusterSocketModeHandler, SocketSide, WorkerPool], muster: Muster
) -> None:
    handler, side, _ = socket
    command = payload("slash_command") | {
        "user_id": OWN,
        "text": "pledge LAND-1 1",
        "trigger_id": "socket.retry.1",
    }
    handler.handle(side, envelope("slash_commands", command))  # type: ignore[arg-type]
    handler.handle(side, envelope("slash_commands", command, retry=1))  # type: ignore[arg-type]
    assert "applied once" in side.sent[1].payload["text"]
    assert len(muster.pledges.list_pledges(OWN, "LAND-1").pledges) == 2


def test_button_and_home_over_socket_mode(
    socket: tuple[MusterSocketModeHandler, SocketSide, WorkerPool], slack: SlackStandIn
) -> None:
    handler, side, workers = socket
    handler.handle(side, envelope("interactive", click(OTHER, ACTION_PLEDGE, "SKY-1")))  # type: ignore[arg-type]
    assert (
        slack.calls_to("views.open")[0].args["view"]["blocks"][0]["element"]["initial_option"][
            "value"
        ]
        == "SKY-1"
    )
    event = payload("event_app_home_opened")
    event["event"]["user"] = OTHER
    handler.handle(side, envelope("events_api", event))  # type: ignore[arg-type]
    workers.wait_idle()
    assert slack.calls_to("views.publish")[0].args["user_id"] == OTHER
    assert len(side.sent) == 2


def malformed_payload(case: str, marker: str) -> object:
    """A payload Slack would never send in an envelope, with ``marker`` inside."""
    clicked = click(OTHER, ACTION_PLEDGE, "SKY-1")
    clicked["user"]["name"] = marker
    without_actions = {k: v for k, v in clicked.items() if k != "actions"}
    submitted = copy.deepcopy(payload("view_submission"))
    return {
        "block-actions-without-actions": without_actions,
        "block-actions-with-no-action": without_actions | {"actions": []},
        "block-actions-without-a-user": {**clicked, "user": marker},
        "event-not-an-object": payload("event_app_home_opened") | {"event": marker},
        "view-not-an-object": submitted | {"view": marker},
        "no-type": {"text": marker},
    }[case]


@pytest.mark.parametrize(
    "case",
    [
        "block-actions-without-actions",
        "block-actions-with-no-action",
        "block-actions-without-a-user",
        "event-not-an-object",
        "view-not-an-object",
        "no-type",
    ],
)
def test_a_malformed_envelope_is_acknowledged_and_left_out_of_the_log(
    case: str,
    socket: tuple[MusterSocketModeHandler, SocketSide, WorkerPool],
    muster: Muster,
    slack: SlackStandIn,
    caplog: pytest.LogCaptureFixture,
) -> None:
    handler, side, workers = socket
    marker = f"BODY-MARKER-{uuid.uuid4().hex}"
    before = row_counts(muster.engine)
    request = envelope("interactive", malformed_payload(case, marker))  # type: ignore[arg-type]
    with caplog.at_level(logging.DEBUG):
        handler.handle(side, request)  # type: ignore[arg-type]
        workers.wait_idle()
    [ack] = side.sent
    assert (ack.envelope_id, ack.payload) == (request.envelope_id, None)
    assert f"ignored a malformed Socket Mode envelope {request.envelope_id}" in caplog.text
    assert marker not in caplog.text
    assert not any(r.exc_info for r in caplog.records) and "Traceback" not in caplog.text
    assert row_counts(muster.engine) == before
    assert slack.calls == []


@pytest.mark.parametrize("payload_value", [["list"], 42, None])
def test_an_envelope_whose_payload_is_not_an_object_is_acknowledged_before_the_sdk_fails(
    payload_value: object,
    socket: tuple[MusterSocketModeHandler, SocketSide, WorkerPool],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The SDK cannot make a SocketModeRequest of such a payload; Muster's listener on
    the raw envelope, which runs before it, acknowledges it and takes the payload away."""
    handler, side, _ = socket
    assert handler.client.message_listeners[0] == handler.ignore_unreadable
    marker = f"BODY-MARKER-{uuid.uuid4().hex}"
    message = {"type": "interactive", "envelope_id": "e-1", "payload": payload_value}
    with caplog.at_level(logging.DEBUG):
        handler.ignore_unreadable(side, message, f'{{"payload": "{marker}"}}')  # type: ignore[arg-type]
    [ack] = side.sent
    assert (ack.envelope_id, ack.payload) == ("e-1", None)
    assert SocketModeRequest.from_dict(message) is None
    assert "ignored a malformed Socket Mode envelope e-1" in caplog.text
    assert marker not in caplog.text
