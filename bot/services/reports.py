"""What the coalition reads: coverage per objective, the gaps, the audit history
of any line, and one user's App Home."""

from __future__ import annotations

from collections import defaultdict

from bot.domain import access
from bot.domain.errors import NotFound
from bot.domain.model import PledgeStatus, QuestionStatus
from bot.domain.read_models import (
    Actor,
    History,
    HistoryEntry,
    Home,
    PledgeView,
    QuestionView,
    RequirementView,
    StatusReport,
    gaps_first,
    status_report,
)
from bot.services import loaders
from bot.services.base import Service
from bot.services.loaders import pledge_ref, question_ref, split_ref
from storage import queries as q
from storage.models import Event


class Reports(Service):
    def status(self, user_id: str, objective: str | None = None) -> StatusReport:
        with self.uow.read() as s:
            self.uow.registered(s, user_id)
            objectives = (
                [loaders.objective_view(loaders.objective(s, objective))]
                if objective
                else loaders.objective_views(s)
            )
            return status_report(objectives, loaders.all_requirement_views(s))

    def gaps(self, user_id: str) -> list[RequirementView]:
        with self.uow.read() as s:
            self.uow.registered(s, user_id)
            return gaps_first(loaders.all_requirement_views(s))

    def history(self, user_id: str, ref: str) -> History:
        ref = ref.upper()
        with self.uow.read() as s:
            actor = self.uow.registered(s, user_id)
            kind, number = split_ref(ref)
            if kind == "P":
                ref = pledge_ref(number)
                pledge = q.get_pledge(s, number)
                if pledge is None or not loaders.may_see(actor, pledge):
                    raise NotFound(
                        f"No pledge {ref} that you can see.", "Try `/muster pledges mine`."
                    )
                events = q.events_for(s, ref)
            elif kind == "Q":
                ref = question_ref(number)
                loaders.question(s, number)
                events = q.events_for(s, ref)
            else:
                events = q.events_for_requirement(s, loaders.requirement(s, ref).code)
            hidden = loaders.hidden_pledge_refs(s, actor, events)
            return History(ref=ref, entries=tuple(history_entry(actor, e, hidden) for e in events))

    def change_log(self, user_id: str) -> dict[str, tuple[HistoryEntry, ...]]:
        """Every requirement's history at once (for the written report), as the
        caller may see it: one read instead of one per requirement."""
        with self.uow.read() as s:
            actor = self.uow.registered(s, user_id)
            events = q.events_with_requirement(s)
            hidden = loaders.hidden_pledge_refs(s, actor, events)
            grouped: dict[str, list[HistoryEntry]] = defaultdict(list)
            for e in events:
                grouped[e.requirement_code].append(history_entry(actor, e, hidden))
            return {code: tuple(entries) for code, entries in grouped.items()}

    def home(self, user_id: str, *, top_gaps: int = 5) -> Home:
        with self.uow.read() as s:
            actor = self.uow.actor(s, user_id)
            if not actor.is_registered:
                return Home(actor=actor)
            gaps = gaps_first(loaders.all_requirement_views(s))
            questions = q.list_questions(s, statuses=[QuestionStatus.OPEN])
            about = loaders.about_labels(s)
            pledges: tuple[PledgeView, ...] = ()
            own_questions: tuple[QuestionView, ...] = ()
            if actor.delegation_id is not None:
                pledges = tuple(
                    loaders.pledge_view(p, d, r)
                    for p, d, r in q.list_pledges(s, delegation_id=actor.delegation_id)
                    if p.status != PledgeStatus.WITHDRAWN
                )
                own_questions = tuple(
                    loaders.question_view(actor, qu, d, about)
                    for qu, d in questions
                    if qu.delegation_id == actor.delegation_id
                )
            unanswered: tuple[QuestionView, ...] = ()
            shortfalls: tuple[RequirementView, ...] = ()
            if actor.is_coordinator:
                unanswered = tuple(
                    loaders.question_view(actor, qu, d, about) for qu, d in questions
                )
                shortfalls = tuple(v for v in gaps if v.coverage.is_critical_shortfall)
            return Home(
                actor=actor,
                pledges=pledges,
                questions=own_questions,
                top_gaps=tuple(gaps[:top_gaps]),
                unanswered=unanswered,
                critical_shortfalls=shortfalls,
            )


def history_entry(actor: Actor, e: Event, hidden: set[str]) -> HistoryEntry:
    """One audit event as this viewer may read it."""
    if e.entity_ref in hidden:
        return HistoryEntry(e.at, None, "an undisclosed pledge", e.action, ())
    changes = tuple(
        (k, e.before.get(k), e.after.get(k)) for k in dict.fromkeys([*e.before, *e.after])
    )
    asked = e.entity == "question" and e.action == "asked"
    shown_actor = None if asked and not access.may_know_asker(actor, e.delegation_id) else e.actor
    return HistoryEntry(e.at, shown_actor, e.entity_ref, e.action, changes)
