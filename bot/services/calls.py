"""Calls for contributions: the coordinators open a call (C-n) for some lines with a
deadline, extend or close it; a delegation declines with a nil return; everyone lists
them and reads where they stand.

Opening a call records a row per delegation (silent); what the members are sent
(the call, reminders, the news of a new deadline, the summary at the close) is
worked out by the tick from those rows (bot.services.call_planning) and goes through
the outbox, so each message goes once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.domain.calls import (
    CALL_REF,
    RECENT,
    CallState,
    call_ref,
    check_deadline,
    describe_deadline,
)
from bot.domain.errors import BadInput, Conflict, NotFound
from bot.domain.read_models import Actor, CallView
from bot.domain.text import bounded
from bot.services import call_responses, loaders, outbox
from bot.services.base import Service
from bot.services.call_views import call_view, call_views
from bot.services.loaders import REQUIREMENT_CODE, row_id
from bot.services.unit_of_work import UnitOfWork
from storage import calls as cq
from storage import queries as q
from storage.models import CallLine, CallResponse, ContributionCall, Requirement

MAX_SCOPE = 400  # the column holding what the coordinator named


@dataclass(frozen=True)
class Opened:
    call: CallView
    members: int  # who will get it by direct message


@dataclass(frozen=True)
class Declined:
    calls: tuple[str, ...]  # the calls the nil return answers
    already: tuple[str, ...] = ()  # calls the delegation had answered before


@dataclass(frozen=True)
class CallList:
    """The open calls and those closed lately, as the viewer may read them."""

    open: tuple[CallView, ...]
    recent: tuple[CallView, ...]


class Calls(Service):
    def open_call(
        self,
        user_id: str,
        codes: Sequence[str],
        deadline: datetime,
        zone: str,
        message: str = "",
        *,
        notify: bool = True,
    ) -> Opened:
        """Open C-n. ``notify=False`` owes the members no message about it (a seeded
        demo, whose members are fictional)."""
        message = bounded(message, "The message", 2000, allow_empty=True)
        with self.uow.write() as s:
            actor = self.uow.coordinator(s, user_id, "open calls for contributions")
            now = self.now()
            check_deadline(deadline, now, ZoneInfo(zone))
            named, requirements = _called(s, codes)
            call = ContributionCall(
                scope=" ".join(named),
                message=message,
                deadline=deadline,
                timezone=zone,
                opened_by=actor.user_id,
                opened_at=now,
            )
            s.add(call)
            s.flush()
            call_id = row_id(call.id)
            s.add_all(CallLine(call_id=call_id, requirement_id=row_id(r.id)) for r in requirements)
            delegations = q.list_delegations(s)
            told = 0 if notify else call.deadline_version  # 0: the call itself is owed
            s.add_all(
                CallResponse(call_id=call_id, delegation_id=row_id(d.id), told=told)
                for d in delegations
            )
            s.flush()
            after = {
                "lines": ", ".join(r.code for r in requirements),
                "deadline": describe_deadline(deadline, zone),
                "message": message,
            }
            self.uow.record(s, actor, "call", call_ref(call_id), "opened", after=after)
            members = sum(
                len(m) for m in cq.members(s, [row_id(d.id) for d in delegations]).values()
            )
            return Opened(call_view(s, actor, call), members)

    def extend(self, user_id: str, call_id: int, deadline: datetime, zone: str) -> Opened:
        """A new deadline; the members of the delegations still silent are told, and the
        reminders follow the new deadline."""
        with self.uow.write() as s:
            actor = self.uow.coordinator(s, user_id, "extend calls for contributions")
            call = _open_call(s, call_id)
            now = self.now()
            check_deadline(deadline, now, ZoneInfo(zone))
            if deadline == call.deadline:
                raise Conflict(f"{call_ref(call_id)} is already due then; nothing changed.")
            before = {"deadline": describe_deadline(call.deadline, call.timezone)}
            call.deadline, call.timezone = deadline, zone
            call.deadline_version += 1
            call.extended_at = now
            s.add(call)
            cq.reset_reminders(s, call_id)
            outbox.cancel(s, *call_responses.chasers(call_id))  # they chase the old deadline
            after = {"deadline": describe_deadline(deadline, zone)}
            self.uow.record(s, actor, "call", call_ref(call_id), "extended", before, after)
            s.flush()
            view = call_view(s, actor, call)
            silent = {r.delegation for r in view.responses if r.state == CallState.SILENT}
            told = cq.members(s, _delegation_ids(s, call_id, silent))
            return Opened(view, sum(len(m) for m in told.values()))

    def close(self, user_id: str, call_id: int) -> CallView:
        """Close a call before its deadline: the summary goes to the coordinators."""
        with self.uow.write() as s:
            actor = self.uow.coordinator(s, user_id, "close calls for contributions")
            call = _open_call(s, call_id)
            close_call(self.uow, s, actor, call, self.now())
            return call_view(s, actor, call)

    def decline(self, user_id: str, target: str, reason: str = "") -> Declined:
        """A nil return from the caller's delegation: on one call (C-n), or on every open
        call that asks for a line (REQ) or for a line of an objective (OBJ)."""
        reason = bounded(reason, "The reason", 500, allow_empty=True, field="reason")
        with self.uow.write() as s:
            actor = self.uow.delegate(s, user_id, "send nil returns")
            now = self.now()
            found = _answerable(s, actor, target.upper(), now)
            done, already = [], []
            for call, response in found:
                if response.state != CallState.SILENT:
                    already.append(call_ref(call.id))
                    continue
                call_responses.decline(self.uow, s, actor, call, response, reason, now)
                done.append(call_ref(call.id))
            if not done:
                raise Conflict(
                    f"{actor.delegation_code} has already answered {', '.join(already)}.",
                    "See `/muster calls`.",
                )
            return Declined(tuple(done), tuple(already))

    def decline_form(self, user_id: str, call_id: int) -> CallView:
        """The call a member is about to send a nil return for (the form's content)."""
        with self.uow.read() as s:
            actor = self.uow.delegate(s, user_id, "send nil returns")
            call = loaders_call(s, call_id)
            view = call_view(s, actor, call)
            if not view.open or view.deadline <= self.now():
                raise Conflict(f"{view.ref} is closed.", "See `/muster calls`.")
            if view.mine is None:
                raise Conflict(f"{actor.delegation_code} is not called by {view.ref}.")
            if view.mine.state != CallState.SILENT:
                raise Conflict(f"{actor.delegation_code} has already answered {view.ref}.")
            return view

    def calls(self, user_id: str) -> CallList:
        with self.uow.read() as s:
            actor = self.uow.registered(s, user_id)
            recent = cq.closed_since(s, self.now() - RECENT)
            opened = call_views(s, actor, cq.open_calls(s))
            return CallList(tuple(opened), tuple(call_views(s, actor, recent)))

    def status(self, user_id: str, call_id: int) -> CallView:
        """One call: every delegation's standing for a coordinator, their own for a
        delegate."""
        with self.uow.read() as s:
            actor = self.uow.registered(s, user_id)
            return call_view(s, actor, loaders_call(s, call_id))

    def called_lines(self, user_id: str, call_id: int, doing: str) -> CallView:
        """The lines of an open call, for a delegate's pledge or question form."""
        with self.uow.read() as s:
            actor = self.uow.delegate(s, user_id, doing)
            view = call_view(s, actor, loaders_call(s, call_id))
            if not view.lines:
                raise Conflict(f"{view.ref} calls for no lines.")
            return view


# --- helpers ---------------------------------------------------------------------------


def close_call(
    uow: UnitOfWork, s: Session, actor: Actor, call: ContributionCall, now: datetime
) -> None:
    """Close ``call`` now: nothing chases the delegations any more, and the summary
    (bot.services.call_planning) is owed."""
    early = now < call.deadline
    call.status, call.closed_at, call.closed_by = cq.CLOSED, now, actor.user_id
    s.add(call)
    call_id = row_id(call.id)
    outbox.cancel(
        s,
        call_responses.key_prefix(call_id, call_responses.INVITATION),
        *call_responses.chasers(call_id),
    )
    after = {"status": "closed", "early": early}
    uow.record(s, actor, "call", call_ref(call_id), "closed", {"status": "open"}, after)


def loaders_call(s: Session, call_id: int, *, for_update: bool = False) -> ContributionCall:
    found = cq.get_call(s, call_id, for_update=for_update)
    if found is None:
        raise NotFound(f"No call {call_ref(call_id)}.", "See `/muster calls`.")
    return found


def _open_call(s: Session, call_id: int) -> ContributionCall:
    call = loaders_call(s, call_id, for_update=True)
    if call.status != cq.OPEN:
        raise Conflict(f"{call_ref(call_id)} is closed.", "Open a new call instead.")
    return call


def _called(s: Session, codes: Sequence[str]) -> tuple[list[str], list[Requirement]]:
    """What was named (upper case, once each) and the lines it stands for, in the
    order of the statement: an objective stands for all of its lines."""
    named = list(dict.fromkeys(code.upper() for code in codes))
    if not named:
        raise BadInput("Name the lines to call for: requirements such as SKY-2, or objectives.")
    if len(" ".join(named)) > MAX_SCOPE:
        raise BadInput("That names too many lines for one call; name their objectives instead.")
    found: dict[int, Requirement] = {}
    for code in named:
        if REQUIREMENT_CODE.match(code):
            requirement = loaders.requirement(s, code)
            found[row_id(requirement.id)] = requirement
            continue
        objective = loaders.objective(s, code)
        lines = q.list_requirements(s, objective.id)
        if not lines:
            raise BadInput(f"{objective.code} has no requirements yet; nothing to call for.")
        found.update((row_id(r.id), r) for r, _o in lines)
    ordered = [r for r, _o in q.list_requirements(s) if row_id(r.id) in found]
    return named, ordered


def _answerable(
    s: Session, actor: Actor, target: str, now: datetime
) -> list[tuple[ContributionCall, CallResponse]]:
    """The calls a nil return on ``target`` answers, locked, with the delegation's row."""
    delegation_id = row_id(actor.delegation_id)
    match = CALL_REF.match(target)
    if match:
        call = loaders_call(s, int(match.group(1)))
        ref = call_ref(call.id)
        if call.status != cq.OPEN or call.deadline <= now:
            raise Conflict(f"{ref} is closed; a nil return answers an open call.")
        response = cq.get_response(s, row_id(call.id), delegation_id, for_update=True)
        if response is None:
            raise Conflict(f"{actor.delegation_code} is not called by {ref}.")
        return [(call, response)]
    if REQUIREMENT_CODE.match(target):
        requirement = loaders.requirement(s, target)
        found = cq.answerable(s, now, delegation_id, requirement_ids=[row_id(requirement.id)])
    elif target.isalpha():
        objective = loaders.objective(s, target)
        found = cq.answerable(s, now, delegation_id, objective_id=row_id(objective.id))
    else:
        raise BadInput(f"{target!r} is not a call (C-3), a requirement (SKY-2) or an objective.")
    if not found:
        raise NotFound(
            f"No open call asks {actor.delegation_code} for {target}.", "See `/muster calls`."
        )
    return list(found)


def _delegation_ids(s: Session, call_id: int, codes: set[str]) -> list[int]:
    rows = cq.responses(s, [call_id]).get(call_id, [])
    return [row_id(d.id) for _r, d in rows if d.code in codes]
