"""What calls for contributions owe, owed through the outbox: from every tick, and
right after a command that opened, extended or closed a call.

The service says what is due (bot.services.call_planning); this writes the messages,
works out each member's quiet hours in their own Slack time zone (users.info, kept
on the member and looked up again after a week; the coalition's own zone when Slack
gives none) and hands them back to be owed once."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.calls import quiet_until
from bot.domain.schedule import kept_zone
from bot.services.call_planning import ZONE_KEPT, Owing, Recipient
from bot.services.muster import Muster
from bot.services.outbox import Owed
from handlers.call_messages import letter_message, summary_message
from handlers.outbox import send_due
from handlers.posting import UNCERTAIN

log = logging.getLogger("muster.calls")


def plan(muster: Muster, client: WebClient, logger: logging.Logger = log) -> int:
    """Close the calls whose deadline has come, and owe what is due; how many things
    (a delegation's messages, a summary) were owed."""
    planning = muster.call_planning
    closed = planning.close_due()
    if closed:
        logger.info("closed at their deadline: %s", ", ".join(closed))
    owed = 0
    for summary in planning.owed_summaries():
        text, blocks = summary_message(summary.call)
        owed += planning.summarize(summary, text, blocks)
    letters = planning.owed_letters()
    zones = member_zones(muster, client, (m for o in letters for m in o.members), logger)
    now = muster.clock()
    for owing in letters:
        owed += planning.send(owing, messages(owing, zones, now))
    return owed


def plan_and_send(muster: Muster, client: WebClient, logger: logging.Logger = log) -> int:
    """What a command's follow-up does: owe what is due, then send what can go now."""
    plan(muster, client, logger)
    return send_due(muster, client, logger)


def messages(owing: Owing, zones: dict[str, ZoneInfo], now: datetime) -> list[Owed]:
    """One message per member: at once, or at 07:00 where a member's night has begun
    (unless that is past the deadline); none after the deadline."""
    deadline = owing.letter.call.deadline
    written: dict[datetime, tuple[str, list[dict[str, Any]]]] = {}
    found = []
    for member in owing.members:
        when = quiet_until(now, zones[member.user], deadline)
        # Written for the moment it goes: a reminder kept for a member's morning says
        # the time left then, not when it was owed.
        if when not in written:
            written[when] = letter_message(owing.kind, owing.letter, when)
        text, blocks = written[when]
        found.append(
            Owed(
                owing.key(member.user),
                member.user,
                text,
                blocks,
                not_before=when,
                expires_at=deadline,
            )
        )
    return found


def member_zones(
    muster: Muster, client: WebClient, members: Iterable[Recipient], logger: logging.Logger
) -> dict[str, ZoneInfo]:
    """Each member's time zone: as kept, looked up first if never or long ago."""
    now = muster.clock()
    fallback = ZoneInfo(muster.timezone)
    found: dict[str, ZoneInfo] = {}
    looked_up: dict[str, str] = {}
    for member in members:
        if member.user in found:
            continue
        zone = member.zone
        if member.checked_at is None or now - member.checked_at > ZONE_KEPT:
            fresh = _slack_zone(client, member.user, logger)
            if fresh is not None:
                zone = looked_up[member.user] = fresh
        found[member.user] = kept_zone(zone) or fallback
    if looked_up:
        muster.call_planning.remember_zones(looked_up)
    return found


def _slack_zone(client: WebClient, user: str, logger: logging.Logger) -> str | None:
    """The member's time zone as Slack has it ("" when it gives none); None when Slack
    could not be asked (the member's kept zone, or the coalition's, stands in)."""
    try:
        answer = client.users_info(user=user)
    except (SlackApiError, *UNCERTAIN) as exc:
        logger.warning("could not look up the time zone of %s: %s", user, exc)
        return None
    return str((answer.get("user") or {}).get("tz") or "")
