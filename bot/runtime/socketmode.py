"""Socket Mode: Slack's envelopes over a WebSocket, checked as HTTP requests are."""

from __future__ import annotations

import logging
import re
from typing import Any, cast

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.runtime.inbound import Malformed, bolt_request

log = logging.getLogger("muster.socket")
ENVELOPE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class MusterSocketModeHandler(SocketModeHandler):
    """Bolt's handler, except that an envelope whose payload Slack would never send
    is acknowledged and dropped with one log line. Bolt would raise on it, or answer
    it with an error that is never acknowledged, and Slack would send it again."""

    def __init__(self, app: App, app_token: str, **kwargs: Any) -> None:
        super().__init__(app, app_token, **kwargs)
        # Runs before the SDK makes a request of the envelope (see ignore_unreadable).
        self.client.message_listeners.insert(0, self.ignore_unreadable)

    def ignore_unreadable(
        self, client: BaseSocketModeClient, message: dict[str, Any], _raw: str | None
    ) -> None:
        """The SDK cannot make a request of an envelope whose payload is neither an
        object nor text: it raises, logs a traceback and acknowledges nothing."""
        payload = message.get("payload", {})
        if message.get("envelope_id") and not isinstance(payload, dict | str):
            ignore(client, message["envelope_id"], "the payload is not a JSON object")
            message.pop("payload")  # so that the SDK does not try, and fail, after us

    def handle(self, client: BaseSocketModeClient, req: SocketModeRequest) -> None:
        try:
            bolt_request(req.payload, mode="socket_mode")
        except Malformed as exc:
            ignore(client, req.envelope_id, str(exc))
            return
        # Bolt's SocketModeHandler.handle names the builtin client, but only hands it to
        # send_response, which takes any BaseSocketModeClient.
        super().handle(cast(SocketModeClient, client), req)


def ignore(client: BaseSocketModeClient, envelope_id: str, reason: str) -> None:
    """Acknowledge the envelope with no payload, so that Slack does not send it again."""
    # The envelope id is Slack's; nothing else of the envelope goes into the log.
    shown = envelope_id if ENVELOPE_ID.match(str(envelope_id)) else "?"
    log.warning("ignored a malformed Socket Mode envelope %s: %s", shown, reason)
    client.send_socket_mode_response(SocketModeResponse(envelope_id=envelope_id))
