"""Query functions. They read and stage changes on a session; they never commit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import and_, delete, func
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from storage.models import (
    Coordinator,
    Delegation,
    Delivery,
    Event,
    KnownUser,
    Member,
    Objective,
    Pledge,
    PledgeTotal,
    PostClaim,
    Question,
    Requirement,
    Setting,
    Subscription,
)


def insert_once(session: Session, row: SQLModel) -> bool:
    """Insert ``row``, or return False when a concurrent transaction committed a row
    with the same key first. SQLite's write lock makes such races impossible; on
    PostgreSQL the loser's insert waits for the winner, then fails. The savepoint
    keeps the loser's transaction usable, so the caller can read what won and
    answer accordingly."""
    session.flush()  # earlier changes must fail on their own, not pass for a lost race
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


# --- objectives -------------------------------------------------------------


def list_objectives(session: Session) -> Sequence[Objective]:
    return session.exec(_objectives_statement()).all()


@cache
def _objectives_statement() -> SelectOfScalar[Objective]:
    return select(Objective).order_by(col(Objective.position), col(Objective.id))


def get_objective(session: Session, code: str, *, for_update: bool = False) -> Objective | None:
    query = select(Objective).where(Objective.code == code.upper())
    if for_update:
        query = query.with_for_update()
    return session.exec(query).first()


# --- delegations, members, coordinators -------------------------------------


def get_delegation(session: Session, code: str) -> Delegation | None:
    return session.exec(select(Delegation).where(Delegation.code == code.upper())).first()


def list_delegations(session: Session) -> Sequence[Delegation]:
    return session.exec(select(Delegation).order_by(col(Delegation.code))).all()


def member_counts(session: Session) -> dict[int, int]:
    rows = session.exec(
        select(Member.delegation_id, func.count()).group_by(col(Member.delegation_id))
    ).all()
    return {delegation_id: count for delegation_id, count in rows}


def pledge_status_counts(session: Session) -> dict[tuple[int, str, bool, bool, bool], int]:
    """Pledges per (delegation, status, restricted, carries a condition, stale)."""
    conditional = (col(Pledge.condition_kind) != "").label("conditional")
    stale = col(Pledge.stale_since).is_not(None).label("stale")
    keys = (
        col(Pledge.delegation_id),
        col(Pledge.status),
        col(Pledge.restricted),
        conditional,
        stale,
    )
    rows = session.execute(sa_select(*keys, func.count()).group_by(*keys)).all()
    return {
        (d, status, bool(restricted), bool(has_condition), bool(is_stale)): n
        for d, status, restricted, has_condition, is_stale, n in rows
    }


def question_counts(session: Session) -> dict[int, int]:
    rows = session.exec(
        select(Question.delegation_id, func.count()).group_by(col(Question.delegation_id))
    ).all()
    return {delegation_id: count for delegation_id, count in rows}


def get_membership(session: Session, user_id: str) -> tuple[Member, Delegation] | None:
    row = session.exec(
        select(Member, Delegation)
        .join(Delegation, col(Delegation.id) == col(Member.delegation_id))
        .where(Member.user_id == user_id)
    ).first()
    return (row[0], row[1]) if row else None


def get_coordinator(session: Session, user_id: str) -> Coordinator | None:
    return session.get(Coordinator, user_id)


def is_known_user(session: Session, user_id: str) -> bool:
    return session.get(KnownUser, user_id) is not None


# --- requirements -----------------------------------------------------------


def get_requirement(session: Session, code: str, *, for_update: bool = False) -> Requirement | None:
    query = select(Requirement).where(Requirement.code == code.upper())
    if for_update:
        query = query.with_for_update()
    return session.exec(query).first()


def get_requirement_by_id(session: Session, requirement_id: int) -> Requirement | None:
    return session.get(Requirement, requirement_id)


def list_requirements(
    session: Session, objective_id: int | None = None
) -> Sequence[tuple[Requirement, Objective]]:
    query = _requirements_statement()
    if objective_id is not None:
        query = query.where(Requirement.objective_id == objective_id)
    return [(r, o) for r, o in session.exec(query).all()]


@cache
def _requirements_statement() -> Select[Requirement, Objective]:
    return (
        select(Requirement, Objective)
        .join(Objective, col(Objective.id) == col(Requirement.objective_id))
        .order_by(col(Objective.position), col(Requirement.seq))
    )


def catalogue(session: Session) -> tuple[list[Objective], list[tuple[Requirement, Objective]]]:
    """Every objective in order, and every requirement with its objective, in one
    statement (an objective with no requirement yet comes once, with None)."""
    objectives: dict[int | None, Objective] = {}
    requirements: list[tuple[Requirement, Objective]] = []
    for o, r in session.exec(_catalogue_statement()).all():
        objectives.setdefault(o.id, o)
        if r is not None:
            requirements.append((r, o))
    return list(objectives.values()), requirements


@cache
def _catalogue_statement() -> Select[Objective, Requirement | None]:
    return (
        select(Objective, Requirement)
        .outerjoin(Requirement, col(Requirement.objective_id) == col(Objective.id))
        .order_by(col(Objective.position), col(Objective.id), col(Requirement.seq))
    )


# --- pledges ----------------------------------------------------------------


def get_pledge(session: Session, pledge_id: int, *, for_update: bool = False) -> Pledge | None:
    query = select(Pledge).where(Pledge.id == pledge_id)
    if for_update:
        query = query.with_for_update()
    return session.exec(query).first()


def list_pledges(
    session: Session,
    *,
    requirement_ids: Iterable[int] | None = None,
    delegation_id: int | None = None,
) -> Sequence[tuple[Pledge, Delegation, Requirement]]:
    query = (
        select(Pledge, Delegation, Requirement)
        .join(Delegation, col(Delegation.id) == col(Pledge.delegation_id))
        .join(Requirement, col(Requirement.id) == col(Pledge.requirement_id))
        .order_by(col(Pledge.id))
    )
    if requirement_ids is not None:
        query = query.where(col(Pledge.requirement_id).in_(list(requirement_ids)))
    if delegation_id is not None:
        query = query.where(Pledge.delegation_id == delegation_id)
    return [(p, d, r) for p, d, r in session.exec(query).all()]


def pledge_figures(
    session: Session, requirement_ids: Iterable[int] | None = None
) -> list[tuple[int, Decimal, bool, bool]]:
    """(requirement id, total quantity, confirmed and not stale, conditional): the live
    pledges summed per requirement, as coverage needs them (requirement_coverage in
    bot.domain.model): at most four rows per requirement, however many pledges."""
    query = _figures_statement()
    if requirement_ids is not None:
        query = query.where(col(PledgeTotal.requirement_id).in_(list(requirement_ids)))
    return [
        (rid, total, bool(confirmed), bool(conditional))
        for rid, total, confirmed, conditional in session.exec(query).all()
    ]


@cache
def _figures_statement() -> Any:
    # From the running totals (storage.totals), not the pledges: a pledge carries a
    # condition exactly when it has a condition class. A stale confirmed pledge is
    # summed with those short of confirmed: it counts as pending until reconfirmed.
    firm = and_(col(PledgeTotal.status) == "confirmed", col(PledgeTotal.stale).is_(False))
    confirmed = firm.label("confirmed")
    conditional = (col(PledgeTotal.condition_kind) != "").label("conditional")
    return (
        select(
            col(PledgeTotal.requirement_id),
            func.sum(col(PledgeTotal.quantity)),
            confirmed,
            conditional,
        )
        .where(col(PledgeTotal.pledges) > 0, col(PledgeTotal.status) != "withdrawn")
        .group_by(col(PledgeTotal.requirement_id), confirmed, conditional)
    )


# --- questions --------------------------------------------------------------


def get_question(
    session: Session, question_id: int, *, for_update: bool = False
) -> Question | None:
    query = select(Question).where(Question.id == question_id)
    if for_update:
        query = query.with_for_update()
    return session.exec(query).first()


def list_questions(
    session: Session, *, statuses: Sequence[str] | None = None
) -> Sequence[tuple[Question, Delegation]]:
    query = (
        select(Question, Delegation)
        .join(Delegation, col(Delegation.id) == col(Question.delegation_id))
        .order_by(col(Question.id))
    )
    if statuses is not None:
        query = query.where(col(Question.status).in_(list(statuses)))
    return [(q, d) for q, d in session.exec(query).all()]


# --- audit log --------------------------------------------------------------


def add_event(session: Session, **fields: Any) -> Event:
    event = Event(**fields)
    session.add(event)
    return event


def restricted_pledge_ids(session: Session, pledge_ids: Iterable[int]) -> set[int]:
    ids = list(pledge_ids)
    if not ids:
        return set()
    rows = session.exec(
        select(Pledge.id).where(col(Pledge.id).in_(ids), col(Pledge.restricted).is_(True))
    ).all()
    return {i for i in rows if i is not None}


# --- deliveries and settings --------------------------------------------------


def claim_delivery(session: Session, key: str, now: datetime) -> None:
    """Record a delivery; raises IntegrityError if it was recorded before."""
    session.add(Delivery(key=key, received_at=now))
    session.flush()


def forget_deliveries_before(session: Session, cutoff: datetime) -> int:
    result = session.exec(delete(Delivery).where(col(Delivery.received_at) < cutoff))
    return int(result.rowcount or 0)


def get_setting(session: Session, key: str) -> str | None:
    setting = session.get(Setting, key)
    return setting.value if setting else None


def put_setting(session: Session, key: str, value: str, user_id: str, now: datetime) -> None:
    """Set ``key``. When two commands set it at once, the last to commit wins."""
    setting = session.get(Setting, key)
    if setting is None:
        if insert_once(session, Setting(key=key, value=value, updated_by=user_id, updated_at=now)):
            return
        setting = session.get(Setting, key)  # the row a concurrent command inserted first
        assert setting is not None
    setting.value, setting.updated_by, setting.updated_at = value, user_id, now
    session.add(setting)


# --- subscriptions and post claims ----------------------------------------------


def list_subscriptions(
    session: Session, kind: str | None = None, *, active_only: bool = True
) -> Sequence[Subscription]:
    query = select(Subscription).order_by(col(Subscription.id))
    if kind is not None:
        query = query.where(Subscription.kind == kind)
    if active_only:
        query = query.where(col(Subscription.active).is_(True))
    return session.exec(query).all()


def get_subscription(session: Session, kind: str, channel: str) -> Subscription | None:
    return session.exec(
        select(Subscription).where(Subscription.kind == kind, Subscription.channel == channel)
    ).first()


def get_claim(
    session: Session, subscription_id: int, key: str, *, for_update: bool = False
) -> PostClaim | None:
    query = select(PostClaim).where(
        PostClaim.subscription_id == subscription_id, PostClaim.key == key
    )
    if for_update:
        query = query.with_for_update()
    return session.exec(query).first()


def last_posted(session: Session, subscription_id: int, prefix: str) -> PostClaim | None:
    return session.exec(
        select(PostClaim)
        .where(
            PostClaim.subscription_id == subscription_id,
            PostClaim.status == "posted",
            col(PostClaim.key).startswith(prefix),
        )
        .order_by(col(PostClaim.posted_at).desc())
    ).first()


def posted_claims(
    session: Session, subscription_id: int, prefix: str, posted_by: datetime
) -> Sequence[PostClaim]:
    """Claims of one subscription under ``prefix`` that were posted by ``posted_by``."""
    return session.exec(
        select(PostClaim).where(
            PostClaim.subscription_id == subscription_id,
            PostClaim.status == "posted",
            col(PostClaim.posted_at) <= posted_by,
            col(PostClaim.key).startswith(prefix),
        )
    ).all()
