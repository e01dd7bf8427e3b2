"""Objectives and the requirement lines of the statement of requirements."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.domain.errors import BadInput, Conflict
from bot.domain.model import Priority, quantity_problem
from bot.domain.read_models import ObjectiveView, RequirementView
from bot.domain.text import bounded
from bot.domain.wording import Number, tidy
from bot.services import loaders
from bot.services.base import Service
from bot.services.loaders import row_id
from storage import queries as q
from storage.models import Requirement


class Requirements(Service):
    # --- objectives ------------------------------------------------------------------

    def list_objectives(self, user_id: str) -> list[ObjectiveView]:
        with self.uow.read() as s:
            self.uow.registered(s, user_id)
            return loaders.objective_views(s)

    def edit_objective(
        self,
        user_id: str,
        code: str,
        *,
        name: str | None = None,
        leads: Sequence[str] | None = None,
    ) -> ObjectiveView:
        with self.uow.write() as s:
            actor = self.uow.coordinator(s, user_id, "edit objectives")
            objective = loaders.objective(s, code, for_update=True)
            before = {"name": objective.name, "lead_delegations": objective.lead_delegations}
            if name is not None:
                objective.name = bounded(name, "Objective name", 120)
            if leads is not None:
                if not leads:
                    raise BadInput("Name the lead delegations, e.g. `leads NM VAL`.")
                codes = [loaders.delegation(s, lead).code for lead in leads]
                objective.lead_delegations = ",".join(codes)
            s.add(objective)
            after = {"name": objective.name, "lead_delegations": objective.lead_delegations}
            self.uow.record(s, actor, "objective", objective.code, "updated", before, after)
            return loaders.objective_view(objective)

    # --- requirements ----------------------------------------------------------------

    def add_requirement(
        self,
        user_id: str,
        *,
        objective: str,
        quantity: Number,
        unit: str,
        title: str,
        priority: Priority = Priority.ESSENTIAL,
        enabler: bool = False,
        needed_by: date | None = None,
        notes: str = "",
    ) -> RequirementView:
        quantity = check_quantity(quantity)
        with self.uow.write() as s:
            actor = self.uow.coordinator(s, user_id, "add requirements")
            obj = loaders.objective(s, objective, for_update=True)
            seq = obj.next_requirement_seq
            obj.next_requirement_seq = seq + 1
            now = self.now()
            requirement = Requirement(
                code=f"{obj.code}-{seq}",
                objective_id=row_id(obj.id),
                seq=seq,
                title=bounded(title, "Title", 200),
                quantity=quantity,
                unit=bounded(unit, "Unit", 40),
                priority=priority,
                enabler=enabler,
                needed_by=needed_by,
                notes=bounded(notes, "Notes", 2000, allow_empty=True),
                created_at=now,
                updated_at=now,
            )
            s.add(obj)
            s.add(requirement)
            try:
                s.flush()
            except IntegrityError:
                raise Conflict(
                    "Another requirement was added at the same moment; try again."
                ) from None
            self.uow.record(
                s,
                actor,
                "requirement",
                requirement.code,
                "created",
                after=requirement_fields(requirement),
                requirement_code=requirement.code,
            )
            return loaders.requirement_view(requirement, obj.code, [])

    def edit_requirement(self, user_id: str, code: str, **changes: Any) -> RequirementView:
        with self.uow.write() as s:
            actor = self.uow.coordinator(s, user_id, "edit requirements")
            requirement = loaders.requirement(s, code, for_update=True)
            before = requirement_fields(requirement)
            if (
                "unit" in changes
                and changes["unit"] != requirement.unit
                and _has_live_pledges(s, requirement)
            ):
                raise Conflict(
                    f"{requirement.code} has live pledges counted in {requirement.unit}; "
                    "changing the unit would change what they mean."
                )
            for name, value in changes.items():
                setattr(requirement, name, _checked(name, value))
            after = requirement_fields(requirement)
            diff = {k: (before[k], after[k]) for k in after if before[k] != after[k]}
            if not diff:
                raise Conflict(f"{requirement.code} already reads that way; nothing changed.")
            requirement.version += 1
            requirement.updated_at = self.now()
            s.add(requirement)
            self.uow.record(
                s,
                actor,
                "requirement",
                requirement.code,
                "updated",
                {k: v[0] for k, v in diff.items()},
                {k: v[1] for k, v in diff.items()},
                requirement_code=requirement.code,
            )
            s.flush()
            return loaders.requirement_views(s, [requirement])[0]

    def list_requirements(
        self, user_id: str, objective: str | None = None
    ) -> list[RequirementView]:
        with self.uow.read() as s:
            self.uow.registered(s, user_id)
            return loaders.all_requirement_views(s, objective)

    def requirement_form(self, user_id: str) -> list[ObjectiveView]:
        """What the new-requirement form offers: the objectives."""
        with self.uow.read() as s:
            self.uow.coordinator(s, user_id, "add requirements")
            return loaders.objective_views(s)


def check_quantity(quantity: Number) -> Decimal:
    """``quantity`` as stored (a Decimal, never a float), or BadInput saying why not."""
    problem = quantity_problem(quantity)
    if problem:
        raise BadInput(problem, field="quantity")
    return Decimal(tidy(quantity))


def _checked(name: str, value: Any) -> Any:
    if name == "quantity":
        value = check_quantity(value)
    elif name in ("title", "unit"):
        value = bounded(value, name.title(), 200 if name == "title" else 40)
    elif name == "notes":
        value = bounded(value, "Notes", 2000, allow_empty=True)
    return value


def requirement_fields(r: Requirement) -> dict[str, Any]:
    return {
        "title": r.title,
        "quantity": r.quantity,
        "unit": r.unit,
        "priority": r.priority,
        "enabler": r.enabler,
        "needed_by": r.needed_by,
        "notes": r.notes,
    }


def _has_live_pledges(s: Session, requirement: Requirement) -> bool:
    return bool(q.pledge_figures(s, [row_id(requirement.id)]))  # live pledges only
