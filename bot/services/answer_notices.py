"""The direct messages an answer owes: to every member of the asking delegation, of
the delegations whose questions were linked to it as duplicates, and, once it is
published, of every delegation.

They are written as rows (answer notices) in the transaction of the answer or the
link itself, so none is lost if the process dies before sending it. Sending follows
the post claims (bot.services.broadcasts): a process claims a notice under a lease
and commits, posts, then marks it posted; a claim whose process died is taken over
once its lease has run out, so each notice is sent once, whichever process sends it.

Every member of a delegation gets the same message, whoever asked: nothing in it
says which member that was, and other delegations are not told which delegation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.domain import access
from bot.domain.read_models import QuestionView
from bot.services import loaders
from bot.services.base import Service
from bot.services.loaders import question_ref, row_id
from storage import notices as n
from storage.models import AnswerNotice, Question

ASKED, DUPLICATE, PUBLISHED, LINKED = "asked", "duplicate", "published", "linked"
REASONS = (ASKED, DUPLICATE, PUBLISHED, LINKED)
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 5  # claims of one notice that never ended in a post: then it is given up
SWEEP = 500  # notices one pass sends at most; the next pass takes the rest


@dataclass(frozen=True)
class Sent:
    """Who an answer or a link is going to."""

    asking: int  # members of the asking delegation (of the duplicate's, for a link)
    duplicates: tuple[str, ...] = ()  # refs of the questions linked to it
    others: int = 0  # members of the other delegations told, duplicates' or all

    @property
    def total(self) -> int:
        return self.asking + self.others


@dataclass(frozen=True)
class OwedNotice:
    """One notice claimed for sending, with what its recipient may read."""

    id: int
    worker: str
    recipient: str
    reason: str  # asked | duplicate | published | linked
    question: QuestionView  # as the recipient may see it
    own: str | None = None  # their delegation's question, when it was linked to this one
    taken_over: bool = False  # a process that died may have sent it already


def owe_answer(s: Session, question: Question, now: datetime, *, publish: bool) -> Sent:
    """A notice of ``question``'s answer for everyone it reaches, in the caller's
    transaction: ``publish``, every member of every delegation. Each person gets
    one: their own delegation's question wins over a duplicate's, and that over the
    answer shared with all."""
    question_id = row_id(question.id)
    n.supersede(s, question_id)
    owed: dict[str, tuple[str, int | None]] = {}
    if publish:
        owed.update({user: (PUBLISHED, None) for user in n.members(s)})
    duplicates = n.duplicates_of(s, question_id)
    for duplicate in duplicates:
        owed.update(
            {user: (DUPLICATE, duplicate.id) for user in n.members(s, [duplicate.delegation_id])}
        )
    asking = n.members(s, [question.delegation_id])
    owed.update({user: (ASKED, None) for user in asking})
    _owe(s, question, question, owed, now)
    return Sent(
        len(asking),
        tuple(question_ref(d.id) for d in duplicates),
        len(owed) - len(asking),
    )


def owe_link(s: Session, duplicate: Question, original: Question, now: datetime) -> Sent:
    """The delegation of ``duplicate`` hears of the link: the answer, if ``original``
    has one, or that it will come."""
    reason = DUPLICATE if original.answer else LINKED
    members = n.members(s, [duplicate.delegation_id])
    _owe(s, duplicate, original, {user: (reason, duplicate.id) for user in members}, now)
    return Sent(len(members))


def _owe(
    s: Session,
    keyed: Question,
    question: Question,
    owed: dict[str, tuple[str, int | None]],
    now: datetime,
) -> None:
    """One row per recipient, keyed by the question and version that owe it, so the
    same change never owes anyone twice."""
    prefix = f"{question_ref(keyed.id)}:v{keyed.version}"
    s.add_all(
        AnswerNotice(
            key=f"{prefix}:{user}",
            question_id=row_id(question.id),
            about_id=about,
            recipient=user,
            reason=reason,
            created_at=now,
        )
        for user, (reason, about) in owed.items()
    )


def published_answers(
    s: Session, full_view: bool, since: datetime, until: datetime
) -> tuple[QuestionView, ...]:
    """The answers shared with every delegation in (since, until], as a digest's
    audience may read them."""
    viewer = access.SYSTEM if full_view else access.CHANNEL_AUDIENCE
    about = loaders.about_labels(s)
    return tuple(
        loaders.question_view(viewer, question, delegation, about)
        for question, delegation in n.published_between(s, since, until)
    )


class AnswerNotices(Service):
    def due(self, now: datetime) -> list[int]:
        with self.uow.read() as s:
            return n.due(s, now, SWEEP)

    def claim(self, notice_id: int, worker: str) -> OwedNotice | None:
        """Take the right to send one notice; None if another process has it or sent it."""
        now = self.now()
        with self.uow.write(bookkeeping=True) as s:
            row = n.get_notice(s, notice_id, for_update=True)
            if row is None:
                return None
            expired = (
                row.status == n.CLAIMED and row.lease_until is not None and row.lease_until < now
            )
            if row.status != n.PENDING and not expired:
                return None
            row.attempts += 1
            if row.attempts > MAX_ATTEMPTS:  # Slack kept failing it: stop trying
                row.status = n.FAILED
                s.add(row)
                return None
            row.status, row.claimed_by, row.lease_until = n.CLAIMED, worker, now + LEASE
            s.add(row)
            actor = self.uow.actor(s, row.recipient)
            view = loaders.question_view_of(s, actor, loaders.question(s, row.question_id))
            own = question_ref(row.about_id) if row.about_id is not None else None
            return OwedNotice(
                row_id(row.id), worker, row.recipient, row.reason, view, own, taken_over=expired
            )

    def finish(self, notice: OwedNotice, *, posted: bool, message_ts: str = "") -> None:
        """Mark a claimed notice sent, or failed for good (Slack refused it)."""
        with self.uow.write(bookkeeping=True) as s:
            row = n.get_notice(s, notice.id, for_update=True)
            if row is None or row.claimed_by != notice.worker:
                return  # our lease ran out and another process took over
            row.status = n.POSTED if posted else n.FAILED
            row.posted_at = self.now() if posted else None
            row.message_ts = message_ts
            s.add(row)
