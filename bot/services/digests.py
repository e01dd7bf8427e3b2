"""What a digest and the gap alerts say, for one audience at one moment."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.domain import access
from bot.domain.model import ConditionKind, PledgeStatus, QuestionStatus
from bot.domain.read_models import (
    Actor,
    CallView,
    QuestionView,
    RequirementView,
    StatusReport,
    gaps_first,
    status_report,
)
from bot.domain.wording import amount, counted, figure
from bot.services import loaders
from bot.services.answer_notices import published_answers
from bot.services.base import Service
from bot.services.call_views import call_views
from bot.services.delegations import COORDINATORS_CHANNEL
from bot.services.reconfirmation import GoneStale, gone_stale
from bot.services.unit_of_work import UnitOfWork
from storage import calls as cq
from storage import digest_queries as dq
from storage import queries as q
from storage.models import Delegation

STALE_QUESTION = timedelta(days=7)
DEADLINE_HORIZON = timedelta(days=14)
# Lines a digest shows of each kind of change (new, raised, ...); the rest it counts.
# Only these are read: a week of 500 changes reads as few rows as a week of 50.
MAX_PER_CHANGE = 12


@dataclass(frozen=True)
class ChangeLine:
    ref: str
    delegation: str
    requirement: str
    unit: str
    before: Decimal | None
    after: Decimal | None


@dataclass(frozen=True)
class Changes:
    """The period's changes: of each kind the first lines, in the order they happened,
    and in ``counts`` how many there were in all (a kind missing there has every
    line shown)."""

    new: tuple[ChangeLine, ...] = ()
    raised: tuple[ChangeLine, ...] = ()
    reduced: tuple[ChangeLine, ...] = ()
    confirmed: tuple[ChangeLine, ...] = ()
    withdrawn: tuple[ChangeLine, ...] = ()
    reconfirmed: tuple[ChangeLine, ...] = ()
    asked: tuple[str, ...] = ()
    answered: tuple[str, ...] = ()
    undisclosed: int = 0  # changes to pledges this audience may not see
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str) -> int:
        """How many changes of ``kind`` (new, raised, …) there were, shown or not."""
        lines: tuple[ChangeLine, ...] = getattr(self, kind)
        return self.counts.get(kind, len(lines))

    @property
    def empty(self) -> bool:
        return not (
            any(self.count(kind) for kind in dq.KINDS)
            or self.asked
            or self.answered
            or self.undisclosed
        )


@dataclass(frozen=True)
class Hinge:
    """Conditional capacity that waits on one kind of condition."""

    kind: ConditionKind
    amounts: tuple[tuple[str, Decimal, str], ...]  # (requirement, quantity, unit)


@dataclass(frozen=True)
class Digest:
    generated_at: datetime
    since: datetime
    full_view: bool
    report: StatusReport
    shortfalls: tuple[RequirementView, ...]
    top_gaps: tuple[RequirementView, ...]
    changes: Changes
    hinges: tuple[Hinge, ...]
    open_questions: tuple[QuestionView, ...]
    silent: tuple[tuple[str, str], ...]  # (code, name) of delegations with nothing this period
    zone: str = "UTC"  # where its readers are, for its date
    published: tuple[QuestionView, ...] = ()  # answers shared with every delegation this period
    gone_stale: GoneStale = field(default_factory=GoneStale)  # firm capacity gone stale
    calls: tuple[CallView, ...] = ()  # open calls for contributions, with who is silent


@dataclass(frozen=True)
class Alert:
    rule: str
    subject: str
    state: str
    title: str
    lines: tuple[str, ...]
    requirement: RequirementView | None = None
    question: str | None = None

    @property
    def key(self) -> str:
        return f"alert:{self.rule}:{self.subject}:{self.state}"


class Digests(Service):
    def __init__(self, uow: UnitOfWork, timezone: str) -> None:
        super().__init__(uow)
        self.timezone = timezone  # the coalition's own, for dates and deadlines

    # --- content ----------------------------------------------------------------------

    def preview(self, user_id: str, now: datetime) -> Digest:
        """The digest of the last seven days as the caller's audience would read it."""
        with self.uow.read() as s:
            actor = self.uow.registered(s, user_id)
            return self._digest(s, now, now - timedelta(days=7), full_view=actor.is_coordinator)

    def digest_in(self, s: Session, now: datetime, since: datetime, *, full_view: bool) -> Digest:
        """The digest read in the caller's transaction: the written report reads it in
        the one snapshot it reads everything else in."""
        return self._digest(s, now, since, full_view=full_view)

    def audience_is_coordinators(self, channel: str) -> bool:
        with self.uow.read() as s:
            return q.get_setting(s, COORDINATORS_CHANNEL) == channel

    def digest(
        self,
        now: datetime,
        since: datetime,
        *,
        full_view: bool,
        top: int = 5,
        zone: str | None = None,
    ) -> Digest:
        with self.uow.read() as s:
            return self._digest(s, now, since, full_view=full_view, top=top, zone=zone)

    def _digest(
        self,
        s: Session,
        now: datetime,
        since: datetime,
        *,
        full_view: bool,
        top: int = 5,
        zone: str | None = None,
    ) -> Digest:
        viewer = audience(full_view)
        views = loaders.all_requirement_views(s)
        gaps = gaps_first(views)
        units = {v.code: v.unit for v in views}
        delegations = q.list_delegations(s)
        period = _period(viewer, since, now)
        sums = dq.change_sums(s, period)
        questions = dq.question_events(s, since, now, ("asked", "answered"))
        return Digest(
            generated_at=now,
            since=since,
            full_view=full_view,
            report=status_report(loaders.objective_views(s), views),
            shortfalls=tuple(v for v in gaps if v.coverage.is_critical_shortfall),
            top_gaps=tuple(v for v in gaps if not v.coverage.is_critical_shortfall)[:top],
            changes=_changes(s, period, sums, questions, units, delegations),
            hinges=_hinges(s, viewer, units),
            open_questions=_open_questions(s, viewer),
            silent=_silent(viewer, sums, questions, delegations),
            zone=zone or self.timezone,
            published=published_answers(s, full_view, since, now),
            gone_stale=gone_stale(s, viewer, since, now),
            calls=tuple(call_views(s, viewer, cq.open_calls(s))),
        )

    def alerts(self, now: datetime, since: datetime, *, full_view: bool) -> list[Alert]:
        """Every alert condition that holds now, and the gap openings since ``since``."""
        viewer = audience(full_view)
        with self.uow.read() as s:
            views = {v.code: v for v in loaders.all_requirement_views(s)}
            found: list[Alert] = []
            for v in views.values():
                if v.coverage.is_critical_shortfall:
                    found.append(
                        Alert(
                            "critical_red",
                            v.code,
                            "red",
                            f"{v.code} is a critical shortfall",
                            (
                                f"{v.title}: firm {figure(v.coverage.firm)} of "
                                f"{amount(v.coverage.required, v.unit)}.",
                            ),
                            v,
                        )
                    )
                if (
                    v.needed_by
                    and not v.coverage.filled
                    and timedelta(0)
                    <= _days_until(v.needed_by, now, self.timezone)
                    <= DEADLINE_HORIZON
                ):
                    found.append(
                        Alert(
                            "deadline_near",
                            v.code,
                            v.needed_by.isoformat(),
                            f"{v.code} is needed by {v.needed_by.isoformat()} and still short",
                            (
                                f"{v.title}: firm {figure(v.coverage.firm)} of "
                                f"{amount(v.coverage.required, v.unit)}.",
                            ),
                            v,
                        )
                    )
            for question in _open_questions(s, viewer):
                if now - question.asked_at >= STALE_QUESTION:
                    days = (now - question.asked_at).days
                    found.append(
                        Alert(
                            "question_stale",
                            question.ref,
                            "open",
                            f"{question.ref} has waited {counted(days, 'day')} for an answer",
                            (question.text,),
                            question=question.ref,
                        )
                    )
            found.extend(_gap_openings(s, _period(viewer, since, now), views))
            return found


def audience(full_view: bool) -> Actor:
    """Who reads a post: the coordinators' channel sees everything, any other channel
    what every delegation may see."""
    return access.SYSTEM if full_view else access.CHANNEL_AUDIENCE


# --- helpers ---------------------------------------------------------------------------


def _days_until(day: date, now: datetime, zone: str) -> timedelta:
    """Whole days from today to ``day``, both in the coalition's time zone."""
    return timedelta(days=(day - now.astimezone(ZoneInfo(zone)).date()).days)


def _period(viewer: Actor, since: datetime, until: datetime) -> dq.Period:
    return dq.Period(
        since,
        until,
        full_view=viewer.is_coordinator,
        delegation_id=viewer.delegation_id,
        confirmed=PledgeStatus.CONFIRMED,
    )


def _changes(
    s: Session,
    period: dq.Period,
    sums: list[dq.DelegationSums],
    questions: list[tuple[str, str, int | None]],
    units: dict[str, str],
    delegations: Sequence[Delegation],
) -> Changes:
    """The counts of each kind of change, summed in the database, and the first
    MAX_PER_CHANGE lines of each: all the digest shows."""
    codes = {d.id: d.code for d in delegations}
    lines: dict[str, list[ChangeLine]] = defaultdict(list)
    for row in dq.first_changes(s, period, MAX_PER_CHANGE):
        lines[row.kind].append(
            ChangeLine(
                row.ref,
                codes.get(row.delegation_id, "?"),
                row.requirement_code,
                units.get(row.requirement_code, ""),
                row.before,
                row.after,
            )
        )
    return Changes(
        **{kind: tuple(found) for kind, found in lines.items()},
        asked=tuple(ref for ref, action, _d in questions if action == "asked"),
        answered=tuple(ref for ref, action, _d in questions if action == "answered"),
        undisclosed=sum(row.undisclosed for row in sums),
        counts={kind: sum(row.kinds[kind] for row in sums) for kind in dq.KINDS},
    )


def _hinges(s: Session, viewer: Actor, units: dict[str, str]) -> tuple[Hinge, ...]:
    """Conditional capacity by condition. A restricted pledge's condition is one of its
    details, so outside the coordinators' view it is left out here (it still counts as
    conditional in the coverage figures). Summed in the database by the class each
    pledge was given when its condition was last set (the class the pledge lists
    show), not by classifying every condition again."""
    totals: dict[ConditionKind, dict[str, Decimal]] = defaultdict(dict)
    sums = dq.conditional_sums(
        s, withdrawn=PledgeStatus.WITHDRAWN, with_restricted=viewer.is_coordinator
    )
    for kind, code, quantity in sums:
        totals[ConditionKind(kind)][code] = quantity
    order = list(ConditionKind)
    return tuple(
        Hinge(kind, tuple((code, qty, units.get(code, "")) for code, qty in sorted(per.items())))
        for kind, per in sorted(totals.items(), key=lambda kv: order.index(kv[0]))
    )


def _open_questions(s: Session, viewer: Actor) -> tuple[QuestionView, ...]:
    about = loaders.about_labels(s)
    rows = q.list_questions(s, statuses=[QuestionStatus.OPEN])
    return tuple(
        sorted(
            (loaders.question_view(viewer, qu, d, about) for qu, d in rows),
            key=lambda v: v.asked_at,
        )
    )


def _silent(
    viewer: Actor,
    sums: list[dq.DelegationSums],
    questions: list[tuple[str, str, int | None]],
    delegations: Sequence[Delegation],
) -> tuple[tuple[str, str], ...]:
    active = {row.delegation_id for row in sums if row.shown}
    # Who asked is not for every audience either: only the coordinators count questions.
    if viewer.is_coordinator:
        active |= {d for _ref, action, d in questions if action == "asked"}
    return tuple((d.code, d.name) for d in delegations if d.id not in active)


def _gap_openings(s: Session, period: dq.Period, views: dict[str, RequirementView]) -> list[Alert]:
    codes = {d.id: d.code for d in q.list_delegations(s)}
    found = []
    for e in dq.gap_openings(s, period):
        view = views.get(e.requirement_code)
        if view is None or view.coverage.filled:
            continue
        who = (
            "An undisclosed pledge" if e.hidden else f"{e.ref} ({codes.get(e.delegation_id, '?')})"
        )
        if e.action == dq.WITHDRAWN:
            what = "was withdrawn"
        elif e.hidden:  # the figures of an undisclosed pledge are its details
            what = "was reduced"
        else:
            what = f"was reduced from {figure(e.before or 0)} to {amount(e.after or 0, view.unit)}"
        found.append(
            Alert(
                "gap_opened",
                f"{e.ref}#{e.event_id}",
                "opened",
                f"{who} {what} on {view.code}",
                (
                    f"{view.title}: firm now {figure(view.coverage.firm)} of "
                    f"{amount(view.coverage.required, view.unit)}.",
                ),
                view,
            )
        )
    return found
