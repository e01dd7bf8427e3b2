"""What one user's written report holds, read inside one transaction and streamed:
the few requirements and objectives as lists, the long registers (pledges, questions,
the change log) a chunk at a time, each row as this user may see it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from sqlmodel import Session

from bot.domain import access
from bot.domain.calls import CallState
from bot.domain.model import ConditionKind, PledgeStatus
from bot.domain.read_models import (
    Actor,
    CallView,
    HistoryEntry,
    ObjectiveView,
    PledgeView,
    QuestionView,
    RequirementView,
    ResponseView,
    StatusReport,
    event_changes,
    status_report,
)
from bot.services import loaders
from bot.services.call_views import call_views
from bot.services.loaders import pledge_ref
from storage import calls as cq
from storage import queries as q
from storage import streams
from storage.streams import EventRow, PledgeRow


class Pledges:
    """The pledges this user may see, in one pass; ``undisclosed`` counts the others
    once the pass is over (they are in the totals, so the report says how many)."""

    def __init__(self, s: Session, actor: Actor, requirement_order: list[str] | None) -> None:
        self._s, self._actor, self._order = s, actor, requirement_order
        self.undisclosed = 0

    def __iter__(self) -> Iterator[PledgeView]:
        self.undisclosed = 0
        for chunk in streams.pledges(self._s, self._order):
            for p in chunk:
                if access.may_see_pledge(
                    self._actor, delegation_id=p.delegation_id, restricted=p.restricted
                ):
                    yield pledge_view(p)
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

    @cached_property
    def status(self) -> StatusReport:
        """Coverage per objective and overall, as `/muster status` reports it."""
        return status_report(self.objectives, self.requirements)

    @property
    def codes(self) -> list[str]:
        return [v.code for v in self.requirements]

    def pledges(self, *, by_requirement: bool = False) -> Pledges:
        """By id, or grouped by requirement in the order of ``requirements``."""
        return Pledges(self.s, self.actor, self.codes if by_requirement else None)

    @cached_property
    def calls(self) -> list[CallView]:
        """Every call for contributions, as this user may read it (bot.services.call_views)."""
        return call_views(self.s, self.actor, cq.every_call(self.s))

    def standings(self, view: CallView) -> list[ResponseView]:
        """The delegations a report lists for a call: every one for the coordinators; for
        a delegation its own (the silent are only counted: bot.domain.calls.Tally)."""
        if view.responses:
            return list(view.responses)
        own = [view.mine] if view.mine is not None else []
        others = [
            code for code in view.tally.silent if view.mine is None or code != view.mine.delegation
        ]
        return own + [ResponseView(code, "", CallState.SILENT) for code in others]

    def nil_returns(self) -> dict[str, list[tuple[str, ResponseView]]]:
        """(call, nil return) by the requirement they answer, as this user may see them."""
        found: dict[str, list[tuple[str, ResponseView]]] = defaultdict(list)
        for view in self.calls:
            declined = [r for r in self.standings(view) if r.state == CallState.DECLINED]
            for line in view.lines:
                found[line.code].extend((view.ref, r) for r in declined)
        return found

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
            hidden = self._hidden(events)
            for e in events:
                yield e.requirement_code, history_entry(self.actor, e, hidden)

    def _hidden(self, events: list[EventRow]) -> set[str]:
        """As loaders.hidden_pledge_refs, for one chunk of event rows."""
        if self.actor.is_coordinator:
            return set()
        pledge_events = [e for e in events if e.entity == "pledge"]
        restricted_now = q.restricted_pledge_ids(
            self.s, (int(e.entity_ref[2:]) for e in pledge_events)
        )
        return access.hidden_pledges(
            self.actor,
            ((e.entity_ref, e.delegation_id, e.restricted) for e in pledge_events),
            restricted_now,
        )


# The two mappings below are loaders.pledge_view and reports.history_entry for rows
# read as plain columns (storage.streams); tests/service/test_export_streaming.py
# checks that the report says what those say.


def pledge_view(p: PledgeRow) -> PledgeView:
    return PledgeView(
        ref=pledge_ref(p.id),
        requirement=p.requirement,
        unit=p.unit,
        delegation=p.delegation,
        delegation_name=p.delegation_name,
        quantity=p.quantity,
        status=PledgeStatus(p.status),
        condition=p.condition,
        condition_kind=ConditionKind(p.condition_kind) if p.condition_kind else None,
        caveats=p.caveats,
        available_from=p.available_from,
        restricted=p.restricted,
        withdrawn_reason=p.withdrawn_reason,
        version=p.version,
        updated_at=p.updated_at,
        confirmed_at=p.confirmed_at,
        reconfirm_asked_at=p.reconfirm_asked_at,
        stale_since=p.stale_since,
    )


def history_entry(actor: Actor, e: EventRow, hidden: set[str]) -> HistoryEntry:
    """One audit event as this viewer may read it."""
    if e.entity_ref in hidden:
        return HistoryEntry(e.at, None, "an undisclosed pledge", e.action, ())
    changes = event_changes(e.before, e.after)
    asked = e.entity == "question" and e.action == "asked"
    shown_actor = None if asked and not access.may_know_asker(actor, e.delegation_id) else e.actor
    return HistoryEntry(e.at, shown_actor, e.entity_ref, e.action, changes)
