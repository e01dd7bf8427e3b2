"""Sending the direct messages that answers and links owe (bot.services.answer_notices),
each once: right after the command, and from every tick for whatever a process
dropped or Slack failed.

A notice is claimed before it is posted and marked once posted. Its message carries
the notice's id in Slack's message metadata, so a notice taken over from a process
that died, or whose answer from Slack was lost, is looked for in the member's direct
messages before it is posted again."""

from __future__ import annotations

import logging
import os
import socket
import threading
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services.answer_notices import OwedNotice
from bot.services.muster import Muster
from handlers.answers import notice_message
from handlers.posting import HISTORY_LOOKBACK, PERMANENT, UNCERTAIN

log = logging.getLogger("muster.notices")
METADATA_EVENT = "muster_notice"
# Slack refuses these for good: the member is gone, or cannot get direct messages.
REFUSED = PERMANENT | {"user_not_found", "user_disabled", "cannot_dm_bot", "messages_tab_disabled"}


def worker() -> str:
    """Who claims: this process and thread, so a lease is only ever finished by its holder."""
    return f"{socket.gethostname()[:50]}:{os.getpid()}:{threading.get_ident()}"[:80]


def send_owed(muster: Muster, client: WebClient, logger: logging.Logger = log) -> int:
    """Send every notice that is due; how many were sent."""
    me = worker()
    sent = 0
    for notice_id in muster.answer_notices.due(muster.clock()):
        notice = muster.answer_notices.claim(notice_id, me)
        if notice is not None and _send(muster, client, notice, logger):
            sent += 1
    return sent


def _send(muster: Muster, client: WebClient, notice: OwedNotice, logger: logging.Logger) -> bool:
    if notice.taken_over and (ts := _already_sent(client, notice, logger)):
        muster.answer_notices.finish(notice, posted=True, message_ts=ts)
        return True
    text, blocks = notice_message(notice, muster.clock())
    try:
        answer = client.chat_postMessage(
            channel=notice.recipient, text=text, blocks=blocks, metadata=_metadata(notice)
        )
    except SlackApiError as exc:
        error = str(exc.response.get("error") or "")
        logger.warning("could not send a question notice to %s: %s", notice.recipient, error)
        if error in REFUSED:
            muster.answer_notices.finish(notice, posted=False)
        return False  # otherwise the claim stays: once its lease runs out, a tick tries again
    except UNCERTAIN as exc:
        logger.warning("sending to %s: the answer was lost (%s)", notice.recipient, exc)
        found = _already_sent(client, notice, logger)
        if found:
            muster.answer_notices.finish(notice, posted=True, message_ts=found)
        return found is not None
    muster.answer_notices.finish(notice, posted=True, message_ts=str(answer["ts"]))
    return True


def _metadata(notice: OwedNotice) -> dict[str, Any]:
    return {"event_type": METADATA_EVENT, "event_payload": {"notice": notice.id}}


def _already_sent(client: WebClient, notice: OwedNotice, logger: logging.Logger) -> str | None:
    """The ts of this notice in the member's direct messages, if it is there."""
    try:
        channel = client.conversations_open(users=notice.recipient)["channel"]["id"]
        history = client.conversations_history(
            channel=channel, limit=HISTORY_LOOKBACK, include_all_metadata=True
        )
    except (SlackApiError, *UNCERTAIN) as exc:
        logger.warning("could not read the direct messages of %s: %s", notice.recipient, exc)
        return None
    for message in history.get("messages") or []:
        metadata = message.get("metadata") or {}
        if (
            metadata.get("event_type") == METADATA_EVENT
            and (metadata.get("event_payload") or {}).get("notice") == notice.id
        ):
            return str(message["ts"])
    return None
