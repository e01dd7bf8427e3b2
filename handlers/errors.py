"""The one place where failures become what the user reads."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from slack_bolt import BoltResponse

from bot.errors import MusterError
from handlers.blocks import CLASSIFIED_NOTICE, truncate


def message_for(error: Exception, logger: logging.Logger) -> str:
    if isinstance(error, MusterError):
        return str(error)
    reference = uuid.uuid4().hex[:8]
    # The traceback goes to the log under the reference; the user only sees the reference.
    logger.error("unexpected error, reference %s", reference, exc_info=error)
    return f"Sorry, something went wrong on our side (reference `{reference}`). Please tell a coordinator."


def on_error(error: Exception, context: dict[str, Any], logger: logging.Logger) -> BoltResponse:
    text = message_for(error, logger)
    if context.get("first_contact"):
        text += f"\n⚠️ Welcome to Muster. {CLASSIFIED_NOTICE}"
    body = {
        "response_type": "ephemeral",
        "text": text,
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, 3000)}}],
    }
    return BoltResponse(
        status=200, body=json.dumps(body), headers={"content-type": "application/json"}
    )
