"""Lists read a page at a time, with their count: a reply reads the same number of
rows however long the list has grown. Like every query here, nothing commits."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

from sqlalchemy import case, func, not_, or_, true
from sqlmodel import Session, col, select

from storage.models import Delegation, Event, Pledge, Question, Requirement

# --- pledges ----------------------------------------------------------------


def _pledge_scope(
    query: Any,
    requirement_ids: Iterable[int] | None,
    delegation_id: int | None,
    live_only: bool,
) -> Any:
    if requirement_ids is not None:
        query = query.where(col(Pledge.requirement_id).in_(list(requirement_ids)))
    if delegation_id is not None:
        query = query.where(Pledge.delegation_id == delegation_id)
    if live_only:
        query = query.where(Pledge.status != "withdrawn")
    return query


def _shown(restricted_for: Collection[int] | None) -> Any:
    """Whether a pledge may be shown: None shows every restricted pledge, otherwise
    only those of these delegations."""
    if restricted_for is None:
        return true()
    return or_(col(Pledge.restricted).is_(False), col(Pledge.delegation_id).in_(restricted_for))


def pledge_page(
    session: Session,
    *,
    restricted_for: Collection[int] | None,
    limit: int,
    offset: int = 0,
    requirement_ids: Iterable[int] | None = None,
    delegation_id: int | None = None,
    live_only: bool = False,
) -> Sequence[tuple[Pledge, Delegation, Requirement]]:
    """One page of the pledges that may be shown, oldest first."""
    query = (
        select(Pledge, Delegation, Requirement)
        .join(Delegation, col(Delegation.id) == col(Pledge.delegation_id))
        .join(Requirement, col(Requirement.id) == col(Pledge.requirement_id))
        .where(_shown(restricted_for))
        .order_by(col(Pledge.id))
        .limit(limit)
        .offset(offset)
    )
    query = _pledge_scope(query, requirement_ids, delegation_id, live_only)
    return [(p, d, r) for p, d, r in session.exec(query).all()]


def pledge_counts(
    session: Session,
    *,
    restricted_for: Collection[int] | None,
    requirement_ids: Iterable[int] | None = None,
    delegation_id: int | None = None,
    live_only: bool = False,
) -> tuple[int, int]:
    """(pledges that may be shown, pledges that may not) in one statement."""
    shown = _shown(restricted_for)
    query = select(func.count(case((shown, 1))), func.count(case((not_(shown), 1)))).select_from(
        Pledge
    )
    query = _pledge_scope(query, requirement_ids, delegation_id, live_only)
    visible, hidden = session.exec(query).one()
    return int(visible), int(hidden)


# --- questions --------------------------------------------------------------


def question_page(
    session: Session,
    *,
    statuses: Sequence[str] | None = None,
    delegation_id: int | None = None,
    limit: int,
    offset: int = 0,
) -> Sequence[tuple[Question, Delegation]]:
    """Questions oldest first; a page of them when ``limit`` is given."""
    query = (
        select(Question, Delegation)
        .join(Delegation, col(Delegation.id) == col(Question.delegation_id))
        .order_by(col(Question.id))
        .offset(offset)
        .limit(limit)
    )
    query = _question_scope(query, statuses, delegation_id)
    return [(q, d) for q, d in session.exec(query).all()]


def count_questions(
    session: Session, *, statuses: Sequence[str] | None = None, delegation_id: int | None = None
) -> int:
    query = _question_scope(select(func.count()).select_from(Question), statuses, delegation_id)
    return int(session.exec(query).one())


def _question_scope(query: Any, statuses: Sequence[str] | None, delegation_id: int | None) -> Any:
    if statuses is not None:
        query = query.where(col(Question.status).in_(list(statuses)))
    if delegation_id is not None:
        query = query.where(Question.delegation_id == delegation_id)
    return query


# --- audit trails -------------------------------------------------------------


def _history_of(ref: str, *, requirement: bool) -> Any:
    """The events of one pledge or question, or of a requirement and its pledges (a
    requirement's own events carry its code too, so one index reads them in order)."""
    if requirement:
        return col(Event.requirement_code) == ref
    return col(Event.entity_ref) == ref


def history_page(
    session: Session, ref: str, *, requirement: bool, limit: int, offset: int = 0
) -> list[Event]:
    """A page of an audit trail counted from the latest event, returned oldest first."""
    latest_first = session.exec(
        select(Event)
        .where(_history_of(ref, requirement=requirement))
        .order_by(col(Event.at).desc(), col(Event.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(reversed(latest_first))


def count_history(session: Session, ref: str, *, requirement: bool) -> int:
    query = select(func.count()).select_from(Event).where(_history_of(ref, requirement=requirement))
    return int(session.exec(query).one())
