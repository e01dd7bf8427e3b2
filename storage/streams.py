"""Reads that stream, for exports: the long tables (pledges, the audit log, questions)
come a chunk at a time, so what an export holds does not grow with the coalition's
history.

``yield_per`` makes SQLAlchemy fetch ``chunk`` rows at a time and, on PostgreSQL,
read them through a server-side cursor: psycopg would otherwise pull the whole result
into the client when the statement runs. SQLite steps its cursor lazily anyway. The
ORM keeps loaded objects only weakly, so a chunk is freed once its caller lets go."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVarTuple

from sqlalchemy import Row, Select, case
from sqlmodel import Session, col, select

from storage.models import Delegation, Event, Pledge, Question, Requirement

CHUNK = 2000  # rows per fetch: large enough to amortise a round trip, small to hold

Ts = TypeVarTuple("Ts")


def chunks(
    session: Session, query: Select[*Ts], chunk: int | None = None
) -> Iterator[Sequence[Row[*Ts]]]:
    """The rows of ``query``, ``chunk`` at a time (CHUNK unless given)."""
    result = session.execute(query, execution_options={"yield_per": chunk or CHUNK})
    try:
        yield from result.partitions()
    finally:  # a reader that stops early must not leave the server-side cursor open
        result.close()


def _in_order(codes: Sequence[str], column: Any) -> Any:
    """An ORDER BY key that puts rows in the order of ``codes`` (the caller's order of
    requirements, which the report must follow however the objectives are ranked)."""
    return case({code: n for n, code in enumerate(codes)}, value=column, else_=len(codes))


def pledges(
    session: Session, requirement_order: Sequence[str] | None = None
) -> Iterator[Sequence[Row[Pledge, Delegation, Requirement]]]:
    """Every pledge with its delegation and requirement: by id, or grouped by
    requirement in ``requirement_order`` (then by id)."""
    query = (
        select(Pledge, Delegation, Requirement)
        .join(Delegation, col(Delegation.id) == col(Pledge.delegation_id))
        .join(Requirement, col(Requirement.id) == col(Pledge.requirement_id))
    )
    if requirement_order is not None:
        query = query.order_by(_in_order(requirement_order, col(Requirement.code)))
    return chunks(session, query.order_by(col(Pledge.id)))


def questions(session: Session) -> Iterator[Sequence[Row[Question, Delegation]]]:
    """Every question with the delegation that asked it, by id."""
    query = (
        select(Question, Delegation)
        .join(Delegation, col(Delegation.id) == col(Question.delegation_id))
        .order_by(col(Question.id))
    )
    return chunks(session, query)


def requirement_events(session: Session, requirement_order: Sequence[str]) -> Iterator[list[Event]]:
    """The audit events of these requirements and of the pledges against them,
    requirement by requirement in the order given, each one's oldest first."""
    query = (
        select(Event)
        .where(col(Event.requirement_code).in_(list(requirement_order)))
        .order_by(
            _in_order(requirement_order, col(Event.requirement_code)),
            col(Event.at),
            col(Event.id),
        )
    )
    for part in chunks(session, query):
        yield [event for (event,) in part]
