"""What the coalition reads: coverage per objective, the gaps, the audit history
of any line, and one user's App Home."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlmodel import Session

from bot.domain import access
from bot.domain.calls import call_ref
from bot.domain.errors import NotFound
from bot.domain.model import QuestionStatus
from bot.domain.read_models import (
    Actor,
    History,
    HistoryEntry,
    Home,
    Page,
    QuestionView,
    RequirementView,
    StatusReport,
    event_changes,
    gaps_first,
    status_report,
)
from bot.services import loaders
from bot.services.base import Service
from bot.services.call_views import call_views
from bot.services.loaders import pledge_ref, question_ref, split_ref
from storage import calls as cq
from storage import listing
from storage import queries as q
from storage.models import Event


def objective_status(s: Session, code: str) -> StatusReport:
    one = loaders.objective_view(loaders.objective(s, code))
    return status_report([one], loaders.all_requirement_views(s))


class Reports(Service):
    def status(self, user_id: str, objective: str | None = None) -> StatusReport:
        if objective:
            code = objective.upper()
            return self.uow.shared_read(
                user_id, ("status", code), lambda s: objective_status(s, code)
            )
        return self.uow.shared_read(
            user_id, ("status",), lambda s: status_report(*loaders.catalogue_views(s))
        )

    def gaps(self, user_id: str) -> tuple[RequirementView, ...]:
        return self.uow.shared_read(  # shared by every caller: a tuple, not a list
            user_id, ("gaps",), lambda s: tuple(gaps_first(loaders.all_requirement_views(s)))
        )

    def history(self, user_id: str, ref: str, page: Page | None = None) -> History:
        """One page of the audit trail of a pledge, question or requirement (with its
        pledges): page 1 holds the latest entries."""
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
            elif kind == "Q":
                ref = question_ref(number)
                loaders.question(s, number)
            elif kind == "C":
                ref = call_ref(number)
                if cq.get_call(s, number) is None:
                    raise NotFound(f"No call {ref}.", "See `/muster calls`.")
            else:
                ref = loaders.requirement(s, ref).code
            trail = {"requirement": kind == "R"}
            total = listing.count_history(s, ref, **trail)
            page = loaders.checked_page(page or Page(), total, f"the entries of {ref}")
            events = listing.history_page(s, ref, limit=page.size, offset=page.offset, **trail)
            hidden = loaders.hidden_pledge_refs(s, actor, events)
            entries = tuple(history_entry(actor, e, hidden) for e in events)
            return History(ref=ref, entries=entries, page=page)

    def home(self, user_id: str, *, top_gaps: int = 5, items: int = 15) -> Home:
        """The App Home of one user: the first ``items`` of each list and its count."""
        with self.uow.read() as s:
            actor = self.uow.actor(s, user_id)
            if not actor.is_registered:
                return Home(actor=actor)
            gaps = gaps_first(loaders.all_requirement_views(s))
            about = loaders.about_labels(s)
            home = Home(
                actor=actor,
                top_gaps=tuple(gaps[:top_gaps]),
                gap_count=len(gaps),
                calls=tuple(call_views(s, actor, cq.open_calls(s))),
            )
            if actor.delegation_id is not None:
                home = replace(home, **_own_lists(s, actor, about, actor.delegation_id, items))
            if actor.is_coordinator:
                home = replace(
                    home,
                    unanswered=_open_questions(s, actor, about, items),
                    unanswered_count=listing.count_questions(s, statuses=OPEN),
                    critical_shortfalls=tuple(v for v in gaps if v.coverage.is_critical_shortfall),
                )
            return home


OPEN = [QuestionStatus.OPEN.value]
ANSWERS = ("responded", "declined")


def _own_lists(
    s: Session, actor: Actor, about: dict[tuple[str, int], str], delegation_id: int, items: int
) -> dict[str, Any]:
    """A delegation's live pledges and open questions on its Home, first few and counts."""
    mine: dict[str, Any] = {
        "delegation_id": delegation_id,
        "live_only": True,
        "restricted_for": None,
    }
    rows = listing.pledge_page(s, limit=items, **mine)
    return {
        "pledges": tuple(loaders.pledge_view(p, d, r) for p, d, r in rows),
        "pledge_count": listing.pledge_counts(s, **mine)[0],
        "questions": _open_questions(s, actor, about, items, delegation_id),
        "question_count": listing.count_questions(s, statuses=OPEN, delegation_id=delegation_id),
    }


def _open_questions(
    s: Session,
    actor: Actor,
    about: dict[tuple[str, int], str],
    items: int,
    delegation_id: int | None = None,
) -> tuple[QuestionView, ...]:
    rows = listing.question_page(s, statuses=OPEN, delegation_id=delegation_id, limit=items)
    return tuple(loaders.question_view(actor, qu, d, about) for qu, d in rows)


def history_entry(actor: Actor, e: Event, hidden: set[str]) -> HistoryEntry:
    """One audit event as this viewer may read it."""
    if e.entity_ref in hidden:
        return HistoryEntry(e.at, None, "an undisclosed pledge", e.action, ())
    if (
        e.entity == "call"
        and e.action in ANSWERS
        and not access.sees_everything_of(actor, e.delegation_id)
    ):  # how another delegation answered is for it and the coordinators
        return HistoryEntry(e.at, None, e.entity_ref, e.action, ())
    changes = event_changes(e.before, e.after)
    asked = e.entity == "question" and e.action == "asked"
    shown_actor = None if asked and not access.may_know_asker(actor, e.delegation_id) else e.actor
    return HistoryEntry(e.at, shown_actor, e.entity_ref, e.action, changes)
