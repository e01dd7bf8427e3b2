"""What the digest reads, summed in the database: the conditional capacity per
condition and requirement."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from storage.models import Pledge, Requirement


def conditional_sums(
    session: Session, *, withdrawn: str, with_restricted: bool
) -> list[tuple[str, str, int]]:
    """(condition kind, requirement code, quantity): the pledges that carry a condition,
    summed per kind of condition and requirement, leaving out withdrawn pledges and,
    unless ``with_restricted``, restricted ones."""
    counted = [col(Pledge.condition_kind) != "", col(Pledge.status) != withdrawn]
    if not with_restricted:
        counted.append(col(Pledge.restricted).is_(False))
    # Summed first, named after: joined pledge by pledge, SQLite would read the
    # pledges through the requirement index, one random read each.
    totals = (
        sa_select(
            col(Pledge.condition_kind).label("kind"),
            col(Pledge.requirement_id).label("requirement_id"),
            func.sum(col(Pledge.quantity)).label("total"),
        )
        .where(*counted)
        .group_by(col(Pledge.condition_kind), col(Pledge.requirement_id))
        .subquery("totals")
    )
    query = sa_select(totals.c.kind, col(Requirement.code), totals.c.total).join(
        Requirement, col(Requirement.id) == totals.c.requirement_id
    )
    return [(kind, code, int(total)) for kind, code, total in session.execute(query).all()]
