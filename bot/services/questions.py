"""Questions from delegations, answers from the coordinators, and where each
question was announced so its answer can follow in the same thread."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from bot.domain import access
from bot.domain.calls import Answer
from bot.domain.errors import BadInput, Conflict
from bot.domain.model import QuestionStatus
from bot.domain.read_models import Actor, Page, QuestionList, QuestionView, RequirementView
from bot.domain.text import bounded
from bot.services import loaders
from bot.services.answer_notices import Sent, owe_answer, owe_link
from bot.services.base import Service
from bot.services.call_responses import record_response
from bot.services.loaders import question_ref, row_id
from storage import listing, notices
from storage import queries as q
from storage.models import Question


@dataclass(frozen=True)
class Answered:
    view: QuestionView  # as the coordinator who answered sees it
    sent: Sent  # who gets it by direct message
    members: tuple[str, ...]  # of the asking delegation, whose Home tabs change


@dataclass(frozen=True)
class Linked:
    view: QuestionView  # the duplicate, now closed
    original: QuestionView
    sent: Sent
    members: tuple[str, ...]  # of the duplicate's delegation


class Questions(Service):
    def ask(self, user_id: str, text: str, about: str | None = None) -> QuestionView:
        text = bounded(text, "Question", 2000)
        with self.uow.write() as s:
            actor = self.uow.delegate(s, user_id, "ask questions")
            requirement_id = objective_id = None
            if about and "-" in about:
                requirement_id = loaders.requirement(s, about).id
            elif about:
                objective_id = loaders.objective(s, about).id
            now = self.now()
            question = Question(
                delegation_id=row_id(actor.delegation_id),
                asker=actor.user_id,
                text=text,
                requirement_id=requirement_id,
                objective_id=objective_id,
                status=QuestionStatus.OPEN,
                created_at=now,
                updated_at=now,
            )
            s.add(question)
            s.flush()
            self.uow.record(
                s,
                actor,
                "question",
                question_ref(question.id),
                "asked",
                after={"text": text, "about": about.upper() if about else None},
                delegation_id=actor.delegation_id,
            )
            record_response(  # a question about a called line, or its objective, answers a call
                self.uow,
                s,
                actor,
                Answer.QUESTION,
                question_ref(question.id),
                now,
                requirement_ids=[requirement_id] if requirement_id is not None else [],
                objective_id=objective_id,
            )
            return loaders.question_view_of(s, actor, question)

    def answer(
        self,
        user_id: str,
        question_id: int,
        text: str,
        *,
        publish: bool = False,
        notify: bool = True,
    ) -> Answered:
        """Record the answer, and owe it to every member of the asking delegation, of
        the delegations whose questions were linked to it, and (``publish``) of every
        delegation: a correction to an answer published before goes to all only when
        it is published again. ``notify=False`` owes no one (a seeded demo,
        whose members are fictional)."""
        text = bounded(text, "Answer", 2000)
        with self.uow.write() as s:
            actor = self.uow.coordinator(s, user_id, "answer questions")
            question = loaders.question(s, question_id, for_update=True)
            if question.status == QuestionStatus.CLOSED:
                raise Conflict(
                    f"{question_ref(question.id)} is closed.",
                    f"Reopen it first: `/muster question reopen {question_ref(question.id)}`.",
                )
            before = {"status": question.status, "answer": question.answer}
            if publish:
                question.published_at = self.now()
            question.status = QuestionStatus.ANSWERED
            question.answer = text
            question.answered_by = actor.user_id
            question.answered_at = self.now()
            shared = {"shared_with": "every delegation"} if publish else {}
            view = self._save(s, actor, question, before, "answered", shared)
            sent = owe_answer(s, question, self.now(), publish=publish) if notify else Sent(0)
            return Answered(view, sent, tuple(notices.members(s, [question.delegation_id])))

    def duplicate(self, user_id: str, question_id: int, original_id: int) -> Linked:
        """Link a question to an earlier one that asks the same: it is closed, and its
        delegation gets that one's answer (now, if it has one, or when it comes)."""
        with self.uow.write() as s:
            actor = self.uow.coordinator(s, user_id, "link duplicate questions")
            # Both locked, in id order: an answer to the original racing this link
            # either sees the link and owes this delegation too, or comes first.
            first, second = sorted((question_id, original_id))
            locked = {n: loaders.question(s, n, for_update=True) for n in (first, second)}
            question, original = locked[question_id], locked[original_id]
            _check_link(s, question, original)
            before = {"status": question.status, "duplicate_of": None}
            question.status = QuestionStatus.CLOSED
            question.duplicate_of = original.id
            view = self._save(s, actor, question, before, "linked")
            sent = owe_link(s, question, original, self.now())
            members = tuple(notices.members(s, [question.delegation_id]))
            return Linked(view, loaders.question_view_of(s, actor, original), sent, members)

    def set_question_status(
        self, user_id: str, question_id: int, status: QuestionStatus
    ) -> QuestionView:
        with self.uow.write() as s:
            actor = self.uow.coordinator(s, user_id, "close or reopen questions")
            question = loaders.question(s, question_id, for_update=True)
            if question.status == status:
                raise Conflict(f"{question_ref(question.id)} is already {status}.")
            if status == QuestionStatus.ANSWERED:
                raise BadInput("Answer a question with `/muster answer Q-n <answer>`.")
            before: dict[str, Any] = {"status": question.status}
            if question.duplicate_of is not None:  # reopened, it stands on its own again
                before["duplicate_of"] = question_ref(question.duplicate_of)
                question.duplicate_of = None
            question.status = status
            if status == QuestionStatus.OPEN:
                # Reopened: notices still owed tell of an answer or a link it no longer has.
                notices.supersede(s, row_id(question.id))
            action = "reopened" if status == QuestionStatus.OPEN else "closed"
            return self._save(s, actor, question, before, action)

    def list_questions(self, user_id: str, scope: str = "open") -> list[QuestionView]:
        with self.uow.read() as s:
            actor = self.uow.registered(s, user_id)
            statuses = None if scope == "all" else [QuestionStatus.OPEN]
            rows = q.list_questions(s, statuses=statuses)
            about = loaders.about_labels(s)
            return [loaders.question_view(actor, question, d, about) for question, d in rows]

    def question_page(
        self, user_id: str, scope: str = "open", page: Page | None = None
    ) -> QuestionList:
        """One page of the questions, oldest first, with their count."""
        with self.uow.read() as s:
            actor = self.uow.registered(s, user_id)
            statuses = None if scope == "all" else [QuestionStatus.OPEN]
            total = listing.count_questions(s, statuses=statuses)
            page = loaders.checked_page(page or Page(), total, f"the {scope} questions")
            rows = listing.question_page(s, statuses=statuses, limit=page.size, offset=page.offset)
            about = loaders.about_labels(s)
            views = tuple(loaders.question_view(actor, question, d, about) for question, d in rows)
            return QuestionList(views, page)

    def ask_form(self, user_id: str) -> list[RequirementView]:
        """What the question form offers: every requirement to ask about."""
        with self.uow.read() as s:
            self.uow.delegate(s, user_id, "ask questions")
            return loaders.all_requirement_views(s)

    def question_to_answer(self, user_id: str, question_id: int) -> QuestionView:
        """The question a coordinator is about to answer (the answer form's content)."""
        with self.uow.read() as s:
            actor = self.uow.coordinator(s, user_id, "answer questions")
            question = loaders.question(s, question_id)
            if question.status == QuestionStatus.CLOSED:
                raise Conflict(f"{question_ref(question.id)} is closed.")
            return loaders.question_view_of(s, actor, question)

    # --- the coordinators' channel --------------------------------------------------

    def question_for_announcement(self, question_id: int) -> QuestionView:
        """The question as the coordinators' channel shows it (attributed)."""
        with self.uow.read() as s:
            return loaders.question_view_of(s, access.SYSTEM, loaders.question(s, question_id))

    def record_announcement(self, question_id: int, channel: str, ts: str) -> None:
        """Remember where a question was announced, so its answer goes to that thread."""
        with self.uow.write(bookkeeping=True) as s:
            question = loaders.question(s, question_id, for_update=True)
            question.announce_channel, question.announce_ts = channel, ts
            s.add(question)

    def announcement_of(self, question_id: int) -> tuple[str, str] | None:
        with self.uow.read() as s:
            question = loaders.question(s, question_id)
            if question.announce_channel and question.announce_ts:
                return question.announce_channel, question.announce_ts
            return None

    def _save(
        self,
        s: Session,
        actor: Actor,
        question: Question,
        before: dict[str, Any],
        action: str,
        noted: dict[str, str] | None = None,
    ) -> QuestionView:
        """Bump the version and record the change; ``noted`` adds what the audit trail
        says beyond the changed fields (e.g. who an answer was shared with)."""
        question.version += 1
        question.updated_at = self.now()
        s.add(question)
        after = {k: getattr(question, k) for k in before}
        if after.get("duplicate_of") is not None:
            after["duplicate_of"] = question_ref(after["duplicate_of"])
        before |= dict.fromkeys(noted or {}, "")
        after |= noted or {}
        self.uow.record(
            s,
            actor,
            "question",
            question_ref(question.id),
            action,
            before,
            after,
            delegation_id=question.delegation_id,
        )
        s.flush()
        return loaders.question_view_of(s, actor, question)


def _check_link(s: Session, question: Question, original: Question) -> None:
    """A question is linked once, while it waits for an answer, to a question that is
    neither closed nor itself a duplicate; and one with duplicates of its own is not."""
    ref, target = question_ref(question.id), question_ref(original.id)
    if question.id == original.id:
        raise BadInput(f"{ref} cannot be a duplicate of itself.")
    if question.duplicate_of is not None:
        raise Conflict(
            f"{ref} is already a duplicate of {question_ref(question.duplicate_of)}.",
            f"Reopen it first to link it elsewhere: `/muster question reopen {ref}`.",
        )
    if question.status != QuestionStatus.OPEN:
        raise Conflict(f"{ref} is {question.status}; only an open question is linked.")
    if original.duplicate_of is not None:
        first = question_ref(original.duplicate_of)
        raise Conflict(
            f"{target} is itself a duplicate of {first}.",
            f"Link to that one: `/muster question duplicate {ref} of {first}`.",
        )
    if original.status == QuestionStatus.CLOSED:
        raise Conflict(
            f"{target} is closed; its answer would never come.",
            f"Reopen it first: `/muster question reopen {target}`.",
        )
    linked = notices.duplicates_of(s, row_id(question.id))
    if linked:
        refs = ", ".join(question_ref(d.id) for d in linked)
        raise Conflict(
            f"{refs} {'is' if len(linked) == 1 else 'are'} linked to {ref}.",
            f"Link {target} to {ref} instead, or reopen {refs} first.",
        )
