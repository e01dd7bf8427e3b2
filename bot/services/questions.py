"""Questions from delegations, answers from the coordinators, and where each
question was announced so its answer can follow in the same thread."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from bot.domain import access
from bot.domain.errors import BadInput, Conflict
from bot.domain.model import QuestionStatus
from bot.domain.read_models import Actor, Page, QuestionList, QuestionView, RequirementView
from bot.domain.text import bounded
from bot.services import loaders
from bot.services.base import Service
from bot.services.loaders import question_ref, row_id
from storage import listing
from storage import queries as q
from storage.models import Question


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
            return loaders.question_view_of(s, actor, question)

    def answer(self, user_id: str, question_id: int, text: str) -> QuestionView:
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
            question.status = QuestionStatus.ANSWERED
            question.answer = text
            question.answered_by = actor.user_id
            question.answered_at = self.now()
            return self._save(s, actor, question, before, "answered")

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
            before = {"status": question.status}
            question.status = status
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
        self, s: Session, actor: Actor, question: Question, before: dict[str, Any], action: str
    ) -> QuestionView:
        question.version += 1
        question.updated_at = self.now()
        s.add(question)
        after = {k: getattr(question, k) for k in before}
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
