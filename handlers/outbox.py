"""Sending what the outbox owes (bot.services.outbox), each message once: right after
the command that owed it, and from every tick for whatever is due, was dropped by a
process or failed at Slack.

A message is claimed before it is posted and marked once posted. It carries its key
in Slack's message metadata, so a message taken over from a process that died, or
whose answer from Slack was lost, is looked for in the member's direct messages
before it is posted again."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient

from bot.services.muster import Muster
from bot.services.outbox import ClaimedMessage
from handlers.deliveries import REFUSED, worker
from handlers.posting import Unknown, look_for_sent, post, send_once

log = logging.getLogger("muster.outbox")
METADATA_EVENT = "muster_outbox"


def send_due(muster: Muster, client: WebClient, logger: logging.Logger = log) -> int:
    """Send every message that is due; how many were sent."""
    me = worker()
    sent = 0
    for message_id in muster.outbox.due(muster.clock()):
        message = muster.outbox.claim(message_id, me)
        if message is not None and _send(muster, client, message, logger):
            sent += 1
    return sent


def _send(
    muster: Muster, client: WebClient, message: ClaimedMessage, logger: logging.Logger
) -> bool:
    def finish(ts: str | None) -> None:
        if ts is None:
            muster.outbox.finish(message, sent=False)
        else:
            muster.outbox.finish(message, sent=True, ts=ts)

    return send_once(
        what=f"{message.key} to {message.recipient}",
        taken_over=message.taken_over,
        look=lambda: _already_sent(client, message, logger),
        post=lambda: _post(client, message),
        finish=finish,
        refused=REFUSED,
        logger=logger,
    )


def is_channel(recipient: str) -> bool:
    """A channel (a summary for the coordinators), not a member's direct messages."""
    return recipient[:1] in ("C", "G")


def _post(client: WebClient, message: ClaimedMessage) -> str:
    """Post the message; to a public channel the bot is not in yet, after joining it."""
    if is_channel(message.recipient):
        return post(client, message.recipient, message.text, message.blocks, metadata(message.key))
    answer = client.chat_postMessage(
        channel=message.recipient,
        text=message.text,
        blocks=message.blocks or None,
        metadata=metadata(message.key),
    )
    return str(answer["ts"])


def metadata(key: str) -> dict[str, Any]:
    return {"event_type": METADATA_EVENT, "event_payload": {"key": key}}


def _already_sent(
    client: WebClient, message: ClaimedMessage, logger: logging.Logger
) -> str | Unknown | None:
    """The ts of this message where it was sent; None if not there; UNKNOWN."""
    return look_for_sent(
        client, message.recipient, METADATA_EVENT, lambda p: p.get("key") == message.key, logger
    )
