"""What one user's written report holds, read inside one transaction and streamed:
the few requirements and objectives as lists, the long registers (pledges, questions,
the change log) a chunk at a time, each row as this user may see it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.domain.read_models import (
    Actor,
    HistoryEntry,
    ObjectiveView,
    PledgeView,
    QuestionView,
    RequirementView,
)
from bot.services import loaders
from bot.services.reports import history_entry
from storage import streams


class Pledges:
    """The pledges this user may see, in one pass; ``undisclosed`` counts the others
    once the pass is over (they are in the totals, so the report says how many)."""

    def __init__(self, s: Session, actor: Actor, requirement_order: list[str] | None) -> None:
        self._s, self._actor, self._order = s, actor, requirement_order
        self.undisclosed = 0

    def __iter__(self) -> Iterator[PledgeView]:
        self.undisclosed = 0
        for chunk in streams.pledges(self._s, self._order):
            for p, d, r in chunk:
                if loaders.may_see(self._actor, p):
                    yield loaders.pledge_view(p, d, r)
                else:
                    self.undisclosed += 1


@dataclass(frozen=True)
class ReportReads:
    """The report of one user, open on the session ``s`` of its read transaction."""

    s: Session
    actor: Actor
    generated_at: datetime
    objectives: list[ObjectiveView]
    requirements: list[RequirementView]

    @classmethod
    def open(cls, s: Session, actor: Actor, generated_at: datetime) -> ReportReads:
        return cls(
            s,
            actor,
            generated_at,
            loaders.objective_views(s),
            loaders.all_requirement_views(s),
        )

    @property
    def codes(self) -> list[str]:
        return [v.code for v in self.requirements]

    def pledges(self, *, by_requirement: bool = False) -> Pledges:
        """By id, or grouped by requirement in the order of ``requirements``."""
        return Pledges(self.s, self.actor, self.codes if by_requirement else None)

    def questions(self) -> Iterator[QuestionView]:
        """Every question, by id; the asker only where this user may know them."""
        about = loaders.about_labels(self.s)
        for chunk in streams.questions(self.s):
            for question, delegation in chunk:
                yield loaders.question_view(self.actor, question, delegation, about)

    def changes(self) -> Iterator[tuple[str, HistoryEntry]]:
        """(requirement code, entry): each requirement's history in the order of
        ``requirements``, oldest first, with the pledges this user may not see
        undisclosed. Which pledges those are is decided a chunk at a time, so the
        restrictions looked up are those of the chunk's pledges only."""
        for events in streams.requirement_events(self.s, self.codes):
            hidden = loaders.hidden_pledge_refs(self.s, self.actor, events)
            for e in events:
                yield e.requirement_code, history_entry(self.actor, e, hidden)
