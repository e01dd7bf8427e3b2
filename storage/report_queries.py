"""What the co-chairs' written report reads beyond what every reply reads: the
reports issued before, and each delegation's live pledges summed per line (its
annex), counted in the database so that 200,000 pledges come back as a few thousand
rows. None of these commits."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.models import (
    CallResponse,
    ContributionCall,
    Delegation,
    Pledge,
    ReportIssue,
    Requirement,
)

REQUESTED, SENT, FAILED = "requested", "sent", "failed"
STATUSES = (REQUESTED, SENT, FAILED)


# --- reports issued ---------------------------------------------------------------


def get_issue(session: Session, issue_id: int, *, for_update: bool = False) -> ReportIssue | None:
    query = select(ReportIssue).where(ReportIssue.id == issue_id)
    if for_update:
        query = query.with_for_update()
    return session.exec(query).first()


def previous_issue(session: Session, edition: str, before: datetime) -> datetime | None:
    """The moment the latest report of ``edition`` issued and sent before ``before``
    described, or None when there was none (ix_report_issue_previous reads it)."""
    query = select(func.max(col(ReportIssue.as_of))).where(
        ReportIssue.edition == edition,
        col(ReportIssue.issued).is_(True),
        ReportIssue.status == SENT,
        col(ReportIssue.as_of) < before,
    )
    found: datetime | None = session.exec(query).one()
    return found


def lost_requests(session: Session, before: datetime) -> Sequence[ReportIssue]:
    """Reports asked for before ``before`` and neither sent nor failed: their process
    ended while making them. Locked, so one process deals with each."""
    query = (
        select(ReportIssue)
        .where(ReportIssue.status == REQUESTED, col(ReportIssue.requested_at) < before)
        .order_by(col(ReportIssue.id))
        .with_for_update()
    )
    return session.exec(query).all()


# --- the delegations' annexes -----------------------------------------------------


class DelegationLineSum(NamedTuple):
    """One delegation's live pledges on one line with one status, with or without a
    condition: their total and how many they are."""

    delegation_id: int
    requirement: str  # its code
    status: str
    conditional: bool
    quantity: Decimal
    pledges: int
    stale: bool = False  # not reconfirmed in time: pending until it is


def delegation_line_sums(
    session: Session, *, withdrawn: str, with_restricted: bool
) -> list[DelegationLineSum]:
    """Every delegation's live pledges summed per line, status, staleness and whether
    they carry a condition (a pledge does exactly when it has a condition class), leaving out
    restricted pledges unless ``with_restricted``: one pass over the pledges."""
    conditional = (col(Pledge.condition_kind) != "").label("conditional")
    stale = col(Pledge.stale_since).is_not(None).label("stale")
    query = (
        sa_select(
            col(Pledge.delegation_id),
            col(Requirement.code),
            col(Pledge.status),
            conditional,
            stale,
            func.sum(col(Pledge.quantity)),
            func.count(),
        )
        .join(Requirement, col(Requirement.id) == col(Pledge.requirement_id))
        .where(col(Pledge.status) != withdrawn)
        .group_by(col(Pledge.delegation_id), col(Requirement.code), col(Pledge.status))
        .group_by(conditional, stale)
    )
    if not with_restricted:
        query = query.where(col(Pledge.restricted).is_(False))
    return [
        DelegationLineSum(d, r, status, bool(c), total, int(n), stale=bool(old))
        for d, r, status, c, old, total, n in session.execute(query).all()
    ]


def live_pledges_of(
    session: Session,
    delegation_ids: Collection[int],
    *,
    withdrawn: str,
    with_restricted: bool,
) -> Sequence[tuple[Pledge, Delegation, Requirement]]:
    """The live pledges of these delegations (a few each: the annex lists them one by
    one only below a limit), restricted ones only if ``with_restricted``."""
    if not delegation_ids:
        return []
    query = (
        select(Pledge, Delegation, Requirement)
        .join(Delegation, col(Delegation.id) == col(Pledge.delegation_id))
        .join(Requirement, col(Requirement.id) == col(Pledge.requirement_id))
        .where(col(Pledge.delegation_id).in_(list(delegation_ids)))
        .where(col(Pledge.status) != withdrawn)
        .order_by(col(Pledge.id))
    )
    if not with_restricted:
        query = query.where(col(Pledge.restricted).is_(False))
    return [(p, d, r) for p, d, r in session.exec(query).all()]


# --- nil returns ------------------------------------------------------------------


class NilReturnRow(NamedTuple):
    delegation: str  # its code
    call_id: int
    scope: str  # what the call named: "SKY LAND-2"
    at: datetime | None
    reason: str


def nil_returns(session: Session, *, declined: str) -> list[NilReturnRow]:
    """Every nil return made to a call (a response in state ``declined``), by
    delegation, oldest first: a few per call and delegation at most."""
    query = (
        sa_select(
            col(Delegation.code),
            col(CallResponse.call_id),
            col(ContributionCall.scope),
            col(CallResponse.responded_at),
            col(CallResponse.reason),
        )
        .join(Delegation, col(Delegation.id) == col(CallResponse.delegation_id))
        .join(ContributionCall, col(ContributionCall.id) == col(CallResponse.call_id))
        .where(col(CallResponse.state) == declined)
        .order_by(col(Delegation.code), col(CallResponse.responded_at), col(CallResponse.call_id))
    )
    return [NilReturnRow(*row) for row in session.execute(query).all()]
