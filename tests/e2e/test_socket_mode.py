"""Socket Mode: the same payloads through Bolt's SocketModeHandler request handling."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.app import create_app
from bot.services import Muster
from bot.settings import Settings
from bot.standin import SlackStandIn
from bot.workers import WorkerPool
from handlers.ids import ACTION_PLEDGE
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
) -> Iterator[tuple[SocketModeHandler, SocketSide, WorkerPool]]:
    small_coalition(muster)
    workers = WorkerPool(4)
    socket_settings = settings.model_copy(update={"slack_signing_secret": None})
    app = create_app(socket_settings, muster=muster, workers=workers)
    yield SocketModeHandler(app, app_token="xapp-1-test"), SocketSide(), workers
    workers.shutdown()
    validate_calls(slack.calls)


def envelope(kind: str, data: dict[str, Any], retry: int | None = None) -> SocketModeRequest:
    return SocketModeRequest(
        type=kind, envelope_id=new_trigger_id(), payload=data, retry_attempt=retry
    )


def test_slash_command_over_socket_mode(
    socket: tuple[SocketModeHandler, SocketSide, WorkerPool],
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
    socket: tuple[SocketModeHandler, SocketSide, WorkerPool], muster: Muster
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
    assert len(muster.list_pledges(OWN, "LAND-1").pledges) == 2


def test_button_and_home_over_socket_mode(
    socket: tuple[SocketModeHandler, SocketSide, WorkerPool], slack: SlackStandIn
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
