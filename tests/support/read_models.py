"""Read models built by hand, as the services would return them, for tests that need
no database: the domain rules over them, and the Block Kit rendered from them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from bot.domain.model import (
    ConditionKind,
    Coverage,
    PledgeStatus,
    Priority,
    QuestionStatus,
    classify_condition,
)
from bot.domain.read_models import (
    Actor,
    Home,
    ObjectiveView,
    PledgeView,
    QuestionView,
    RequirementView,
    gaps_first,
    status_report,
)
from bot.services.digests import ChangeLine, Changes, Digest, Hinge
from tests.support.clock import START

OBJECTIVES = {
    "SKY": "Safe skies",
    "SEA": "Secure sea lanes",
    "LAND": "Peace on land",
    "UAF": "Strengthening the host nation's forces",
}


def actor(
    user: str = "UVAL1",
    *,
    coordinator: bool = False,
    delegation: str | None = None,
    delegation_id: int | None = None,
    name: str | None = None,
) -> Actor:
    """A caller. A delegation code without an id gets id 1, and the reverse."""
    if delegation is not None and delegation_id is None:
        delegation_id = 1
    if delegation_id is not None and delegation is None:
        delegation = f"D{delegation_id}"
    return Actor(
        user_id=user,
        is_coordinator=coordinator,
        delegation_code=delegation,
        delegation_name=name or (delegation.title() if delegation else None),
        delegation_id=delegation_id,
    )


def coordinator(user: str = "UCOORD", **kwargs: object) -> Actor:
    return actor(user, coordinator=True, **kwargs)  # type: ignore[arg-type]


def objective(code: str, name: str | None = None, leads: Sequence[str] = ()) -> ObjectiveView:
    return ObjectiveView(
        code=code, name=name or OBJECTIVES.get(code, code), lead_delegations=tuple(leads)
    )


def objectives(*codes: str) -> tuple[ObjectiveView, ...]:
    return tuple(objective(code) for code in (codes or tuple(OBJECTIVES)))


def requirement(
    code: str = "SKY-1",
    *,
    quantity: int = 6,
    firm: int = 0,
    pending: int = 0,
    conditional: int = 0,
    priority: Priority = Priority.ESSENTIAL,
    enabler: bool = False,
    unit: str = "units",
    title: str | None = None,
    needed_by: date | None = None,
    version: int = 1,
) -> RequirementView:
    """A requirement with the coverage its firm, pending and conditional quantities
    give; it is critical, as the services count it, when its priority is critical or it
    is an enabler."""
    return RequirementView(
        code=code,
        objective=code.split("-")[0],
        title=title or f"Requirement {code}",
        quantity=quantity,
        unit=unit,
        priority=priority,
        enabler=enabler,
        needed_by=needed_by,
        notes="",
        version=version,
        coverage=Coverage(
            required=quantity,
            firm=firm,
            pending=pending,
            conditional=conditional,
            critical=priority == Priority.CRITICAL or enabler,
        ),
    )


def pledge(
    ref: str = "P-1",
    requirement: str = "SKY-1",
    *,
    delegation: str = "VAL",
    quantity: int = 1,
    unit: str = "units",
    status: PledgeStatus = PledgeStatus.OFFERED,
    condition: str = "",
    caveats: str = "",
    restricted: bool = False,
    available_from: date | None = None,
    withdrawn_reason: str = "",
) -> PledgeView:
    return PledgeView(
        ref=ref,
        requirement=requirement,
        unit=unit,
        delegation=delegation,
        delegation_name=delegation.title(),
        quantity=quantity,
        status=status,
        condition=condition,
        condition_kind=classify_condition(condition),
        caveats=caveats,
        available_from=available_from,
        restricted=restricted,
        withdrawn_reason=withdrawn_reason,
        version=1,
        updated_at=START,
    )


def question(
    ref: str = "Q-1",
    text: str = "Who provides air cover?",
    *,
    delegation: str | None = None,
    asked_at: datetime = START,
    status: QuestionStatus = QuestionStatus.OPEN,
    about: str | None = None,
    answer: str = "",
) -> QuestionView:
    return QuestionView(
        ref=ref,
        delegation=delegation,
        asker=None,
        text=text,
        about=about,
        status=status,
        answer=answer,
        answered_by="UCOORD" if answer else "",
        asked_at=asked_at,
        answered_at=asked_at + timedelta(hours=1) if answer else None,
    )


def change(
    ref: str, requirement: str, *, before: int | None, after: int | None, delegation: str = "VAL"
) -> ChangeLine:
    return ChangeLine(
        ref=ref,
        delegation=delegation,
        requirement=requirement,
        unit="units",
        before=before,
        after=after,
    )


def digest(
    views: Sequence[RequirementView] = (),
    *,
    generated_at: datetime = START + timedelta(days=4, hours=7),  # Friday 15:00 UTC
    since: datetime = START,
    full_view: bool = False,
    changes: Changes | None = None,
    hinges: Sequence[Hinge] = (),
    open_questions: Sequence[QuestionView] = (),
    silent: Sequence[tuple[str, str]] = (),
    top: int = 5,
    zone: str = "UTC",
) -> Digest:
    """A digest over these requirements, split into shortfalls and top gaps as the
    digest service splits them."""
    gaps = gaps_first(views)
    return Digest(
        generated_at=generated_at,
        since=since,
        full_view=full_view,
        report=status_report(objectives(), views),
        shortfalls=tuple(v for v in gaps if v.coverage.is_critical_shortfall),
        top_gaps=tuple(v for v in gaps if not v.coverage.is_critical_shortfall)[:top],
        changes=changes or Changes(),
        hinges=tuple(hinges),
        open_questions=tuple(open_questions),
        silent=tuple(silent),
        zone=zone,
    )


def hinge(kind: ConditionKind, *amounts: tuple[str, int, str]) -> Hinge:
    return Hinge(kind=kind, amounts=tuple(amounts))


def home(who: Actor, **parts: Sequence[object]) -> Home:
    """A Home whose lists are complete: each count is its list's length."""
    lists = {name: tuple(value) for name, value in parts.items()}
    counts = {
        count: len(lists.get(name, ()))
        for name, count in (
            ("pledges", "pledge_count"),
            ("questions", "question_count"),
            ("unanswered", "unanswered_count"),
        )
    }
    counts["gap_count"] = len(lists.get("top_gaps", ()))
    return Home(actor=who, **lists, **counts)  # type: ignore[arg-type]


# Three lines in three states, for rendering tests: half filled, a critical line
# with only conditional offers, and a filled one.
SAMPLE_VIEWS = [
    requirement("SKY-1", quantity=6, firm=3, unit="batteries", title="Air defence"),
    requirement(
        "SKY-2",
        quantity=4,
        conditional=2,
        unit="aircraft",
        title="Tankers",
        priority=Priority.CRITICAL,
    ),
    requirement("LAND-1", quantity=2, firm=2, unit="battlegroups", title="Battlegroups"),
]
