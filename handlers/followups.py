"""Work done after the user has their answer: it must never undo or delay that answer."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.webhook import WebhookClient

from bot.domain.errors import MusterError
from bot.services.muster import Muster
from handlers import call_delivery, deliveries, exports, home, outbox, questions, written_report
from handlers.blocks import ExportRequest, FollowUps, Notice, PreviewRequest
from handlers.digest import render_digest
from handlers.errors import message_for
from handlers.posting import post_digest_now, post_notice, posting_client


def announce(muster: Muster, client: WebClient, question_id: int, logger: logging.Logger) -> None:
    channel = muster.delegations.coordinators_channel()
    if channel is None:
        return
    view = muster.questions.question_for_announcement(question_id)
    text, blocks = questions.announcement(view)
    ts = post_notice(client, Notice(channel=channel, text=text, blocks=blocks), logger)
    if ts:
        muster.questions.record_announcement(question_id, channel, ts)


def refresh_home(muster: Muster, client: WebClient, user: str, logger: logging.Logger) -> None:
    try:
        client.views_publish(
            user_id=user,
            view=home.build(muster.reports.home(user, items=home.MAX_ITEMS), muster.clock()),
        )
    except (SlackApiError, MusterError) as exc:
        logger.warning("could not refresh the Home tab of %s: %s", user, exc)


def send_export(
    muster: Muster, client: WebClient, request: ExportRequest, logger: logging.Logger
) -> None:
    try:
        with tempfile.TemporaryDirectory(prefix="muster-export-") as folder:
            export = exports.build_export(muster, request, Path(folder))
            dm = client.conversations_open(users=request.user)["channel"]["id"]
            client.files_upload_v2(
                channel=dm, file=str(export.path), filename=export.filename, title=export.title
            )
    except Exception as exc:  # the user asked for it: say so rather than fail silently
        message_for(exc, logger)
        sorry = "Sorry, the export could not be made or uploaded; please try again."
        post_notice(client, Notice(request.user, sorry, []), logger)


def send_preview(
    muster: Muster, client: WebClient, request: PreviewRequest, logger: logging.Logger
) -> None:
    """The digest as the user's audience would read it, where they asked for it (or
    by DM when the command came without a response URL)."""
    try:
        text, blocks = render_digest(muster.digests.preview(request.user, muster.clock()))
    except Exception as exc:  # the user is waiting for it: say so rather than fail silently
        text, blocks = f"The digest preview could not be built. {message_for(exc, logger)}", []
    if request.response_url and _responded(client, request, text, blocks, logger):
        return
    # No response URL, or Slack refused it (it expires after 30 minutes): send a DM.
    post_notice(client, Notice(request.user, text, blocks), logger)


def _responded(
    client: WebClient,
    request: PreviewRequest,
    text: str,
    blocks: list[dict[str, Any]],
    logger: logging.Logger,
) -> bool:
    try:
        answer = WebhookClient(request.response_url, retry_handlers=client.retry_handlers).send(
            text=text, blocks=blocks, response_type="ephemeral", replace_original=False
        )
    except (OSError, SlackRequestError) as exc:
        logger.warning("could not deliver the digest preview to %s: %s", request.user, exc)
        return False
    if answer.status_code != 200:  # the webhook client answers errors, it does not raise
        logger.warning(
            "Slack refused the digest preview for %s: %s %s",
            request.user,
            answer.status_code,
            answer.body,
        )
        return False
    return True


def run(muster: Muster, client: WebClient, work: FollowUps, logger: logging.Logger) -> None:
    for notice in work.notices:
        post_notice(client, notice, logger)
    if work.digest_to is not None:
        post_digest_now(muster, client, work.digest_to)
    if work.preview is not None:
        send_preview(muster, client, work.preview, logger)
    if work.upload is not None:
        send_export(muster, client, work.upload, logger)
    if work.report is not None:
        written_report.send_report(muster, client, work.report, logger)
    if work.announce_question is not None:
        announce(muster, client, work.announce_question, logger)
    if work.send_notices:
        deliveries.send_owed(muster, posting_client(client), logger)
    if work.plan_calls:
        call_delivery.plan(muster, posting_client(client), logger)
    if work.send_messages or work.plan_calls:
        outbox.send_due(muster, posting_client(client), logger)
    for user in dict.fromkeys(work.refresh_home):
        refresh_home(muster, client, user, logger)


def run_logged(muster: Muster, client: WebClient, work: FollowUps, logger: logging.Logger) -> None:
    """The worker pool's entry point, after the acknowledgement is sent."""
    with logged(logger):
        run(muster, client, work, logger)


@contextmanager
def logged(logger: logging.Logger) -> Iterator[None]:
    """Background work has no user to tell: log the traceback under a reference."""
    try:
        yield
    except Exception as exc:
        message_for(exc, logger)
