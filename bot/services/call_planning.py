"""What calls for contributions owe, worked out from the data at every tick (and right
after a command that changed a call): the call itself to every member, the news of
a new deadline and the reminders to the members of silent delegations, the close
at the deadline and its one summary to the coordinators.

Each is owed in two steps: a read says what is due (``owed_letters``,
``owed_summaries``) and the Slack surface writes the messages; then one transaction
locks the delegation's row (or the call), checks that the thing is still owed,
puts the messages in the outbox and records it as done (``send``, ``summarize``).
Two processes planning at once, or a tick after downtime, therefore owe each thing
once; the outbox's unique keys would refuse a second copy anyway."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot.domain import access
from bot.domain.calls import CallState, call_ref, owed_reminder
from bot.domain.read_models import CallLetter, CallView
from bot.services import outbox
from bot.services.base import Service
from bot.services.call_responses import INVITATION, MOVED, REMINDER, SUMMARY, key_prefix
from bot.services.call_views import call_view, letter
from bot.services.calls import close_call, loaders_call
from bot.services.delegations import COORDINATORS_CHANNEL
from bot.services.loaders import row_id
from bot.services.outbox import Owed
from storage import calls as cq
from storage import outbox as o
from storage import queries as q
from storage.models import CallResponse, ContributionCall, Member

ZONE_KEPT = timedelta(days=7)  # a member's time zone is looked up again after this


@dataclass(frozen=True)
class Recipient:
    user: str
    zone: str  # their Slack time zone as last looked up; empty if never
    checked_at: datetime | None


@dataclass(frozen=True)
class Owing:
    """Messages owed to the members of one delegation about one call: the call itself
    (``open``), a new deadline (``moved``) or a reminder (``remind``, ``hours``
    before the deadline). A call or a new deadline told late also stands for the
    reminder whose moment has passed (``hours``), which is then not sent as well."""

    kind: str
    call_id: int
    delegation_id: int
    version: int  # of the deadline
    hours: int
    letter: CallLetter
    members: tuple[Recipient, ...]
    # The call itself, owed only to members who joined after the rest were sent it:
    # nothing the delegation is owed as a whole is counted done by it.
    newcomers: bool = False

    def key(self, user: str) -> str:
        code = self.letter.delegation
        if self.kind == INVITATION:
            return invitation_key(self.call_id, code, user)
        if self.kind == MOVED:
            return f"{key_prefix(self.call_id, MOVED, code)}d{self.version}:{user}"
        return f"{key_prefix(self.call_id, REMINDER, code)}d{self.version}:{self.hours}h:{user}"


@dataclass(frozen=True)
class Summary:
    """A closed call's one summary, and where it goes: the coordinators' channel, or
    the coordinator who opened the call when there is none."""

    call: CallView
    to: str


def invitation_key(call_id: int, delegation: str, user: str) -> str:
    """The one key of a member's invitation to a call, whoever owes it."""
    return f"{key_prefix(call_id, INVITATION, delegation)}{user}"


def what_is_owed(
    call: ContributionCall, response: CallResponse, now: datetime
) -> tuple[str, int] | None:
    """(kind, hours) of what a delegation's members are owed about an open call now."""
    due = owed_reminder(call.deadline, call.extended_at or call.opened_at, now) or 0
    if response.told == 0:
        return INVITATION, due
    if response.state != CallState.SILENT:
        return None
    if response.told < call.deadline_version:
        return MOVED, due
    if due and (response.reminded == 0 or response.reminded > due):
        return REMINDER, due
    return None


class CallPlanning(Service):
    # --- the close and its summary ---------------------------------------------------

    def close_due(self) -> list[str]:
        """Close every open call whose deadline has come; the refs closed."""
        now = self.now()
        with self.uow.read() as s:
            due = cq.due_to_close(s, now)
        closed = []
        for call_id in due:
            with self.uow.write(bookkeeping=True) as s:
                call = loaders_call(s, call_id, for_update=True)
                if call.status == cq.OPEN and call.deadline <= now:  # still so, under the lock
                    close_call(self.uow, s, access.SYSTEM, call, now)
                    closed.append(call_ref(call_id))
        return closed

    def owed_summaries(self) -> list[Summary]:
        with self.uow.read() as s:
            channel = q.get_setting(s, COORDINATORS_CHANNEL)
            summaries = []
            for call_id in cq.unsummarized(s):
                call = loaders_call(s, call_id)
                summaries.append(
                    Summary(call_view(s, access.SYSTEM, call), channel or call.opened_by)
                )
            return summaries

    def summarize(self, summary: Summary, text: str, blocks: list[dict[str, Any]]) -> bool:
        """Owe ``summary``'s message, once: False if it was owed already."""
        call_id = int(summary.call.ref[2:])
        with self.uow.write(bookkeeping=True) as s:
            call = loaders_call(s, call_id, for_update=True)
            if call.summarized_at is not None:
                return False
            owed = Owed(key_prefix(call_id, SUMMARY).rstrip(":"), summary.to, text, blocks)
            outbox.enqueue(s, owed, self.now())
            call.summarized_at = self.now()
            s.add(call)
            return True

    # --- what the members are owed ---------------------------------------------------

    def owed_letters(self) -> list[Owing]:
        now = self.now()
        with self.uow.read() as s:
            owed: list[Owing] = []
            calls = cq.open_calls(s)
            for call in calls:
                if call.deadline <= now:
                    continue  # closing it comes first
                rows = cq.responses(s, [row_id(call.id)]).get(row_id(call.id), [])
                due = [(r, d, w) for r, d in rows if (w := what_is_owed(call, r, now)) is not None]
                members = cq.members(s, [row_id(d.id) for _r, d, _w in due])
                for _response, delegation, (kind, hours) in due:
                    owed.append(
                        Owing(
                            kind,
                            row_id(call.id),
                            row_id(delegation.id),
                            call.deadline_version,
                            hours,
                            letter(s, call, delegation),
                            tuple(_recipient(m) for m in members.get(row_id(delegation.id), [])),
                        )
                    )
            return owed + (_owed_to_newcomers(s, now, calls) if calls else [])

    def send(self, owing: Owing, messages: list[Owed]) -> bool:
        """Owe ``messages`` for ``owing`` if it is still owed, under the delegation's
        row lock, and record it done; False if another process did it first or the
        delegation has answered since."""
        now = self.now()
        with self.uow.write(bookkeeping=True) as s:
            call = loaders_call(s, owing.call_id)
            response = cq.get_response(s, owing.call_id, owing.delegation_id, for_update=True)
            if response is None or call.status != cq.OPEN or call.deadline <= now:
                return False
            if owing.newcomers:  # each key is owed once: a second planner owes nothing
                current = call.deadline_version == owing.version  # else written for an old deadline
                still_silent = response.state == CallState.SILENT
                return current and still_silent and outbox.enqueue_all(s, messages, now) > 0
            still = what_is_owed(call, response, now)
            if still != (owing.kind, owing.hours) or call.deadline_version != owing.version:
                return False
            outbox.enqueue_all(s, messages, now)
            response.told = call.deadline_version
            response.reminded = owing.hours or response.reminded
            s.add(response)
            return True

    def remember_zones(self, zones: dict[str, str]) -> None:
        """Members' Slack time zones, as just looked up (empty: Slack gave none)."""
        now = self.now()
        with self.uow.write(bookkeeping=True) as s:
            for user, zone in zones.items():
                member = s.get(Member, user)
                if member is not None:
                    member.timezone, member.timezone_checked_at = zone[:64], now
                    s.add(member)


def _owed_to_newcomers(
    s: Session, now: datetime, open_calls: Sequence[ContributionCall]
) -> list[Owing]:
    """The call, to each member who joined a silent delegation after it was sent the
    call and has not had it. Who has had it is read from the outbox's keys first: the
    letter is written only for someone still owed it (a tick runs every minute)."""
    owed = []
    by_id = {row_id(call.id): call for call in open_calls}
    for call_id, groups in cq.newcomers(s, now).items():
        had = set(o.keys_starting(s, key_prefix(call_id, INVITATION)))
        call = by_id[call_id]
        for delegation, joined in groups:
            code = delegation.code
            members = tuple(
                _recipient(m) for m in joined if invitation_key(call_id, code, m.user_id) not in had
            )
            if members:
                owed.append(
                    Owing(
                        INVITATION,
                        call_id,
                        row_id(delegation.id),
                        call.deadline_version,
                        0,
                        letter(s, call, delegation),
                        members,
                        newcomers=True,
                    )
                )
    return owed


def _recipient(member: Member) -> Recipient:
    return Recipient(member.user_id, member.timezone, member.timezone_checked_at)
