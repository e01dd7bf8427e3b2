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

from bot.services.answer_notices import OwedNotice
from bot.services.muster import Muster
from handlers.answers import notice_message
from handlers.posting import PERMANENT, Unknown, look_for_sent, send_once

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
    def post() -> str:
        text, blocks = notice_message(notice, muster.clock())
        answer = client.chat_postMessage(
            channel=notice.recipient, text=text, blocks=blocks, metadata=_metadata(notice)
        )
        return str(answer["ts"])

    def finish(ts: str | None) -> None:
        muster.answer_notices.finish(notice, posted=ts is not None, message_ts=ts or "")

    return send_once(
        what=f"a question notice to {notice.recipient}",
        taken_over=notice.taken_over,
        look=lambda: _already_sent(client, notice, logger),
        post=post,
        finish=finish,
        refused=REFUSED,
        logger=logger,
    )


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
