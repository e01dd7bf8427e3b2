"""The co-chairs' written report as plain data, read once and rendered twice (DOCX for
staff to edit in Word, Markdown): every figure in it comes from the services every
reply uses, with the edition's visibility already applied, so no renderer can show
more than its edition may or count anything a second way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from bot.domain import access
from bot.domain.calls import Tally
from bot.domain.model import ConditionKind
from bot.domain.read_models import Actor, PledgeView, QuestionView, RequirementView, StatusReport
from bot.services.digests import Changes


class Edition(StrEnum):
    """Who a report is for. The coalition's is releasable to every delegation:
    restricted pledges appear only inside totals. The coordinators' holds everything."""

    COALITION = "coalition"
    COORDINATORS = "coordinators"


EDITIONS = tuple(e.value for e in Edition)


def check_edition(actor: Actor, edition: Edition) -> Actor:
    """Anyone registered may have the coalition's edition; only coordinators theirs."""
    if edition == Edition.COORDINATORS:
        return access.require_coordinator(actor, "have the coordinators' edition of the report")
    return access.require_registered(actor)


@dataclass(frozen=True)
class ConditionCapacity:
    """Conditional capacity that waits on one class of condition, per line:
    (requirement, quantity, unit). ``kind`` None is the conditional capacity of
    restricted pledges, whose conditions the coalition's edition does not disclose:
    with it the classes add up to each line's conditional figure."""

    kind: ConditionKind | None
    amounts: tuple[tuple[str, Decimal, str], ...]


@dataclass(frozen=True)
class NilReturn:
    """A delegation's written "nothing to offer" in answer to a call."""

    about: str  # the call it answers, with what the call named: "C-3 (SKY LAND-2)"
    at: datetime | None
    reason: str


@dataclass(frozen=True)
class OpenCall:
    """A call for contributions still open, and where the delegations stand on it."""

    ref: str  # C-3
    lines: tuple[str, ...]  # the requirement codes called
    due: datetime
    tally: Tally  # responded (nil returns counted), nil returns, the silent by code


@dataclass(frozen=True)
class AnnexLine:
    """A delegation's live pledges on one line, summed with the coverage rules."""

    requirement: str
    unit: str
    pledges: int
    firm: Decimal
    pending: Decimal
    conditional: Decimal


@dataclass(frozen=True)
class DelegationAnnex:
    """One delegation's live pledges as the edition may show them (each one up to the
    report's limit, per line above it) and its nil returns."""

    code: str
    name: str
    pledge_count: int  # live pledges this edition may show
    pledges: tuple[PledgeView, ...]  # each of them, or none when listed by line
    lines: tuple[AnnexLine, ...]  # per line, when there are more than the limit
    nil_returns: tuple[NilReturn, ...]

    @property
    def by_line(self) -> bool:
        return bool(self.lines)


@dataclass(frozen=True)
class WrittenReport:
    edition: Edition
    coalition: str  # the coalition's name (MUSTER_COALITION_NAME), or empty
    as_of: datetime  # the moment it describes: ages and the change window end here
    zone: str  # where its readers are (MUSTER_TIMEZONE)
    marking: str  # MUSTER_MARKING, on every page; empty for none
    previous: datetime | None  # the as-of of the last report issued in this edition
    since: datetime  # the changes are those after this (the previous report, or 7 days)
    status: StatusReport
    shortfalls: tuple[RequirementView, ...]  # critical shortfalls, worst first
    changes: Changes
    silent: tuple[tuple[str, str], ...]  # (code, name): nothing heard since ``since``
    calls: tuple[OpenCall, ...]
    decisions: tuple[QuestionView, ...]  # open questions that hold up a line with a gap
    capacity: tuple[ConditionCapacity, ...]
    open_questions: tuple[QuestionView, ...]  # oldest first
    published: tuple[QuestionView, ...]  # every answer shared with all, in that order
    annexes: tuple[DelegationAnnex, ...]
    annex_limit: int  # a delegation with more live pledges is listed by line

    @property
    def shows_nil_returns(self) -> bool:
        """How a delegation answered a call is for the coordinators (and itself)."""
        return self.full

    @property
    def full(self) -> bool:
        return self.edition == Edition.COORDINATORS
