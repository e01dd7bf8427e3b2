"""Read models the services return: plain frozen data, visibility already applied,
so nothing downstream can reach back into the database or see too much."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from bot.domain.calls import Answer, CallState, Tally
from bot.domain.model import (
    ConditionKind,
    Coverage,
    PledgeStatus,
    Posture,
    Priority,
    QuestionStatus,
    Rating,
    Rollup,
    from_json_number,
)


@dataclass(frozen=True)
class Actor:
    user_id: str
    is_coordinator: bool
    delegation_code: str | None = None
    delegation_name: str | None = None
    delegation_id: int | None = None

    @property
    def is_registered(self) -> bool:
        return self.is_coordinator or self.delegation_id is not None


@dataclass(frozen=True)
class DelegationView:
    code: str
    name: str
    members: int
    posture: Posture


@dataclass(frozen=True)
class ObjectiveView:
    code: str
    name: str
    lead_delegations: tuple[str, ...]


@dataclass(frozen=True)
class RequirementView:
    code: str
    objective: str
    title: str
    quantity: Decimal
    unit: str
    priority: Priority
    enabler: bool
    needed_by: date | None
    notes: str
    version: int
    coverage: Coverage


@dataclass(frozen=True)
class PledgeView:
    ref: str
    requirement: str
    unit: str
    delegation: str
    delegation_name: str
    quantity: Decimal
    status: PledgeStatus
    condition: str
    condition_kind: ConditionKind | None
    caveats: str
    available_from: date | None
    restricted: bool
    withdrawn_reason: str
    version: int
    updated_at: datetime
    condition_kind_manual: bool = False  # filed by a coordinator, not by the rules
    confirmed_at: datetime | None = None  # last made, changed or reconfirmed
    reconfirm_asked_at: datetime | None = None  # its delegation was asked to reconfirm it
    stale_since: datetime | None = None  # not reconfirmed in time: not firm until it is

    @property
    def stale(self) -> bool:
        return self.stale_since is not None


@dataclass(frozen=True)
class Reclassified:
    """A pledge's condition filed under another class, by hand or by the rules again."""

    pledge: PledgeView
    before: ConditionKind | None
    after: ConditionKind
    by_hand: bool


PAGE_SIZE = 25  # lines per page of a list: a reply stays well inside Slack's limits


@dataclass(frozen=True)
class Page:
    """Which slice of a long list a reply shows. Lists read one page and a count,
    so a reply costs the same however long the list has grown."""

    number: int = 1  # counted from 1
    size: int = PAGE_SIZE
    total: int = 0  # items in the whole list

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_more(self) -> bool:
        return self.number < self.pages

    def counted(self, total: int) -> Page:
        return Page(self.number, self.size, total)


@dataclass(frozen=True)
class PledgeList:
    title: str
    pledges: tuple[PledgeView, ...]
    undisclosed: int  # pledges counted in totals but not shown to this viewer
    page: Page = field(default_factory=Page)


@dataclass(frozen=True)
class PledgeResult:
    pledge: PledgeView
    requirement: RequirementView
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class QuestionView:
    ref: str
    delegation: str | None  # None when the viewer may not know who asked
    asker: str | None
    text: str
    about: str | None
    status: QuestionStatus
    answer: str
    answered_by: str
    asked_at: datetime
    answered_at: datetime | None
    announce_channel: str = ""  # where the coordinators were told, for threading the answer
    announce_ts: str = ""
    duplicate_of: str | None = None  # the question this one asks again (Q-n)
    published_at: datetime | None = None  # when its answer was shared with every delegation


@dataclass(frozen=True)
class ObjectiveStatus:
    objective: ObjectiveView
    rollup: Rollup
    requirements: tuple[RequirementView, ...]


@dataclass(frozen=True)
class StatusReport:
    objectives: tuple[ObjectiveStatus, ...]
    overall: Rollup


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: str | None  # None when hidden from this viewer
    subject: str
    action: str
    changes: tuple[tuple[str, Any, Any], ...]


def event_changes(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[tuple[str, Any, Any], ...]:
    """(field, before, after) of an audit event, in the order the fields were recorded;
    a quantity as the exact Decimal it was (the log keeps it as a JSON number)."""

    def said(name: str, value: Any) -> Any:
        return from_json_number(value) if name == "quantity" and value is not None else value

    return tuple(
        (k, said(k, before.get(k)), said(k, after.get(k))) for k in dict.fromkeys([*before, *after])
    )


@dataclass(frozen=True)
class QuestionList:
    questions: tuple[QuestionView, ...]
    page: Page = field(default_factory=Page)


@dataclass(frozen=True)
class History:
    """A page of an audit trail, oldest first within the page; page 1 is the latest."""

    ref: str
    entries: tuple[HistoryEntry, ...]
    page: Page = field(default_factory=Page)


# --- calls for contributions (bot.domain.calls) -----------------------------------------


@dataclass(frozen=True)
class ResponseView:
    """One delegation's standing on a call, as the viewer may know it: how it
    answered (the pledge, the question, the reason of a nil return) is for the
    coordinators and the delegation itself."""

    delegation: str
    delegation_name: str
    state: CallState
    how: Answer | None = None
    ref: str = ""
    by: str = ""
    at: datetime | None = None
    reason: str = ""


@dataclass(frozen=True)
class CallView:
    ref: str
    scope: str  # what the coordinator named: "SKY LAND-2"
    lines: tuple[RequirementView, ...]  # with their coverage now
    message: str
    deadline: datetime
    zone: str  # where the deadline was set
    open: bool
    opened_by: str
    opened_at: datetime
    tally: Tally
    deadline_version: int = 1
    extended_at: datetime | None = None
    closed_at: datetime | None = None
    closed_by: str = ""
    mine: ResponseView | None = None  # the viewer's delegation, if it was called
    responses: tuple[ResponseView, ...] = ()  # every delegation: for coordinators only

    @property
    def announced_at(self) -> datetime:
        """When the members were told of the current deadline."""
        return self.extended_at or self.opened_at

    @property
    def codes(self) -> str:
        return ", ".join(v.code for v in self.lines)


@dataclass(frozen=True)
class CallLetter:
    """What one delegation's members read about a call: the call, their delegation's
    standing, and its live pledges on the called lines (restricted ones too: they are
    its own)."""

    call: CallView
    delegation: str
    delegation_name: str
    pledges: tuple[PledgeView, ...] = ()


@dataclass(frozen=True)
class Home:
    """What the App Home tab shows one user: the first few of each list, with the
    list's full count."""

    actor: Actor
    pledges: tuple[PledgeView, ...] = ()
    questions: tuple[QuestionView, ...] = ()
    top_gaps: tuple[RequirementView, ...] = ()
    unanswered: tuple[QuestionView, ...] = ()
    critical_shortfalls: tuple[RequirementView, ...] = ()
    pledge_count: int = 0  # live pledges of the viewer's delegation
    question_count: int = 0  # open questions of the viewer's delegation
    unanswered_count: int = 0  # open questions of everyone (coordinators)
    gap_count: int = 0  # requirements that firm pledges do not fill yet
    calls: tuple[CallView, ...] = ()  # open calls for contributions, nearest deadline first


# --- ordering and roll-ups: the same in every view ---------------------------------


def gap_order(v: RequirementView) -> tuple[Any, ...]:
    """Worst first: critical shortfalls, then by rating, priority and fill."""
    c = v.coverage
    rating_rank = {Rating.RED: 0, Rating.AMBER: 1, Rating.GREEN: 2}[c.rating]
    priority_rank = list(Priority).index(v.priority)
    return (not c.is_critical_shortfall, rating_rank, priority_rank, c.fill, v.code)


def gaps_first(views: Iterable[RequirementView]) -> list[RequirementView]:
    """The requirements firm pledges do not fill yet, worst first."""
    return sorted((v for v in views if not v.coverage.filled), key=gap_order)


def status_report(
    objectives: Sequence[ObjectiveView], views: Sequence[RequirementView]
) -> StatusReport:
    """Coverage per objective and over all of them, from the requirement views."""
    parts = tuple(
        ObjectiveStatus(
            objective=o,
            rollup=Rollup(tuple(v.coverage for v in views if v.objective == o.code)),
            requirements=tuple(v for v in views if v.objective == o.code),
        )
        for o in objectives
    )
    overall = Rollup(tuple(c for part in parts for c in part.rollup.lines))
    return StatusReport(objectives=parts, overall=overall)
