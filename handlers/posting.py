"""Posting to Slack, with one set of failure rules for every caller.

``post`` joins a public channel it is not in and says plainly when a channel
cannot take our posts (``Unreachable``); ``post_notice`` is for follow-ups that
must never fail the user's command, so it logs instead of raising."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from datetime import datetime, timedelta
from http.client import RemoteDisconnected
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.services.broadcasts import Claim
from bot.services.muster import Muster
from handlers.blocks import Notice
from handlers.charts import coverage_png
from handlers.digest import render_digest

log = logging.getLogger("muster.post")
PERMANENT = {
    "not_allowed_token_type",
    "channel_not_found",
    "is_archived",
    "not_in_channel",
    "method_not_supported_for_channel_type",
    "channel_is_archived",
    "restricted_action",
}


def chart_title(now: datetime) -> str:
    return f"Coverage on {now:%d %b %Y}"


class Unreachable(Exception):
    """The channel cannot take our posts (archived, private without us, gone)."""


METADATA_EVENT = "muster_post"
HISTORY_LOOKBACK = 100  # messages: a lease is minutes long, so our post is among the latest
UNCERTAIN = (URLError, ConnectionError, TimeoutError, RemoteDisconnected, socket.timeout)


def posting_client(client: WebClient) -> WebClient:
    """A copy of ``client`` that never re-sends a request whose answer was lost.

    Retrying a lost connection may post a second digest when the first one did
    reach Slack; the tick looks in the channel's history instead. Rate limits (429)
    are still retried: Slack refused those requests, so nothing was posted."""
    return WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)],
    )


def claim_metadata(claims: list[Claim]) -> dict[str, Any]:
    """Slack message metadata naming the claims a post fulfils, to find it again."""
    return {
        "event_type": METADATA_EVENT,
        "event_payload": {
            "subscription": claims[0].subscription_id,
            "claims": [c.id for c in claims],
        },
    }


def find_posted(client: WebClient, channel: str, claims: list[Claim]) -> dict[int, str]:
    """Which of ``claims`` are already in the channel (claim id → message ts)."""
    wanted = {c.id for c in claims}
    try:
        history = client.conversations_history(
            channel=channel, limit=HISTORY_LOOKBACK, include_all_metadata=True
        )
    except (SlackApiError, *UNCERTAIN) as exc:
        log.warning("could not read the history of %s: %s", channel, exc)
        return {}
    found: dict[int, str] = {}
    for message in history.get("messages") or []:
        metadata = message.get("metadata") or {}
        if metadata.get("event_type") != METADATA_EVENT:
            continue
        for claim_id in (metadata.get("event_payload") or {}).get("claims") or []:
            if claim_id in wanted:
                found.setdefault(claim_id, str(message["ts"]))
    return found


def post(
    client: WebClient,
    channel: str,
    text: str,
    blocks: list[dict[str, Any]],
    metadata: dict[str, Any] | None = None,
    *,
    thread_ts: str | None = None,
) -> str:
    """Post, joining a public channel first if we are not in it. Rate limits are
    handled by the client's retry handler (429 with Retry-After)."""
    try:
        return str(
            client.chat_postMessage(
                channel=channel, text=text, blocks=blocks, metadata=metadata, thread_ts=thread_ts
            )["ts"]
        )
    except SlackApiError as exc:
        error = exc.response.get("error")
        if error == "not_in_channel":
            pass
        elif error in PERMANENT:
            raise Unreachable(error) from None
        else:
            raise
    try:
        client.conversations_join(channel=channel)
    except SlackApiError as exc:
        error = exc.response.get("error") or "not_in_channel"
        if error in PERMANENT:  # private or archived: we cannot invite ourselves
            raise Unreachable(error) from None
        raise  # a passing failure: the claim stays, a later tick tries again
    return str(
        client.chat_postMessage(
            channel=channel, text=text, blocks=blocks, metadata=metadata, thread_ts=thread_ts
        )["ts"]
    )


def upload_chart(
    client: WebClient, channel: str, thread_ts: str, chart: Callable[[], bytes]
) -> None:
    try:
        png = chart()
        client.files_upload_v2(
            channel=channel,
            thread_ts=thread_ts,
            content=png,
            filename="coverage.png",
            title="Coverage by objective",
            alt_txt="Firm, conditional and open share per objective",
        )
    except Exception as exc:  # the text digest is out; the picture is a bonus
        log.warning("chart upload to %s failed: %s", channel, exc)


def post_digest_now(muster: Muster, client: WebClient, channel: str) -> str | None:
    """`/muster digest now`: an extra digest outside the weekly period, claimed by nobody."""
    now = muster.clock()
    since = muster.broadcasts.previous_digest_at(channel) or now - timedelta(days=7)
    full_view = muster.digests.audience_is_coordinators(channel)
    digest = muster.digests.digest(now, since, full_view=full_view)
    text, blocks = render_digest(digest)
    try:
        ts = post(client, channel, text, blocks)
    except (Unreachable, SlackApiError) as exc:
        log.warning("digest now to %s failed: %s", channel, exc)
        return None
    upload_chart(client, channel, ts, lambda: coverage_png(digest.report, chart_title(now)))
    return ts


def post_notice(client: WebClient, notice: Notice, logger: logging.Logger = log) -> str | None:
    """Post a follow-up; a failure is logged, never raised: the user has their answer."""
    try:
        return post(client, notice.channel, notice.text, notice.blocks, thread_ts=notice.thread_ts)
    except (Unreachable, SlackApiError, *UNCERTAIN) as exc:
        logger.warning("could not post to %s: %s", notice.channel, exc)
        return None


class Unknown:
    """The messages could not be read: whether it was posted cannot be told."""


UNKNOWN = Unknown()


def look_for_sent(
    client: WebClient,
    recipient: str,
    event_type: str,
    is_it: Callable[[dict[str, Any]], bool],
    logger: logging.Logger,
) -> str | Unknown | None:
    """The ts of our message of ``event_type`` whose metadata payload ``is_it``
    recognises, among the latest in the recipient's direct messages (or the channel,
    for a channel); None if it is not there; UNKNOWN if they could not be read, so
    that nothing is posted twice on a guess."""
    try:
        channel = recipient
        if recipient[:1] not in ("C", "G"):
            channel = client.conversations_open(users=recipient)["channel"]["id"]
        history = client.conversations_history(
            channel=channel, limit=HISTORY_LOOKBACK, include_all_metadata=True
        )
    except (SlackApiError, *UNCERTAIN) as exc:
        logger.warning("could not read the messages of %s: %s", recipient, exc)
        return UNKNOWN
    for found in history.get("messages") or []:
        meta = found.get("metadata") or {}
        if meta.get("event_type") == event_type and is_it(meta.get("event_payload") or {}):
            return str(found["ts"])
    return None


def send_once(
    *,
    what: str,
    taken_over: bool,
    look: Callable[[], str | Unknown | None],
    post: Callable[[], str],
    finish: Callable[[str | None], None],
    refused: frozenset[str] | set[str],
    logger: logging.Logger,
) -> bool:
    """Post one claimed message exactly once: the protocol the outbox and the answer
    notices share. A claim taken over from a process that died is first looked for
    where it would be (``look``), and not posted on a guess when that cannot be read;
    a post whose answer was lost is looked for too. ``finish(ts)`` marks it sent,
    ``finish(None)`` gives it up (Slack refuses it for good); otherwise the claim
    stays and, once its lease runs out, a later tick tries again. True if sent."""
    if taken_over:
        found = look()
        if found is UNKNOWN:
            return False
        if isinstance(found, str):
            finish(found)
            return True
    try:
        ts = post()
    except Unreachable as exc:
        logger.warning("could not post %s: %s", what, exc)
        finish(None)
        return False
    except SlackApiError as exc:
        error = str(exc.response.get("error") or "")
        logger.warning("could not send %s: %s", what, error)
        if error in refused:
            finish(None)
        return False
    except UNCERTAIN as exc:
        logger.warning("sending %s: the answer was lost (%s)", what, exc)
        found = look()
        if isinstance(found, str):
            finish(found)
            return True
        return False
    finish(ts)
    return True
