"""Queries of the direct messages owed about questions (answer notices), of who
receives them, and of the questions linked or published. None of them commits."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlmodel import Session, col, or_, select, update

from storage.models import AnswerNotice, Delegation, Member, Question

PENDING, CLAIMED, POSTED, FAILED, SUPERSEDED = (
    "pending",
    "claimed",
    "posted",
    "failed",
    "superseded",
)
STATUSES = (PENDING, CLAIMED, POSTED, FAILED, SUPERSEDED)


def members(session: Session, delegation_ids: Collection[int] | None = None) -> list[str]:
    """The user ids of the members of these delegations (of every delegation if None),
    in a stable order."""
    query = select(Member.user_id).order_by(col(Member.delegation_id), col(Member.user_id))
    if delegation_ids is not None:
        query = query.where(col(Member.delegation_id).in_(list(delegation_ids)))
    return list(session.exec(query).all())


def duplicates_of(session: Session, question_id: int) -> Sequence[Question]:
    return session.exec(
        select(Question).where(Question.duplicate_of == question_id).order_by(col(Question.id))
    ).all()


def supersede(session: Session, question_id: int) -> None:
    """Pending notices about ``question_id``, or owed because it was linked to another
    (``about_id``), will not go: a newer answer or a reopening replaces them."""
    session.execute(
        update(AnswerNotice)
        .where(
            or_(
                col(AnswerNotice.question_id) == question_id,
                col(AnswerNotice.about_id) == question_id,
            ),
            col(AnswerNotice.status) == PENDING,
        )
        .values(status=SUPERSEDED)
    )


def due(session: Session, now: datetime, limit: int) -> list[int]:
    """Notices to send: never claimed, or claimed by a process whose lease ran out."""
    query = (
        select(AnswerNotice.id)
        .where(
            or_(
                col(AnswerNotice.status) == PENDING,
                (col(AnswerNotice.status) == CLAIMED) & (col(AnswerNotice.lease_until) < now),
            )
        )
        .order_by(col(AnswerNotice.id))
        .limit(limit)
    )
    return [notice_id for notice_id in session.exec(query).all() if notice_id is not None]


def get_notice(
    session: Session, notice_id: int, *, for_update: bool = False
) -> AnswerNotice | None:
    query = select(AnswerNotice).where(AnswerNotice.id == notice_id)
    if for_update:
        query = query.with_for_update()
    return session.exec(query).first()


def published_between(
    session: Session, since: datetime, until: datetime
) -> Sequence[tuple[Question, Delegation]]:
    """Questions whose answer was shared with every delegation in (since, until], in
    the order they were shared."""
    return [
        (question, delegation)
        for question, delegation in session.exec(
            select(Question, Delegation)
            .join(Delegation, col(Delegation.id) == col(Question.delegation_id))
            .where(col(Question.published_at) > since, col(Question.published_at) <= until)
            .order_by(col(Question.published_at), col(Question.id))
        ).all()
    ]
