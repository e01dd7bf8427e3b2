"""Rows in, read models out: the lookups every service shares (an unknown code
is a ``NotFound`` with a hint) and the mapping of rows to read models."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from sqlmodel import Session

from bot.domain import access, wording
from bot.domain.errors import BadInput, NotFound
from bot.domain.model import (
    ConditionKind,
    PledgeFigure,
    PledgeStatus,
    Priority,
    QuestionStatus,
    requirement_coverage,
)
from bot.domain.read_models import (
    Actor,
    ObjectiveView,
    Page,
    PledgeView,
    QuestionView,
    RequirementView,
)
from storage import queries as q
from storage.models import Delegation, Event, Objective, Pledge, Question, Requirement

REQUIREMENT_CODE = re.compile(r"^[A-Z]{2,8}-\d{1,4}$")
DELEGATION_CODE = re.compile(r"^[A-Z]{2,6}$")


def pledge_ref(pledge_id: int | None) -> str:
    return f"P-{pledge_id}"


def question_ref(question_id: int | None) -> str:
    return f"Q-{question_id}"


def split_ref(ref: str) -> tuple[str, int]:
    """("P", 3) for P-3, ("Q", 2) for Q-2, ("C", 1) for C-1, ("R", 0) for a requirement code."""
    match = re.fullmatch(r"([PQC])-?(\d{1,9})", ref)
    if match:
        return match.group(1), int(match.group(2))
    if REQUIREMENT_CODE.match(ref):
        return "R", 0
    raise BadInput(
        f"{ref} is not a pledge (P-3), question (Q-2), call (C-1) or requirement (SKY-1)."
    )


def checked_page(page: Page, total: int, what: str) -> Page:
    """``page`` with the list's count, or BadInput when it lies past the end."""
    numbered = page.counted(total)
    if page.number > numbered.pages:
        pages = wording.counted(numbered.pages, "page")
        raise BadInput(f"There is no page {page.number:,}: {what} fit on {pages}.")
    return numbered


def row_id(value: int | None) -> int:
    """The id of a row that has been flushed; a row without one is a bug here."""
    if value is None:
        raise RuntimeError("a row was used before it was flushed")
    return value


# --- lookups ------------------------------------------------------------------------


def objective(s: Session, code: str, *, for_update: bool = False) -> Objective:
    found = q.get_objective(s, code, for_update=for_update)
    if found is None:
        known = ", ".join(o.code for o in q.list_objectives(s))
        raise NotFound(f"Unknown objective {code.upper()}.", f"Objectives are {known}.")
    return found


def delegation(s: Session, code: str) -> Delegation:
    found = q.get_delegation(s, code)
    if found is None:
        raise NotFound(
            f"Unknown delegation {code.upper()}.", "Try `/muster delegations` to see them all."
        )
    return found


def requirement(s: Session, code: str, *, for_update: bool = False) -> Requirement:
    found = q.get_requirement(s, code, for_update=for_update)
    if found is None:
        objective_code = code.upper().split("-")[0]
        hint = f"Try `/muster requirements {objective_code}`." if objective_code else ""
        raise NotFound(f"Unknown requirement {code.upper()}.", hint)
    return found


def question(s: Session, question_id: int, *, for_update: bool = False) -> Question:
    found = q.get_question(s, question_id, for_update=for_update)
    if found is None:
        raise NotFound(f"No question {question_ref(question_id)}.", "Try `/muster questions all`.")
    return found


# --- read models ----------------------------------------------------------------------


def objective_view(o: Objective) -> ObjectiveView:
    leads = tuple(code for code in o.lead_delegations.split(",") if code)
    return ObjectiveView(o.code, o.name, leads)


def objective_views(s: Session) -> list[ObjectiveView]:
    return [objective_view(o) for o in q.list_objectives(s)]


def requirement_view(
    r: Requirement, objective_code: str, figures: Iterable[PledgeFigure]
) -> RequirementView:
    coverage = requirement_coverage(
        r.quantity,
        figures,
        critical=r.priority == Priority.CRITICAL or r.enabler,
    )
    return RequirementView(
        code=r.code,
        objective=objective_code,
        title=r.title,
        quantity=r.quantity,
        unit=r.unit,
        priority=Priority(r.priority),
        enabler=r.enabler,
        needed_by=r.needed_by,
        notes=r.notes,
        version=r.version,
        coverage=coverage,
    )


def all_requirement_views(s: Session, objective_code: str | None = None) -> list[RequirementView]:
    """Every requirement (of one objective, if given) with its coverage."""
    objective_id = objective(s, objective_code).id if objective_code else None
    rows = q.list_requirements(s, objective_id)
    ids = [row_id(r.id) for r, _ in rows] if objective_id is not None else None
    figures = _figures_by_requirement(q.pledge_figures(s, ids))
    return [requirement_view(r, o.code, figures.get(row_id(r.id), [])) for r, o in rows]


def catalogue_views(s: Session) -> tuple[list[ObjectiveView], list[RequirementView]]:
    """Every objective, and every requirement with its coverage: two statements."""
    objectives, rows = q.catalogue(s)
    figures = _figures_by_requirement(q.pledge_figures(s, None))
    views = [requirement_view(r, o.code, figures.get(row_id(r.id), [])) for r, o in rows]
    return [objective_view(o) for o in objectives], views


def requirement_views(s: Session, requirements: Sequence[Requirement]) -> list[RequirementView]:
    """A few requirements with their coverage."""
    figures = _figures_by_requirement(q.pledge_figures(s, [row_id(r.id) for r in requirements]))
    return [
        requirement_view(r, objective_of(s, r).code, figures.get(row_id(r.id), []))
        for r in requirements
    ]


def requirement_views_with(
    s: Session, rows: Sequence[tuple[Requirement, Objective]]
) -> list[RequirementView]:
    """These requirements, each with its objective at hand, with their coverage: one
    statement, however many."""
    if not rows:
        return []
    figures = _figures_by_requirement(q.pledge_figures(s, {row_id(r.id) for r, _o in rows}))
    return [requirement_view(r, o.code, figures.get(row_id(r.id), [])) for r, o in rows]


def requirement_view_now(s: Session, r: Requirement, objective_code: str) -> RequirementView:
    """One requirement with its coverage as it stands in this transaction."""
    figures = _figures_by_requirement(q.pledge_figures(s, [row_id(r.id)]))
    return requirement_view(r, objective_code, figures.get(row_id(r.id), []))


def objective_of(s: Session, r: Requirement) -> Objective:
    found = s.get(Objective, r.objective_id)
    if found is None:
        raise RuntimeError(f"requirement {r.code} has no objective")
    return found


def _figures_by_requirement(
    rows: Iterable[tuple[int, Decimal, bool, bool]],
) -> dict[int, list[PledgeFigure]]:
    """Each row is the total of a requirement's live pledges, confirmed or not, with or
    without a condition: the coverage arithmetic sums them as it would the pledges.
    Offered stands for every live status short of confirmed (offered, indicated),
    which the arithmetic treats alike."""
    grouped: dict[int, list[PledgeFigure]] = defaultdict(list)
    for requirement_id, total, confirmed, conditional in rows:
        status = PledgeStatus.CONFIRMED if confirmed else PledgeStatus.OFFERED
        grouped[requirement_id].append(PledgeFigure(total, status, conditional=conditional))
    return grouped


def pledge_view(p: Pledge, d: Delegation, r: Requirement) -> PledgeView:
    return PledgeView(
        ref=pledge_ref(p.id),
        requirement=r.code,
        unit=r.unit,
        delegation=d.code,
        delegation_name=d.name,
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
        condition_kind_manual=p.condition_kind_manual,
        confirmed_at=p.confirmed_at,
        reconfirm_asked_at=p.reconfirm_asked_at,
        stale_since=p.stale_since,
    )


def may_see(actor: Actor, p: Pledge) -> bool:
    return access.may_see_pledge(actor, delegation_id=p.delegation_id, restricted=p.restricted)


def about_labels(s: Session) -> dict[tuple[str, int], str]:
    """What a question is about, by ("O", objective id) or ("R", requirement id)."""
    labels = {("O", row_id(o.id)): o.code for o in q.list_objectives(s)}
    labels.update({("R", row_id(r.id)): r.code for r, _ in q.list_requirements(s)})
    return labels


def question_view(
    actor: Actor, question: Question, delegation: Delegation, about: dict[tuple[str, int], str]
) -> QuestionView:
    attributed = access.may_know_asker(actor, question.delegation_id)
    label = None
    if question.requirement_id is not None:
        label = about.get(("R", question.requirement_id))
    elif question.objective_id is not None:
        label = about.get(("O", question.objective_id))
    return QuestionView(
        ref=question_ref(question.id),
        delegation=delegation.code if attributed else None,
        asker=question.asker if attributed else None,
        text=question.text,
        about=label,
        status=QuestionStatus(question.status),
        answer=question.answer,
        answered_by=question.answered_by,
        asked_at=question.created_at,
        answered_at=question.answered_at,
        announce_channel=question.announce_channel,
        announce_ts=question.announce_ts,
        duplicate_of=question_ref(question.duplicate_of) if question.duplicate_of else None,
        published_at=question.published_at,
    )


def question_view_of(s: Session, actor: Actor, question: Question) -> QuestionView:
    """One question's view: its own requirement or objective is read, not every label."""
    found = s.get(Delegation, question.delegation_id)
    if found is None:
        raise RuntimeError(f"question {question.id} has no delegation")
    about: dict[tuple[str, int], str] = {}
    if question.requirement_id is not None:
        req = s.get(Requirement, question.requirement_id)
        if req is not None:
            about[("R", question.requirement_id)] = req.code
    elif question.objective_id is not None:
        obj = s.get(Objective, question.objective_id)
        if obj is not None:
            about[("O", question.objective_id)] = obj.code
    return question_view(actor, question, found, about)


def hidden_pledge_refs(s: Session, actor: Actor, events: Sequence[Event]) -> set[str]:
    """Pledges in these events whose details this viewer may not see."""
    if actor.is_coordinator:
        return set()
    pledge_events = [e for e in events if e.entity == "pledge"]
    restricted_now = q.restricted_pledge_ids(s, (int(e.entity_ref[2:]) for e in pledge_events))
    return access.hidden_pledges(
        actor,
        ((e.entity_ref, e.delegation_id, e.restricted) for e in pledge_events),
        restricted_now,
    )
