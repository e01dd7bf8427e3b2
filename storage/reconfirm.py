"""What periodic reconfirmation reads and stages (bot.services.reconfirmation): the
pledges due to be asked about, those whose grace has run out, those gone stale in a
period, and a pledge's confirmation moved on. None of it commits.

Each read of the pass walks one of the pledge's reconfirmation indexes
(storage.models.Pledge): the pledges it finds, not the register, are what it costs."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.models import Delegation, Objective, Pledge, Requirement, Setting

WITHDRAWN = "withdrawn"  # the one status that is not live (bot.domain.model)


def lock_setting(session: Session, key: str) -> str | None:
    """The setting's value, its row locked until commit: one reconfirmation pass at a
    time, in every process (SQLite's write lock does the same there)."""
    row = session.exec(select(Setting).where(Setting.key == key).with_for_update()).first()
    return row.value if row is not None else None


def due_to_ask(session: Session, confirmed_by: datetime) -> Sequence[Pledge]:
    """Live pledges, not yet asked about, last confirmed at or before ``confirmed_by``,
    locked, in id order (the order every writer locks pledges in)."""
    return session.exec(
        select(Pledge)
        .where(
            col(Pledge.reconfirm_asked_at).is_(None),
            col(Pledge.confirmed_at) <= confirmed_by,
            col(Pledge.status) != WITHDRAWN,
        )
        .order_by(col(Pledge.id))
        .with_for_update()
    ).all()


def due_to_go_stale(session: Session, asked_by: datetime) -> Sequence[Pledge]:
    """Live pledges asked about at or before ``asked_by`` and not reconfirmed since,
    not stale yet, locked, in id order."""
    return session.exec(
        select(Pledge)
        .where(
            col(Pledge.stale_since).is_(None),
            col(Pledge.reconfirm_asked_at) <= asked_by,
            col(Pledge.status) != WITHDRAWN,
        )
        .order_by(col(Pledge.id))
        .with_for_update()
    ).all()


def asked_or_stale(session: Session, confirmed_after: datetime | None = None) -> Sequence[Pledge]:
    """Every pledge asked about or stale (reconfirmation off), or only those last
    confirmed after ``confirmed_after`` (not due under a new policy), locked, in id
    order."""
    query = select(Pledge).where(
        or_(col(Pledge.reconfirm_asked_at).is_not(None), col(Pledge.stale_since).is_not(None))
    )
    if confirmed_after is not None:
        query = query.where(col(Pledge.confirmed_at) > confirmed_after)
    return session.exec(query.order_by(col(Pledge.id)).with_for_update()).all()


def still_asked(session: Session, delegation_ids: Collection[int]) -> set[int]:
    """Those of these delegations with a live pledge asked about and not stale yet:
    a request they were sent, or are about to be sent, still asks about something."""
    rows = session.exec(
        select(Pledge.delegation_id)
        .where(
            col(Pledge.delegation_id).in_(list(delegation_ids)),
            col(Pledge.reconfirm_asked_at).is_not(None),
            col(Pledge.stale_since).is_(None),
            col(Pledge.status) != WITHDRAWN,
        )
        .distinct()
    ).all()
    return set(rows)


def delegation_codes(session: Session, delegation_ids: Collection[int]) -> list[str]:
    query = select(Delegation.code).where(col(Delegation.id).in_(list(delegation_ids)))
    return sorted(session.exec(query).all())


def count_due(session: Session, confirmed_by: datetime) -> int:
    """Live pledges not asked about yet and last confirmed at or before ``confirmed_by``."""
    query = (
        select(func.count())
        .select_from(Pledge)
        .where(
            col(Pledge.reconfirm_asked_at).is_(None),
            col(Pledge.confirmed_at) <= confirmed_by,
            col(Pledge.status) != WITHDRAWN,
        )
    )
    return int(session.exec(query).one())


def with_parts(
    session: Session, pledge_ids: Sequence[int]
) -> Sequence[tuple[Pledge, Delegation, Requirement]]:
    """These pledges with their delegation and requirement, in id order."""
    if not pledge_ids:
        return []
    query = (
        select(Pledge, Delegation, Requirement)
        .join(Delegation, col(Delegation.id) == col(Pledge.delegation_id))
        .join(Requirement, col(Requirement.id) == col(Pledge.requirement_id))
        .where(col(Pledge.id).in_(list(pledge_ids)))
        .order_by(col(Pledge.id))
    )
    return [(p, d, r) for p, d, r in session.exec(query).all()]


class StaleRow(NamedTuple):
    """A live pledge that went stale in a period, as a digest reports it."""

    pledge_id: int
    delegation_id: int
    delegation: str
    requirement: str
    unit: str
    quantity: Decimal
    status: str
    condition_kind: str
    restricted: bool


def gone_stale(session: Session, since: datetime, until: datetime) -> list[StaleRow]:
    """Live pledges that went stale in (since, until] and are stale still, in the
    order of the statement of requirements: the index on stale_since reads those alone."""
    query = (
        sa_select(
            col(Pledge.id),
            col(Pledge.delegation_id),
            col(Delegation.code),
            col(Requirement.code),
            col(Requirement.unit),
            col(Pledge.quantity),
            col(Pledge.status),
            col(Pledge.condition_kind),
            col(Pledge.restricted),
        )
        .join(Delegation, col(Delegation.id) == col(Pledge.delegation_id))
        .join(Requirement, col(Requirement.id) == col(Pledge.requirement_id))
        .join(Objective, col(Objective.id) == col(Requirement.objective_id))
        .where(
            col(Pledge.stale_since) > since,
            col(Pledge.stale_since) <= until,
            col(Pledge.status) != WITHDRAWN,
        )
        .order_by(col(Objective.position), col(Requirement.seq), col(Pledge.id))
    )
    return [StaleRow(*row) for row in session.execute(query).all()]


# --- a pledge's place in the cycle -----------------------------------------------------


def confirmed_now(pledge: Pledge, now: datetime) -> bool:
    """Its delegation has just said it stands (made, changed, reconfirmed it): the
    cycle starts again. True if it was stale (it counts as it stands again)."""
    was_stale = pledge.stale_since is not None
    pledge.confirmed_at, pledge.reconfirm_asked_at, pledge.stale_since = now, None, None
    return was_stale


def out_of_cycle(pledge: Pledge) -> bool:
    """Nobody is asked about it any more (withdrawn, or reconfirmation turned off).
    True if it was stale."""
    was_stale = pledge.stale_since is not None
    pledge.reconfirm_asked_at, pledge.stale_since = None, None
    return was_stale
