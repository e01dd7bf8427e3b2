"""The outbox: direct messages owed to members, each sent exactly once.

Whatever owes a message writes it here with ``enqueue``, in its own transaction and
under a key that names what it is (``call:C-3:open:U123``): the same key is never
owed twice, so a retried command, two processes deciding at once or a tick after
downtime owe it once. Sending follows the post claims (bot.services.broadcasts): a
process claims a message under a lease and commits, posts it, then marks it sent; a
claim whose process died is taken over once its lease has run out, and the taker
looks for it in the member's direct messages (the key rides in the message
metadata) before posting it again.

A message waits until its ``not_before`` (a member's night moves it to the morning)
and is not sent after its ``expires_at`` (a deadline that has passed)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot.services.base import Service
from bot.services.loaders import row_id
from storage import outbox as o
from storage.models import OutboxMessage

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 5  # claims of one message that never ended in a post: then it is given up
SWEEP = 500  # messages one pass sends at most; the next pass takes the rest
MAX_TEXT = 4000  # the column's length: the plain text feeds notifications only


@dataclass(frozen=True)
class Owed:
    """One message to owe: who gets it and what it says."""

    key: str
    recipient: str
    text: str
    blocks: list[dict[str, Any]]
    not_before: datetime | None = None  # None: at once
    expires_at: datetime | None = None  # None: whenever it can go


@dataclass(frozen=True)
class ClaimedMessage:
    """One message claimed for sending."""

    id: int
    key: str
    worker: str
    recipient: str
    text: str
    blocks: list[dict[str, Any]]
    taken_over: bool = False  # a process that died may have sent it already


def enqueue(s: Session, owed: Owed, now: datetime) -> bool:
    """Owe ``owed`` in the caller's transaction; False if its key is owed (or went)
    already, in which case nothing changes."""
    return o.add_once(
        s,
        OutboxMessage(
            key=owed.key,
            recipient=owed.recipient,
            text=owed.text[:MAX_TEXT],
            blocks=owed.blocks,
            created_at=now,
            not_before=owed.not_before or now,
            expires_at=owed.expires_at,
        ),
    )


def enqueue_all(s: Session, owed: Iterable[Owed], now: datetime) -> int:
    """Owe each of ``owed``; how many were new."""
    return sum(enqueue(s, message, now) for message in owed)


def cancel(s: Session, *prefixes: str) -> int:
    """Messages under these key prefixes that have not gone yet will not go."""
    return o.cancel_pending(s, prefixes)


class Outbox(Service):
    def due(self, now: datetime) -> list[int]:
        with self.uow.read() as s:
            return o.due(s, now, SWEEP)

    def claim(self, message_id: int, worker: str) -> ClaimedMessage | None:
        """Take the right to send one message; None if another process has it, it
        went, or it can no longer go."""
        now = self.now()
        with self.uow.write(bookkeeping=True) as s:
            row = o.get_message(s, message_id, for_update=True)
            if row is None:
                return None
            lapsed = (
                row.status == o.CLAIMED and row.lease_until is not None and row.lease_until < now
            )
            if not (row.status == o.PENDING and row.not_before <= now) and not lapsed:
                return None
            if row.expires_at is not None and row.expires_at <= now:
                row.status = o.EXPIRED  # too late to be of use: e.g. its deadline has passed
            elif row.attempts >= MAX_ATTEMPTS:  # Slack kept failing it: stop trying
                row.status = o.FAILED
            else:
                row.attempts += 1
                row.status, row.claimed_by = o.CLAIMED, worker
                row.claimed_at, row.lease_until = now, now + LEASE
            s.add(row)
            if row.status != o.CLAIMED:
                return None
            return ClaimedMessage(
                row_id(row.id),
                row.key,
                worker,
                row.recipient,
                row.text,
                list(row.blocks),
                taken_over=lapsed,
            )

    def finish(self, message: ClaimedMessage, *, sent: bool, ts: str = "") -> None:
        """Mark a claimed message sent, or failed for good (Slack refused it)."""
        with self.uow.write(bookkeeping=True) as s:
            row = o.get_message(s, message.id, for_update=True)
            if row is None or row.status != o.CLAIMED or row.claimed_by != message.worker:
                return  # our lease ran out and another process took over
            row.status = o.SENT if sent else o.FAILED
            row.sent_at = self.now() if sent else None
            row.ts = ts
            s.add(row)
