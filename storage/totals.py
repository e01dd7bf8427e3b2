"""Running totals of the pledges (the ``pledge_total`` table), kept in the same
transaction as every change to a pledge, so coverage reads a few rows per
requirement however many pledges there are.

The ORM flush is the one place every change passes through (new pledges, updates,
withdrawals, a corrected condition class, a pledge gone stale or reconfirmed), so
the totals follow it there; bulk
loads that bypass the ORM call ``rebuild``. ``drift`` compares the totals with the
pledges themselves, for tests and the operator."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, delete, event, func, insert, inspect
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col

from storage.models import Pledge, PledgeTotal

Key = tuple[int, str, str, bool, bool]  # requirement id, status, class, restricted, stale
_TRACKED = ("requirement_id", "status", "condition_kind", "restricted", "stale_since", "quantity")


def install() -> None:
    """Follow every ORM flush (idempotent; called when an engine is made, never at import).

    The totals are added after the flush's own statements: adding locks the totals row
    until commit, and pledges to one line queue on that lock, so the less a
    transaction does after it, the sooner the next pledge goes."""
    if not event.contains(OrmSession, "after_flush", _after_flush):
        event.listen(OrmSession, "after_flush", _after_flush)


def _key(values: dict[str, Any]) -> Key:
    return (
        values["requirement_id"],
        values["status"],
        values["condition_kind"] or "",
        bool(values["restricted"]),
        values["stale_since"] is not None,
    )


def _before(pledge: Pledge) -> dict[str, Any]:
    """The pledge's tracked fields as they were when last loaded or flushed."""
    state = inspect(pledge)
    values = {}
    for name in _TRACKED:
        history = state.attrs[name].history
        values[name] = history.deleted[0] if history.deleted else getattr(pledge, name)
    return values


def _after_flush(session: OrmSession, _context: Any) -> None:
    # After a flush, the session still lists what it flushed, with each attribute's
    # history, until the flush returns.
    changes: defaultdict[Key, Decimal] = defaultdict(Decimal)  # exact: never a float
    counts: Counter[Key] = Counter()
    for pledge in (o for o in session.new if isinstance(o, Pledge)):
        now = {name: getattr(pledge, name) for name in _TRACKED}
        changes[_key(now)] += now["quantity"]
        counts[_key(now)] += 1
    for pledge in (o for o in session.dirty if isinstance(o, Pledge)):
        was, now = _before(pledge), {name: getattr(pledge, name) for name in _TRACKED}
        if was != now:
            changes[_key(was)] -= was["quantity"]
            counts[_key(was)] -= 1
            changes[_key(now)] += now["quantity"]
            counts[_key(now)] += 1
    for pledge in (o for o in session.deleted if isinstance(o, Pledge)):
        was = _before(pledge)
        changes[_key(was)] -= was["quantity"]
        counts[_key(was)] -= 1
    # In one order in every process, so two transactions lock the same totals rows
    # in the same order on PostgreSQL and cannot deadlock.
    for key in sorted(set(changes) | set(counts)):
        if changes[key] or counts[key]:
            _add(session, key, changes[key], counts[key])


def _add(session: OrmSession, key: Key, quantity: Decimal, pledges: int) -> None:
    """Add to one total, creating it if need be: an upsert, so two transactions
    adding to a new total at once both count (the second waits for the first)."""
    requirement_id, status, kind, restricted, stale = key
    row = {
        "requirement_id": requirement_id,
        "status": status,
        "condition_kind": kind,
        "restricted": restricted,
        "stale": stale,
        "quantity": quantity,
        "pledges": pledges,
    }
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = PledgeTotal.__table__  # type: ignore[attr-defined]
    statement = dialect.insert(table).values(**row)
    statement = statement.on_conflict_do_update(
        index_elements=["requirement_id", "status", "condition_kind", "restricted", "stale"],
        set_={
            "quantity": table.c.quantity + statement.excluded.quantity,
            "pledges": table.c.pledges + statement.excluded.pledges,
        },
    )
    session.execute(statement)


def rebuild(session: Session | Connection) -> None:
    """Recompute every total from the pledges (after a bulk load)."""
    session.execute(delete(PledgeTotal))
    session.execute(insert(PledgeTotal).from_select(_COLUMNS, _sums()))


_COLUMNS = [
    "requirement_id",
    "status",
    "condition_kind",
    "restricted",
    "stale",
    "quantity",
    "pledges",
]
_STALE = col(Pledge.stale_since).is_not(None)


def _sums() -> Any:
    return sa_select(
        col(Pledge.requirement_id),
        col(Pledge.status),
        col(Pledge.condition_kind),
        col(Pledge.restricted),
        _STALE,
        func.sum(col(Pledge.quantity)),
        func.count(),
    ).group_by(
        col(Pledge.requirement_id),
        col(Pledge.status),
        col(Pledge.condition_kind),
        col(Pledge.restricted),
        _STALE,
    )


Figures = tuple[Decimal, int]  # quantity, pledges
_NONE: Figures = (Decimal(0), 0)


def drift(session: Session) -> dict[Key, tuple[Figures, Figures]]:
    """Totals that disagree with the pledges: {key: ((quantity, pledges) kept,
    (quantity, pledges) counted)}. Empty when all is well."""
    kept = {
        (r, s, k, bool(x), bool(st)): (Decimal(q), int(n))
        for r, s, k, x, st, q, n in session.execute(
            sa_select(
                col(PledgeTotal.requirement_id),
                col(PledgeTotal.status),
                col(PledgeTotal.condition_kind),
                col(PledgeTotal.restricted),
                col(PledgeTotal.stale),
                col(PledgeTotal.quantity),
                col(PledgeTotal.pledges),
            )
        ).all()
        if n
    }
    counted = {
        (r, s, k or "", bool(x), bool(st)): (Decimal(q), int(n))
        for r, s, k, x, st, q, n in session.execute(_sums()).all()
    }
    keys: Iterable[Key] = set(kept) | set(counted)
    return {
        key: (kept.get(key, _NONE), counted.get(key, _NONE))
        for key in keys
        if kept.get(key, _NONE) != counted.get(key, _NONE)
    }
