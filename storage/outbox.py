"""Queries of the direct messages owed through the outbox (bot.services.outbox).
None of them commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, or_, select, update

from storage.models import OutboxMessage
from storage.queries import insert_once

PENDING, CLAIMED, SENT, FAILED, CANCELLED, EXPIRED = (
    "pending",
    "claimed",
    "sent",
    "failed",
    "cancelled",
    "expired",
)
STATUSES = (PENDING, CLAIMED, SENT, FAILED, CANCELLED, EXPIRED)


def add_once(session: Session, message: OutboxMessage) -> bool:
    """Stage ``message``; False when a message with its key is owed (or went) already."""
    if session.exec(select(OutboxMessage.id).where(OutboxMessage.key == message.key)).first():
        return False
    return insert_once(session, message)  # a concurrent transaction may insert it first


def due(session: Session, now: datetime, limit: int) -> list[int]:
    """Messages to send now: pending and past their moment, or claimed by a process
    whose lease ran out."""
    query = (
        select(OutboxMessage.id)
        .where(
            or_(
                (col(OutboxMessage.status) == PENDING) & (col(OutboxMessage.not_before) <= now),
                (col(OutboxMessage.status) == CLAIMED) & (col(OutboxMessage.lease_until) < now),
            )
        )
        .order_by(col(OutboxMessage.not_before), col(OutboxMessage.id))
        .limit(limit)
    )
    return [message_id for message_id in session.exec(query).all() if message_id is not None]


def get_message(
    session: Session, message_id: int, *, for_update: bool = False
) -> OutboxMessage | None:
    query = select(OutboxMessage).where(OutboxMessage.id == message_id)
    if for_update:
        query = query.with_for_update()
    return session.exec(query).first()


def keys_starting(session: Session, prefix: str) -> list[str]:
    """The keys of every message owed or sent under ``prefix``."""
    query = select(OutboxMessage.key).where(
        col(OutboxMessage.key).startswith(prefix, autoescape=True)
    )
    return list(session.exec(query).all())


def cancel_pending(session: Session, prefixes: Iterable[str]) -> int:
    """Messages under these key prefixes that have not gone yet will not go: those
    waiting, and those claimed (a claim whose process died would otherwise be taken
    over and posted after all; one being posted right now may still go, once)."""
    cancelled = 0
    for prefix in prefixes:
        result = session.execute(
            update(OutboxMessage)
            .where(
                col(OutboxMessage.key).startswith(prefix, autoescape=True),
                col(OutboxMessage.status).in_((PENDING, CLAIMED)),
            )
            .values(status=CANCELLED)
        )
        cancelled += int(getattr(result, "rowcount", 0) or 0)
    return cancelled
