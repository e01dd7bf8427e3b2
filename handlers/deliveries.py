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
from handlers.posting import PERMANENT, UNCERTAIN, UNKNOWN, Unknown, look_for_sent

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
    if notice.taken_over:
        found = _already_sent(client, notice, logger)
        if found is UNKNOWN:
            return False  # we cannot tell: the claim stays, and a later tick looks again
        if isinstance(found, str):
            muster.answer_notices.finish(notice, posted=True, message_ts=found)
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
        if isinstance(found, str):
            muster.answer_notices.finish(notice, posted=True, message_ts=found)
            return True
        return False  # not there (or we cannot tell): once the lease runs out, a tick looks again
    muster.answer_notices.finish(notice, posted=True, message_ts=str(answer["ts"]))
    return True


def _metadata(notice: OwedNotice) -> dict[str, Any]:
    return {"event_type": METADATA_EVENT, "event_payload": {"notice": notice.id}}


def _already_sent(
    client: WebClient, notice: OwedNotice, logger: logging.Logger
) -> str | Unknown | None:
    """The ts of this notice in the member's direct messages; None if not there;
    UNKNOWN if they could not be read."""
    return look_for_sent(
        client, notice.recipient, METADATA_EVENT, lambda p: p.get("notice") == notice.id, logger
    )
