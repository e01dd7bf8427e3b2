"""Reads that stream, for exports: the long tables (pledges, the audit log, questions)
come a chunk at a time, so what an export holds does not grow with the coalition's
history.

``yield_per`` makes SQLAlchemy fetch ``chunk`` rows at a time and, on PostgreSQL,
read them through a server-side cursor: psycopg would otherwise pull the whole result
into the client when the statement runs. SQLite steps its cursor lazily anyway. The
ORM keeps loaded objects only weakly, so a chunk is freed once its caller lets go."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple, TypeVarTuple

from sqlalchemy import Row, Select, case, text
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.models import Delegation, Event, Pledge, Question, Requirement

CHUNK = 2000  # rows per fetch: large enough to amortise a round trip, small to hold

Ts = TypeVarTuple("Ts")


def chunks(
    session: Session, query: Select[*Ts], chunk: int | None = None
) -> Iterator[Sequence[Row[*Ts]]]:
    """The rows of ``query``, a select of columns, ``chunk`` at a time (CHUNK unless
    given), in the session's transaction. It runs on the session's connection, not
    through the ORM, which would map every row again: a fifth of the time per row."""
    result = session.connection().execute(query, execution_options={"yield_per": chunk or CHUNK})
    try:
        yield from result.partitions()
    finally:  # a reader that stops early must not leave the server-side cursor open
        result.close()


def entity_chunks(
    session: Session, query: Select[*Ts], chunk: int | None = None
) -> Iterator[Sequence[Row[*Ts]]]:
    """As chunks(), for a select of ORM entities (loaded objects, through the session)."""
    result = session.execute(query, execution_options={"yield_per": chunk or CHUNK})
    try:
        yield from result.partitions()
    finally:
        result.close()


def _in_order(codes: Sequence[str], column: Any) -> Any:
    """An ORDER BY key that puts rows in the order of ``codes`` (the caller's order of
    requirements, which the report must follow however the objectives are ranked)."""
    return case({code: n for n, code in enumerate(codes)}, value=column, else_=len(codes))


class PledgeRow(NamedTuple):
    """A pledge as a report lists it. Plain columns, not ORM objects: loading an
    object costs several times as much per row, and a report reads every pledge."""

    id: int
    requirement: str
    unit: str
    delegation_id: int
    delegation: str
    delegation_name: str
    quantity: Decimal
    status: str
    condition: str
    condition_kind: str
    caveats: str
    available_from: date | None
    restricted: bool
    withdrawn_reason: str
    version: int
    updated_at: datetime
    confirmed_at: datetime
    reconfirm_asked_at: datetime | None
    stale_since: datetime | None


PLEDGE_ROW = (
    col(Pledge.id),
    col(Requirement.code),
    col(Requirement.unit),
    col(Pledge.delegation_id),
    col(Delegation.code),
    col(Delegation.name),
    col(Pledge.quantity),
    col(Pledge.status),
    col(Pledge.condition),
    col(Pledge.condition_kind),
    col(Pledge.caveats),
    col(Pledge.available_from),
    col(Pledge.restricted),
    col(Pledge.withdrawn_reason),
    col(Pledge.version),
    col(Pledge.updated_at),
    col(Pledge.confirmed_at),
    col(Pledge.reconfirm_asked_at),
    col(Pledge.stale_since),
)


def pledges(
    session: Session, requirement_order: Sequence[str] | None = None
) -> Iterator[list[PledgeRow]]:
    """Every pledge with its delegation and requirement: by id, or grouped by
    requirement in ``requirement_order`` (then by id)."""
    query = (
        sa_select(*PLEDGE_ROW)
        .join(Delegation, col(Delegation.id) == col(Pledge.delegation_id))
        .join(Requirement, col(Requirement.id) == col(Pledge.requirement_id))
    )
    if requirement_order is not None:
        query = query.order_by(_in_order(requirement_order, col(Requirement.code)))
    for part in chunks(session, query.order_by(col(Pledge.id))):
        yield [PledgeRow._make(row) for row in part]


def questions(session: Session) -> Iterator[Sequence[Row[Question, Delegation]]]:
    """Every question with the delegation that asked it, by id."""
    query = (
        select(Question, Delegation)
        .join(Delegation, col(Delegation.id) == col(Question.delegation_id))
        .order_by(col(Question.id))
    )
    return entity_chunks(session, query)


class EventRow(NamedTuple):
    """An audit event as a change log shows it (plain columns, as for PledgeRow)."""

    at: datetime
    actor: str
    entity: str
    entity_ref: str
    action: str
    requirement_code: str
    delegation_id: int | None
    restricted: bool
    before: dict[str, Any]
    after: dict[str, Any]


EVENT_ROW = (
    col(Event.at),
    col(Event.actor),
    col(Event.entity),
    col(Event.entity_ref),
    col(Event.action),
    col(Event.requirement_code),
    col(Event.delegation_id),
    col(Event.restricted),
    col(Event.before),
    col(Event.after),
)


def requirement_events(
    session: Session, requirement_order: Sequence[str]
) -> Iterator[list[EventRow]]:
    """The audit events of these requirements and of the pledges against them,
    requirement by requirement in the order given, each one's oldest first. A query
    per requirement reads by the requirement_code index and sorts that requirement's
    events only: sorting the whole log into the report's order cost more."""
    for code in requirement_order:
        query = (
            sa_select(*EVENT_ROW)
            .where(col(Event.requirement_code) == code)
            .order_by(col(Event.at), col(Event.id))
        )
        for part in chunks(session, query):
            yield [EventRow._make(row) for row in part]


def read_every_row(session: Session) -> None:
    """Tell PostgreSQL that this transaction reads its cursors to the end. It plans a
    cursor for its first tenth by default, and so walks the whole log by the ``at``
    index for one requirement's events rather than use the requirement's index."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL cursor_tuple_fraction = 1.0"))
