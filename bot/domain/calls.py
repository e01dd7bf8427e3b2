"""Calls for contributions, as rules: deadlines in a local time, when a reminder is
owed, a member's quiet hours, how long is left, and a call's tally in words.

The co-chairs call for offers against some lines with a deadline. A delegation
answers with a pledge to a called line, a question about one, or a nil return
("nothing to offer"); reminders go 48 and 4 hours before the deadline to the
delegations that have not answered, never at night where the member is."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.errors import BadInput
from bot.domain.wording import counted, figure

CALL_REF = re.compile(r"^[Cc]-?(\d{1,9})$")
# The reminders, latest first once their moment has come: a tick after downtime owes
# only the latest of those whose moment has passed.
REMINDERS = (timedelta(hours=48), timedelta(hours=4))
QUIET_FROM, QUIET_UNTIL = time(22, 0), time(7, 0)  # no direct message in between
MAX_AHEAD = timedelta(days=366)  # a deadline further off is a typo for another year
RECENT = timedelta(days=14)  # closed calls `calls` still lists


def call_ref(call_id: int | None) -> str:
    return f"C-{call_id}"


class CallState(StrEnum):
    SILENT = "silent"
    RESPONDED = "responded"  # pledged to a called line, or asked about one
    DECLINED = "declined"  # a nil return: nothing to offer


class Answer(StrEnum):
    """How a delegation answered."""

    PLEDGE = "pledge"
    QUESTION = "question"
    DECLINE = "decline"


STATE_WORDS = {
    CallState.SILENT: "silent",
    CallState.RESPONDED: "responded",
    CallState.DECLINED: "nil return",
}


# --- deadlines -----------------------------------------------------------------------


def deadline_at(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The deadline's instant, in UTC. A time the clocks skip that day (going forward)
    falls in the hour after the jump; a time they pass twice (going back) is the
    first of the two, the earlier deadline."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)  # fold 0 does both


def check_deadline(deadline: datetime, now: datetime, zone: ZoneInfo) -> None:
    """A deadline is ahead, and within a year."""
    shown = f"{deadline.astimezone(zone):%Y-%m-%d %H:%M} {zone.key}"
    if deadline <= now:
        raise BadInput(f"{shown} is in the past; give a deadline ahead.")
    if deadline - now > MAX_AHEAD:
        raise BadInput(f"{shown} is more than a year ahead; check the year.")


def describe_deadline(deadline: datetime, zone: str) -> str:
    """The deadline where it was set, for the audit trail and plain text."""
    return f"{deadline.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} {zone}"


# --- reminders and quiet hours -------------------------------------------------------


def owed_reminder(deadline: datetime, announced_at: datetime, now: datetime) -> int | None:
    """Hours before the deadline of the reminder owed at ``now``: the latest whose
    moment has come, after the members were told of this deadline (a deadline that
    near needs no reminder on top of the news) and while the deadline is still ahead.
    None when none is owed."""
    if now >= deadline:
        return None
    owed = [offset for offset in REMINDERS if announced_at < deadline - offset <= now]
    return int(owed[-1].total_seconds() // 3600) if owed else None


def quiet_until(moment: datetime, zone: ZoneInfo, deadline: datetime | None = None) -> datetime:
    """When a direct message due at ``moment`` may go to a member in ``zone``: at once,
    unless it is night there (22:00 to 07:00), then at 07:00 their time; but if that
    is past the deadline it is about, at once after all."""
    local = moment.astimezone(zone)
    if QUIET_UNTIL <= local.time() < QUIET_FROM:
        return moment
    day = local.date() if local.time() < QUIET_UNTIL else local.date() + timedelta(days=1)
    morning = deadline_at(day, QUIET_UNTIL, zone)
    if deadline is not None and morning >= deadline:
        return moment
    return morning


# --- time left and tallies -----------------------------------------------------------


def time_left(deadline: datetime, now: datetime) -> str:
    """ "2 days 4 h left", "3 h 20 min left", "12 min left"; "closed" once past."""
    left = deadline - now
    if left <= timedelta(0):
        return "deadline passed"
    minutes = int(left.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{counted(days, 'day')} {hours} h left" if hours else f"{counted(days, 'day')} left"
    if hours:
        return f"{hours} h {minutes} min left" if minutes else f"{hours} h left"
    return f"{minutes} min left" if minutes else "less than a minute left"


@dataclass(frozen=True)
class Tally:
    """Where the delegations of a call stand: ``responded`` counts the nil returns
    too, which are answers as much as a pledge is."""

    total: int
    responded: int
    declined: int
    # Their codes, in order: for the coordinators only. A delegation's answer may be a
    # question (anonymous to the others) or a restricted pledge: the moment it leaves
    # the silent would tell the others who asked or who pledged.
    silent: tuple[str, ...] = field(default_factory=tuple)

    @property
    def silent_count(self) -> int:
        return self.total - self.responded

    def sentence(self) -> str:
        """ "27 of 31 responded (3 nil returns); silent: CYP, ISL": every silent code,
        or "…; 4 silent" where the codes are not shown."""
        head = f"{figure(self.responded)} of {figure(self.total)} responded"
        if self.declined:
            head += f" ({counted(self.declined, 'nil return')})"
        if not self.total:
            return "no delegations were called"
        if not self.silent_count:
            return f"{head}; none silent"
        if not self.silent:
            return f"{head}; {figure(self.silent_count)} silent"
        return f"{head}; silent: {', '.join(self.silent)}"


def tally(states: Sequence[tuple[str, str]], *, names: bool = True) -> Tally:
    """The tally of (delegation code, state) pairs; the silent by name if ``names``."""
    return Tally(
        total=len(states),
        responded=sum(1 for _code, state in states if state != CallState.SILENT),
        declined=sum(1 for _code, state in states if state == CallState.DECLINED),
        silent=(
            tuple(code for code, state in states if state == CallState.SILENT) if names else ()
        ),
    )
