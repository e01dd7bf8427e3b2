"""What the digest and the gap alerts read, summed in the database: the pledge events
of a period as counts per kind of change plus the first few of each kind, the
question events, and the conditional capacity per condition and requirement. A week
in which 500 pledges changed costs the same rows to read as one in which 50 did."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    FromClause,
    Integer,
    Numeric,
    Select,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    or_,
    type_coerce,
    union_all,
)
from sqlalchemy import select as sa_select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col, select

from storage.models import Event, Pledge, PledgeTotal, Requirement
from storage.types import QUANTITY_PLACES, QUANTITY_PRECISION, Quantity

# The actions pledges.py records. A creation is new, a withdrawal withdrawn, a
# reconfirmation reconfirmed; any other change is read for what it did to the quantity
# and the status.
CREATED, WITHDRAWN, RECONFIRMED = "created", "withdrawn", "reconfirmed"
KINDS = ("new", "raised", "reduced", "confirmed", "withdrawn", "reconfirmed")
# What Muster and the coordinators' policy record about pledges
# (bot.services.reconfirmation): a round asked about it, it went stale, or turning
# reconfirmation off lifted its mark. None is a change the delegation made.
BY_MUSTER = ("asked to reconfirm", "went stale", "stale mark lifted")
EVENT, PLEDGE = Event.metadata.tables["event"], Pledge.metadata.tables["pledge"]
NUMERIC = Numeric(QUANTITY_PRECISION, QUANTITY_PLACES)


@dataclass(frozen=True)
class Period:
    """Events after ``since`` up to ``until``, as one audience sees them: everything
    (``full_view``), or what a viewer of delegation ``delegation_id`` (None: a
    channel) may see. ``confirmed`` is the status a confirmation sets."""

    since: datetime
    until: datetime
    full_view: bool
    delegation_id: int | None
    confirmed: str


class DelegationSums(NamedTuple):
    """One delegation's pledge events in a period: per kind those the audience may see,
    every one it may see (of any kind), and those it may not."""

    delegation_id: int | None
    kinds: dict[str, int]
    shown: int
    undisclosed: int


class ChangeRow(NamedTuple):
    kind: str
    ref: str
    delegation_id: int | None
    requirement_code: str
    before: Decimal | None
    after: Decimal | None


class GapRow(NamedTuple):
    """A withdrawal or a reduction: what the event itself says of the quantity."""

    event_id: int
    ref: str
    action: str
    delegation_id: int | None
    requirement_code: str
    before: Decimal | None
    after: Decimal | None
    hidden: bool


class _SaidQuantity(FunctionElement[Decimal]):
    """The quantity an event's before or after (JSON) says, as a Quantity column holds
    it, so it compares and mixes with ``pledge.quantity`` on either database: numeric
    on PostgreSQL, whole hundredths on SQLite. NULL when the event does not say it."""

    type = Quantity()
    name = "said_quantity"
    inherit_cache = True


@compiles(_SaidQuantity)
def _said_numeric(element: _SaidQuantity, compiler: Any, **kw: Any) -> str:
    # Read as text and cast: quantities go up to 10**15, PostgreSQL's as_integer()
    # would cast to a 32-bit integer, and as_float() would be a float.
    (fields,) = element.clauses
    return str(compiler.process(cast(fields["quantity"].as_string(), NUMERIC), **kw))


@compiles(_SaidQuantity, "sqlite")
def _said_hundredths(element: _SaidQuantity, compiler: Any, **kw: Any) -> str:
    # A whole number is multiplied as an integer (exact however large); a part-unit
    # (0.25, written as a JSON number) is rounded to its hundredths.
    (fields,) = element.clauses
    said = func.json_extract(fields, '$."quantity"')
    hundredths = case(
        (func.typeof(said) == "integer", said * 100),
        else_=cast(func.round(said * 100), BigInteger),
    )
    return str(compiler.process(hundredths, **kw))


def _said_quantity(fields: Any) -> ColumnElement[Decimal]:
    return _SaidQuantity(fields)


def _pledge_id(entity: Any, entity_ref: Any) -> ColumnElement[int | None]:
    """The pledge an event is about (P-17 → 17). The CASE keeps PostgreSQL from
    casting the reference of any other event."""
    return case((entity == "pledge", cast(func.substr(entity_ref, 3), Integer)))


SAID_BEFORE, SAID_AFTER = _said_quantity(Event.before), _said_quantity(Event.after)
# Status changes and withdrawals leave the quantity out: it did not change, and the
# pledge's quantity now is what it was then. (So neither side said is never a raise
# or a reduction: the kinds compare what was said.)
_UNSAID = and_(SAID_BEFORE.is_(None), SAID_AFTER.is_(None))
BEFORE = type_coerce(case((_UNSAID, col(Pledge.quantity)), else_=SAID_BEFORE), Quantity())
AFTER = type_coerce(case((_UNSAID, col(Pledge.quantity)), else_=SAID_AFTER), Quantity())


def _in_period(period: Period) -> tuple[ColumnElement[bool], ...]:
    """The period's pledge events that are the delegations' own changes: a
    coordinator's correction of a condition class is neither a change of capacity nor
    a sign that the delegation was heard from, and neither is a round of
    reconfirmation asking about a pledge or marking it stale."""
    return (
        col(Event.entity) == "pledge",
        col(Event.at) > period.since,
        col(Event.at) <= period.until,
        col(Event.action).not_like("classified%"),
        col(Event.action).not_in(BY_MUSTER),
    )


def _hiding_refs(period: Period) -> Select[Any]:
    """The pledges (P-17) the audience may not see in this period's events, decided per
    pledge as access.hidden_pledges decides it: a pledge is hidden in every event of
    the period when one of them (not of the viewer's own delegation) was restricted,
    or was of a pledge restricted now."""
    other, pledge = EVENT.alias("other"), PLEDGE.alias("pledge_now")
    return (
        sa_select(other.c.entity_ref)
        .select_from(other)
        .outerjoin(pledge, pledge.c.id == _pledge_id(other.c.entity, other.c.entity_ref))
        .where(
            other.c.entity == "pledge",
            other.c.at > period.since,
            other.c.at <= period.until,
            other.c.delegation_id.is_distinct_from(period.delegation_id),
            or_(other.c.restricted, pledge.c.restricted),
        )
    )


def _hidden(period: Period) -> ColumnElement[bool]:
    """Whether the audience may not see the event's pledge, looked up per event: for
    reads that stop after a few events. A read of every event joins _hiding_refs
    once instead."""
    if period.full_view:
        return false()
    refs = _hiding_refs(period).subquery("hiding")
    return exists().where(refs.c.entity_ref == col(Event.entity_ref))


def _kinds(period: Period) -> dict[str, ColumnElement[bool]]:
    """What makes an event a change of each kind; a change can be of two (raised and
    confirmed at once)."""
    changed = col(Event.action).not_in([CREATED, WITHDRAWN, RECONFIRMED])
    return {
        "new": col(Event.action) == CREATED,
        "raised": and_(changed, SAID_AFTER > SAID_BEFORE),
        "reduced": and_(changed, SAID_AFTER < SAID_BEFORE),
        "confirmed": and_(changed, Event.after["status"].as_string() == period.confirmed),
        "withdrawn": col(Event.action) == WITHDRAWN,
        "reconfirmed": col(Event.action) == RECONFIRMED,
    }


def _events_marked(period: Period) -> tuple[FromClause, ColumnElement[int]]:
    """The event table joined once to the refs hidden from this audience, and a
    column that is 1 for the events of those pledges: for reads of every event of a
    period, where a lookup per event would cost more."""
    if period.full_view:
        return EVENT, literal(0)
    refs = _hiding_refs(period).distinct().subquery("hidden_refs")
    joined = EVENT.outerjoin(refs, refs.c.entity_ref == EVENT.c.entity_ref)
    return joined, case((refs.c.entity_ref.is_not(None), 1), else_=0)


def change_sums(session: Session, period: Period) -> list[DelegationSums]:
    """The period's pledge events counted per delegation, the one pass over all of
    them: at most two rows per delegation, one of what the audience may see, one of
    what it may not."""
    events, hidden = _events_marked(period)
    query = (
        sa_select(
            col(Event.delegation_id),
            hidden.label("hidden"),
            *(func.sum(case((rule, 1), else_=0)) for rule in _kinds(period).values()),
            func.count(),
        )
        .select_from(events)
        .where(*_in_period(period))
        # A full view hides nothing: its constant 0 is no column to group by.
        .group_by(col(Event.delegation_id), *(() if period.full_view else (hidden,)))
    )
    sums: dict[int | None, DelegationSums] = {}
    for delegation_id, is_hidden, *kinds, events_counted in session.execute(query).all():
        found = sums.get(delegation_id) or DelegationSums(
            delegation_id, dict.fromkeys(KINDS, 0), 0, 0
        )
        if is_hidden:
            found = found._replace(undisclosed=int(events_counted))
        else:
            counted = dict(zip(KINDS, map(int, kinds), strict=True))
            found = found._replace(kinds=counted, shown=int(events_counted))
        sums[delegation_id] = found
    return list(sums.values())


def first_changes(session: Session, period: Period, limit: int) -> list[ChangeRow]:
    """The first ``limit`` changes of each kind the audience may see, in the order they
    happened. Each kind walks the events in time order (the index on ``at``) and
    stops at ``limit``: the rest are counted by change_sums, never read."""
    firsts = [
        sa_select(
            literal(kind).label("kind"),
            col(Event.entity_ref).label("ref"),
            col(Event.delegation_id).label("delegation_id"),
            col(Event.requirement_code).label("requirement_code"),
            BEFORE.label("before"),
            AFTER.label("after"),
        )
        .select_from(Event)
        .outerjoin(Pledge, col(Pledge.id) == _pledge_id(Event.entity, Event.entity_ref))
        .where(*_in_period(period), rule, ~_hidden(period))
        .order_by(col(Event.at), col(Event.id))
        .limit(limit)
        .subquery(kind)
        for kind, rule in _kinds(period).items()
    ]
    query = union_all(*(sa_select(first) for first in firsts))
    return [ChangeRow(*row) for row in session.execute(query).all()]


def gap_openings(session: Session, period: Period) -> list[GapRow]:
    """The period's withdrawals and reductions, oldest first, as the events say them."""
    events, hidden = _events_marked(period)
    query = (
        sa_select(
            col(Event.id),
            col(Event.entity_ref),
            col(Event.action),
            col(Event.delegation_id),
            col(Event.requirement_code),
            SAID_BEFORE,
            SAID_AFTER,
            hidden,
        )
        .select_from(events)
        .where(*_in_period(period))
        .where(or_(col(Event.action) == WITHDRAWN, SAID_AFTER < SAID_BEFORE))
        .order_by(col(Event.at), col(Event.id))
    )
    rows = session.execute(query).all()
    return [
        GapRow(event_id, ref, action, delegation_id, code, before, after, bool(hidden))
        for event_id, ref, action, delegation_id, code, before, after, hidden in rows
    ]


def question_events(
    session: Session, since: datetime, until: datetime, actions: tuple[str, ...]
) -> list[tuple[str, str, int | None]]:
    """(ref, action, delegation id) of the period's question events with these actions,
    in the order they happened."""
    query = (
        select(col(Event.entity_ref), col(Event.action), col(Event.delegation_id))
        .where(
            col(Event.entity) == "question",
            col(Event.action).in_(actions),
            col(Event.at) > since,
            col(Event.at) <= until,
        )
        .order_by(col(Event.at), col(Event.id))
    )
    return [(ref, action, delegation_id) for ref, action, delegation_id in session.exec(query)]


def conditional_sums(
    session: Session, *, withdrawn: str, with_restricted: bool
) -> list[tuple[str, str, Decimal]]:
    """(condition kind, requirement code, quantity): the pledges that carry a condition,
    summed per kind of condition and requirement, leaving out withdrawn pledges and,
    unless ``with_restricted``, restricted ones."""
    # From the running totals (storage.totals): a few rows per requirement, however
    # many pledges there are.
    counted = [
        col(PledgeTotal.condition_kind) != "",
        col(PledgeTotal.status) != withdrawn,
        col(PledgeTotal.pledges) > 0,
    ]
    if not with_restricted:
        counted.append(col(PledgeTotal.restricted).is_(False))
    totals = (
        sa_select(
            col(PledgeTotal.condition_kind).label("kind"),
            col(PledgeTotal.requirement_id).label("requirement_id"),
            func.sum(col(PledgeTotal.quantity)).label("total"),
        )
        .where(*counted)
        .group_by(col(PledgeTotal.condition_kind), col(PledgeTotal.requirement_id))
        .subquery("totals")
    )
    query = sa_select(totals.c.kind, col(Requirement.code), totals.c.total).join(
        Requirement, col(Requirement.id) == totals.c.requirement_id
    )
    return [(kind, code, total) for kind, code, total in session.execute(query).all()]
