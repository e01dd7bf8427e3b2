"""The one place where failures become what the user reads.

Expected failures (bad input, permission, not found, conflict) become a short
ephemeral reply, or an error next to the field in a form. Anything else is logged
with its traceback under a short reference, and the user sees only the reference."""

from __future__ import annotations

import json
import logging
import re
import socket
import uuid
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltResponse
from slack_sdk.errors import SlackApiError

from bot.domain.errors import AlreadyApplied, MusterError
from handlers.blocks import CLASSIFIED_NOTICE, truncate

MAX_FIELD_ERROR = 150


TOO_SLOW = {"expired_trigger_id", "exchanged_trigger_id"}


def defuse(text: str) -> str:
    """Error messages quote what the user typed: keep it from pinging a channel or
    posing as a link, while our own <@user> and <#channel> mentions stay."""
    return re.sub(r"<(?=[!a-z])", "&lt;", text)


def message_for(error: Exception, logger: logging.Logger) -> str:
    if isinstance(error, MusterError):
        return defuse(str(error))
    if isinstance(error, SlackApiError) and error.response.get("error") in TOO_SLOW:
        return "Slack gave up waiting for the form to open. Please try again."
    if isinstance(error, SlackApiError) and error.response.get("error") == "ratelimited":
        return "Slack is busy right now. Please try again in a moment."
    if isinstance(error, TimeoutError | socket.timeout):
        logger.warning("a Slack call timed out while the user waited: %s", error)
        return "Slack took too long to answer. Please try again."
    reference = uuid.uuid4().hex[:8]
    # The traceback goes to the log under the reference; the user only sees the reference.
    logger.error("unexpected error, reference %s", reference, exc_info=error)
    return f"Sorry, something went wrong on our side (reference `{reference}`). Please tell a coordinator."


def _json(body: dict[str, Any]) -> BoltResponse:
    return BoltResponse(
        status=200, body=json.dumps(body), headers={"content-type": "application/json"}
    )


def _form_errors(error: Exception, text: str, view: dict[str, Any]) -> BoltResponse:
    if isinstance(error, AlreadyApplied):
        return _json({"response_action": "clear"})
    inputs = [
        b["block_id"]
        for b in view.get("blocks", [])
        if b.get("type") == "input" and "block_id" in b
    ]
    field = getattr(error, "field", None)
    if field not in inputs:
        field = inputs[0] if inputs else "general"
    return _json({"response_action": "errors", "errors": {field: truncate(text, MAX_FIELD_ERROR)}})


def _tell_clicker(
    text: str,
    body: dict[str, Any],
    respond: Callable[..., Any],
    client: Any,
    logger: logging.Logger,
) -> None:
    try:
        if body.get("response_url"):
            respond(text=text, response_type="ephemeral", replace_original=False)
        else:  # a button on the Home tab or in a form: no message to answer, so write to the user
            client.chat_postMessage(channel=body["user"]["id"], text=text)
    except SlackApiError as exc:
        logger.warning("could not tell the user about an error: %s", exc.response.get("error"))


def on_error(
    error: Exception,
    body: dict[str, Any],
    context: dict[str, Any],
    logger: logging.Logger,
    respond: Callable[..., Any],
    client: Any,
) -> BoltResponse:
    text = message_for(error, logger)
    kind = body.get("type")
    if kind == "view_submission":
        return _form_errors(error, text, body.get("view", {}))
    if kind == "block_actions":
        _tell_clicker(text, body, respond, client, logger)
        return BoltResponse(status=200, body="")
    if kind == "event_callback":
        return BoltResponse(status=200, body="")
    if context.get("first_contact"):
        text += f"\n⚠️ Welcome to Muster. {CLASSIFIED_NOTICE}"
    return _json(
        {
            "response_type": "ephemeral",
            "text": text,
            "blocks": [
                {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, 3000)}}
            ],
        }
    )
