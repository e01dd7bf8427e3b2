"""Queries of calls for contributions, their lines and where each delegation stands.
None of them commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.models import (
    CallLine,
    CallResponse,
    ContributionCall,
    Delegation,
    Member,
    Objective,
    Requirement,
)

OPEN, CLOSED = "open", "closed"
STATUSES = (OPEN, CLOSED)
SILENT = "silent"


def get_call(s: Session, call_id: int, *, for_update: bool = False) -> ContributionCall | None:
    query = select(ContributionCall).where(ContributionCall.id == call_id)
    if for_update:
        query = query.with_for_update()
    return s.exec(query).first()


def open_calls(s: Session) -> Sequence[ContributionCall]:
    """Every open call, the nearest deadline first."""
    return s.exec(
        select(ContributionCall)
        .where(ContributionCall.status == OPEN)
        .order_by(col(ContributionCall.deadline), col(ContributionCall.id))
    ).all()


def every_call(s: Session) -> Sequence[ContributionCall]:
    """Every call, the first first."""
    return s.exec(select(ContributionCall).order_by(col(ContributionCall.id))).all()


def closed_since(s: Session, since: datetime) -> Sequence[ContributionCall]:
    """Calls closed after ``since``, the latest first."""
    return s.exec(
        select(ContributionCall)
        .where(ContributionCall.status == CLOSED, col(ContributionCall.closed_at) > since)
        .order_by(col(ContributionCall.closed_at).desc(), col(ContributionCall.id).desc())
    ).all()


def due_to_close(s: Session, now: datetime) -> list[int]:
    """Open calls whose deadline has come."""
    ids = s.exec(
        select(ContributionCall.id).where(
            ContributionCall.status == OPEN, col(ContributionCall.deadline) <= now
        )
    ).all()
    return [i for i in ids if i is not None]


def unsummarized(s: Session) -> list[int]:
    """Closed calls whose one summary has not been owed yet."""
    ids = s.exec(
        select(ContributionCall.id).where(
            ContributionCall.status == CLOSED, col(ContributionCall.summarized_at).is_(None)
        )
    ).all()
    return [i for i in ids if i is not None]


def lines(s: Session, call_ids: Collection[int]) -> dict[int, list[tuple[Requirement, Objective]]]:
    """Each call's lines, in the order of the statement of requirements."""
    found: dict[int, list[tuple[Requirement, Objective]]] = defaultdict(list)
    if not call_ids:
        return found
    rows = s.exec(
        select(CallLine.call_id, Requirement, Objective)
        .join(Requirement, col(Requirement.id) == col(CallLine.requirement_id))
        .join(Objective, col(Objective.id) == col(Requirement.objective_id))
        .where(col(CallLine.call_id).in_(list(call_ids)))
        .order_by(col(Objective.position), col(Requirement.seq))
    ).all()
    for call_id, requirement, objective in rows:
        found[call_id].append((requirement, objective))
    return found


def responses(
    s: Session, call_ids: Collection[int]
) -> dict[int, list[tuple[CallResponse, Delegation]]]:
    """Each call's delegations and where they stand, by delegation code."""
    found: dict[int, list[tuple[CallResponse, Delegation]]] = defaultdict(list)
    if not call_ids:
        return found
    rows = s.exec(
        select(CallResponse, Delegation)
        .join(Delegation, col(Delegation.id) == col(CallResponse.delegation_id))
        .where(col(CallResponse.call_id).in_(list(call_ids)))
        .order_by(col(CallResponse.call_id), col(Delegation.code))
    ).all()
    for response, delegation in rows:
        found[response.call_id].append((response, delegation))
    return found


def get_response(
    s: Session, call_id: int, delegation_id: int, *, for_update: bool = False
) -> CallResponse | None:
    query = select(CallResponse).where(
        CallResponse.call_id == call_id, CallResponse.delegation_id == delegation_id
    )
    if for_update:
        query = query.with_for_update()
    return s.exec(query).first()


def reset_reminders(s: Session, call_id: int) -> None:
    """Every delegation's reminders for the call start again (a new deadline)."""
    s.execute(update(CallResponse).where(col(CallResponse.call_id) == call_id).values(reminded=0))


def newcomers(s: Session, now: datetime) -> dict[int, list[tuple[Delegation, list[Member]]]]:
    """Call id: (delegation, members who joined it after the call opened), for each
    open call the delegation has been sent and has not answered."""
    rows = s.exec(
        select(CallResponse.call_id, Delegation, Member)
        .join(ContributionCall, col(ContributionCall.id) == col(CallResponse.call_id))
        .join(Delegation, col(Delegation.id) == col(CallResponse.delegation_id))
        .join(Member, col(Member.delegation_id) == col(CallResponse.delegation_id))
        .where(
            ContributionCall.status == OPEN,
            col(ContributionCall.deadline) > now,
            col(CallResponse.state) == SILENT,
            col(CallResponse.told) > 0,
            col(Member.added_at) >= col(ContributionCall.opened_at),  # the keys tell the rest
        )
        .order_by(col(CallResponse.call_id), col(Delegation.code), col(Member.user_id))
    ).all()
    found: dict[int, list[tuple[Delegation, list[Member]]]] = defaultdict(list)
    for call_id, delegation, member in rows:
        groups = found[call_id]
        if not groups or groups[-1][0].id != delegation.id:
            groups.append((delegation, []))
        groups[-1][1].append(member)
    return found


def answerable(
    s: Session,
    now: datetime,
    delegation_id: int,
    *,
    requirement_ids: Collection[int] = (),
    objective_id: int | None = None,
) -> Sequence[tuple[ContributionCall, CallResponse]]:
    """The open calls, deadline still ahead, that ask for any of these requirements (or
    for a line of this objective), with where the delegation stands on each, locked:
    an answer made now counts for them."""
    lines_asked = select(CallLine.call_id).join(
        Requirement, col(Requirement.id) == col(CallLine.requirement_id)
    )
    if objective_id is not None:
        lines_asked = lines_asked.where(Requirement.objective_id == objective_id)
    else:
        lines_asked = lines_asked.where(col(CallLine.requirement_id).in_(list(requirement_ids)))
    query = (
        select(ContributionCall, CallResponse)
        .join(CallResponse, col(CallResponse.call_id) == col(ContributionCall.id))
        .where(
            ContributionCall.status == OPEN,
            col(ContributionCall.deadline) > now,
            CallResponse.delegation_id == delegation_id,
            col(ContributionCall.id).in_(lines_asked),
        )
        .order_by(col(ContributionCall.id))
        .with_for_update(of=CallResponse)
    )
    return [(call, response) for call, response in s.exec(query).all()]


def members(s: Session, delegation_ids: Collection[int]) -> dict[int, list[Member]]:
    """The members of these delegations, each with their time zone as last looked up."""
    found: dict[int, list[Member]] = defaultdict(list)
    if not delegation_ids:
        return found
    rows = s.exec(
        select(Member)
        .where(col(Member.delegation_id).in_(list(delegation_ids)))
        .order_by(col(Member.delegation_id), col(Member.user_id))
    ).all()
    for member in rows:
        found[member.delegation_id].append(member)
    return found
