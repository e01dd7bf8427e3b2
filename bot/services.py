"""The domain services. Each public method is one transaction: it resolves the
caller, checks their role, applies the rule, writes the audit event and returns
read models with visibility applied. Nothing here knows about Slack."""

from __future__ import annotations

import copy
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.clock import Clock
from bot.domain import (
    LIVE_STATUSES,
    ConditionKind,
    PledgeFigure,
    PledgeStatus,
    Posture,
    Priority,
    QuestionStatus,
    Rating,
    Rollup,
    check_condition,
    check_status_move,
    classify_condition,
    quantity_problem,
    requirement_coverage,
)
from bot.errors import AlreadyApplied, BadInput, Conflict, NotFound, PermissionDenied
from bot.text import bounded, slack_id
from bot.views import (
    Actor,
    DelegationView,
    History,
    HistoryEntry,
    Home,
    ObjectiveStatus,
    ObjectiveView,
    PledgeList,
    PledgeResult,
    PledgeView,
    QuestionView,
    RequirementView,
    StatusReport,
)
from storage import queries as q
from storage.db import read_session, write_session
from storage.models import (
    Coordinator,
    Delegation,
    Event,
    Member,
    Objective,
    Pledge,
    Question,
    Requirement,
)

REQUIREMENT_CODE = re.compile(r"^[A-Z]{2,8}-\d{1,4}$")
DELEGATION_CODE = re.compile(r"^[A-Z]{2,6}$")

COORDINATORS_CHANNEL = "coordinators_channel"
SYSTEM = Actor(user_id="muster", is_coordinator=True)
OPERATOR = "UOPERATOR"  # the command line acts as a coordinator of this name
NOT_REGISTERED = (
    "You are not registered with Muster yet. Ask a coordinator to add you to your "
    "delegation (`/muster delegation member <CODE> @you`)."
)


def pledge_ref(pledge_id: int | None) -> str:
    return f"P-{pledge_id}"


def question_ref(question_id: int | None) -> str:
    return f"Q-{question_id}"


@dataclass(frozen=True)
class PledgeChange:
    """Fields a delegation may change on its pledge; None leaves a field as it is."""

    quantity: int | None = None
    status: PledgeStatus | None = None
    condition: str | None = None  # "" lifts the condition
    caveats: str | None = None
    available_from: date | None = None
    restricted: bool | None = None

    @property
    def is_empty(self) -> bool:
        return all(v is None for v in vars(self).values())


class Muster:
    """The services, shared by every thread: they hold adapters, not request state,
    except the delivery key of a copy made with ``for_delivery``."""

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Clock,
        coordinators: Iterable[str] = (),
        timezone: str = "Europe/Brussels",
    ):
        self.engine = engine
        self.timezone = timezone  # the coalition's own, for schedules
        self.bootstrap_coordinators = frozenset(u.upper() for u in coordinators)
        self.clock = clock
        self.delivery_key: str | None = None

    def for_delivery(self, key: str | None) -> Muster:
        """A view of the services whose next change is recorded under ``key``, so a
        retried delivery of the same request is refused instead of applied twice."""
        bound = copy.copy(self)
        bound.delivery_key = key
        return bound

    def __deepcopy__(self, memo: dict[int, Any]) -> Muster:
        # Bolt deep-copies the request context for lazy listeners; the services
        # (engine, pool) are shared, never duplicated.
        return self

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with write_session(self.engine) as s:
            if self.delivery_key is not None:
                try:
                    q.claim_delivery(s, self.delivery_key, self.clock())
                except IntegrityError:
                    raise AlreadyApplied(
                        "This request reached Muster twice; it was applied once."
                    ) from None
                self.delivery_key = None  # one change per delivery
            yield s

    # --- who is asking ----------------------------------------------------------

    def _actor(self, s: Session, user_id: str) -> Actor:
        is_coordinator = (
            user_id in self.bootstrap_coordinators or q.get_coordinator(s, user_id) is not None
        )
        membership = q.get_membership(s, user_id)
        if membership is None:
            return Actor(user_id=user_id, is_coordinator=is_coordinator)
        _member, delegation = membership
        return Actor(
            user_id=user_id,
            is_coordinator=is_coordinator,
            delegation_code=delegation.code,
            delegation_name=delegation.name,
            delegation_id=delegation.id,
        )

    def _registered(self, s: Session, user_id: str) -> Actor:
        actor = self._actor(s, user_id)
        if not actor.is_registered:
            raise PermissionDenied(NOT_REGISTERED)
        return actor

    def _coordinator(self, s: Session, user_id: str, doing: str) -> Actor:
        actor = self._registered(s, user_id)
        if not actor.is_coordinator:
            raise PermissionDenied(f"Only coordinators can {doing}.")
        return actor

    def _delegate(self, s: Session, user_id: str, doing: str) -> Actor:
        actor = self._registered(s, user_id)
        if actor.delegation_id is None:
            raise PermissionDenied(
                f"Only members of a delegation can {doing}; you are not in one. "
                "A coordinator can add you with `/muster delegation member <CODE> @you`."
            )
        return actor

    def require_registered(self, user_id: str) -> Actor:
        with read_session(self.engine) as s:
            return self._registered(s, user_id)

    def remember(self, user_id: str) -> bool:
        """True the first time Muster answers this user."""
        with read_session(self.engine) as s:
            if q.is_known_user(s, user_id):
                return False
        try:
            with write_session(self.engine) as s:
                return q.remember_user(s, user_id, self.clock())
        except IntegrityError:  # the same user's other command got there first
            return False

    # --- audit --------------------------------------------------------------------

    def _record(
        self,
        s: Session,
        actor: Actor,
        entity: str,
        ref: str,
        action: str,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        **extra: Any,
    ) -> None:
        q.add_event(
            s,
            at=self.clock(),
            actor=actor.user_id,
            entity=entity,
            entity_ref=ref,
            action=action,
            before=_jsonable(before or {}),
            after=_jsonable(after or {}),
            **extra,
        )

    # --- objectives ------------------------------------------------------------

    def _objective(self, s: Session, code: str, *, for_update: bool = False) -> Objective:
        objective = q.get_objective(s, code, for_update=for_update)
        if objective is None:
            known = ", ".join(o.code for o in q.list_objectives(s))
            raise NotFound(f"Unknown objective {code.upper()}.", f"Objectives are {known}.")
        return objective

    def list_objectives(self, user_id: str) -> list[ObjectiveView]:
        with read_session(self.engine) as s:
            self._registered(s, user_id)
            return [objective_view(o) for o in q.list_objectives(s)]

    def edit_objective(
        self,
        user_id: str,
        code: str,
        *,
        name: str | None = None,
        leads: Sequence[str] | None = None,
    ) -> ObjectiveView:
        with self._write() as s:
            actor = self._coordinator(s, user_id, "edit objectives")
            objective = self._objective(s, code, for_update=True)
            before = {"name": objective.name, "lead_delegations": objective.lead_delegations}
            if name is not None:
                objective.name = bounded(name, "Objective name", 120)
            if leads is not None:
                if not leads:
                    raise BadInput("Name the lead delegations, e.g. `leads NM VAL`.")
                codes = [self._delegation(s, lead).code for lead in leads]
                objective.lead_delegations = ",".join(codes)
            s.add(objective)
            after = {"name": objective.name, "lead_delegations": objective.lead_delegations}
            self._record(s, actor, "objective", objective.code, "updated", before, after)
            return objective_view(objective)

    # --- delegations and coordinators ----------------------------------------------

    def _delegation(self, s: Session, code: str) -> Delegation:
        delegation = q.get_delegation(s, code)
        if delegation is None:
            raise NotFound(
                f"Unknown delegation {code.upper()}.", "Try `/muster delegations` to see them all."
            )
        return delegation

    def add_delegation(self, user_id: str, code: str, name: str) -> DelegationView:
        code = code.upper()
        if not DELEGATION_CODE.match(code):
            raise BadInput(f"Delegation codes are 2 to 6 letters, not {code!r}.")
        with self._write() as s:
            actor = self._coordinator(s, user_id, "add delegations")
            exists = Conflict(f"Delegation {code} already exists.")
            if q.get_delegation(s, code) is not None:
                raise exists
            delegation = Delegation(
                code=code, name=bounded(name, "Delegation name", 120), created_at=self.clock()
            )
            if not q.insert_once(s, delegation):
                raise exists  # another command added it a moment ago
            self._record(
                s,
                actor,
                "delegation",
                code,
                "created",
                after={"name": delegation.name},
                delegation_id=delegation.id,
            )
            return DelegationView(code, delegation.name, 0, Posture.NOT_YET_POSITIONED)

    def add_members(self, user_id: str, code: str, user_ids: Sequence[str]) -> DelegationView:
        with self._write() as s:
            actor = self._coordinator(s, user_id, "add delegation members")
            delegation = self._delegation(s, code)
            for member_id in dict.fromkeys(slack_id(u) for u in user_ids):
                existing = q.get_membership(s, member_id)
                member = Member(
                    user_id=member_id,
                    delegation_id=delegation.id,  # type: ignore[arg-type]
                    added_by=actor.user_id,
                    added_at=self.clock(),
                )
                if existing is None and not q.insert_once(s, member):
                    existing = q.get_membership(s, member_id)  # added a moment ago by another
                if existing is not None and existing[1].id != delegation.id:
                    raise Conflict(
                        f"<@{member_id}> already speaks for {existing[1].code}; "
                        "a user belongs to one delegation."
                    )
                if existing is None:
                    self._record(
                        s,
                        actor,
                        "delegation",
                        delegation.code,
                        "member added",
                        after={"member": member_id},
                        delegation_id=delegation.id,
                    )
            s.flush()
            return self._delegation_views(s, actor, only=delegation.id)[0]

    def list_delegations(self, user_id: str) -> list[DelegationView]:
        with read_session(self.engine) as s:
            viewer = self._registered(s, user_id)
            return self._delegation_views(s, viewer)

    def _delegation_views(
        self, s: Session, viewer: Actor, only: int | None = None
    ) -> list[DelegationView]:
        """Posture as this viewer may know it: another nation's restricted pledges
        must not show through as "committed", nor its anonymous questions as "considering"."""
        members = q.member_counts(s)
        counts = q.pledge_status_counts(s)
        questions = q.question_counts(s)
        views = []
        for d in q.list_delegations(s):
            if only is not None and d.id != only:
                continue
            sees_all = viewer.is_coordinator or viewer.delegation_id == d.id
            mine = {
                status: n
                for (delegation_id, status, restricted), n in counts.items()
                if delegation_id == d.id and (sees_all or not restricted)
            }
            posture = _posture(
                confirmed=mine.get(PledgeStatus.CONFIRMED, 0),
                live=sum(mine.get(status, 0) for status in LIVE_STATUSES),
                # Questions are anonymous to other delegations: counting them here
                # would name the asker by its change of posture.
                asked=questions.get(d.id, 0) if sees_all else 0,  # type: ignore[arg-type]
            )
            views.append(DelegationView(d.code, d.name, members.get(d.id, 0), posture))  # type: ignore[arg-type]
        return views

    def bootstrap_coordinator(self, target: str) -> None:
        """Make ``target`` a coordinator without a caller: for operators and seeding only."""
        with write_session(self.engine) as s:
            if q.get_coordinator(s, target) is None:
                s.add(Coordinator(user_id=target, added_by="bootstrap", added_at=self.clock()))

    def add_coordinator(self, user_id: str, target: str) -> bool:
        """True when ``target`` was not a coordinator before."""
        target = slack_id(target)
        with self._write() as s:
            actor = self._coordinator(s, user_id, "add coordinators")
            if target in self.bootstrap_coordinators or q.get_coordinator(s, target):
                return False
            added = Coordinator(user_id=target, added_by=actor.user_id, added_at=self.clock())
            if not q.insert_once(s, added):
                return False  # another command made them a coordinator a moment ago
            self._record(s, actor, "coordinator", target, "added", after={"user": target})
            return True

    # --- requirements ------------------------------------------------------------

    def _requirement(self, s: Session, code: str, *, for_update: bool = False) -> Requirement:
        requirement = q.get_requirement(s, code, for_update=for_update)
        if requirement is None:
            objective = code.upper().split("-")[0]
            hint = f"Try `/muster requirements {objective}`." if objective else ""
            raise NotFound(f"Unknown requirement {code.upper()}.", hint)
        return requirement

    def add_requirement(
        self,
        user_id: str,
        *,
        objective: str,
        quantity: int,
        unit: str,
        title: str,
        priority: Priority = Priority.ESSENTIAL,
        enabler: bool = False,
        needed_by: date | None = None,
        notes: str = "",
    ) -> RequirementView:
        _in_range(quantity)
        with self._write() as s:
            actor = self._coordinator(s, user_id, "add requirements")
            obj = self._objective(s, objective, for_update=True)
            seq = obj.next_requirement_seq
            obj.next_requirement_seq = seq + 1
            now = self.clock()
            requirement = Requirement(
                code=f"{obj.code}-{seq}",
                objective_id=obj.id,  # type: ignore[arg-type]
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
            self._record(
                s,
                actor,
                "requirement",
                requirement.code,
                "created",
                after=_requirement_fields(requirement),
                requirement_code=requirement.code,
            )
            return _requirement_view(requirement, obj.code, [])

    def edit_requirement(self, user_id: str, code: str, **changes: Any) -> RequirementView:
        with self._write() as s:
            actor = self._coordinator(s, user_id, "edit requirements")
            requirement = self._requirement(s, code, for_update=True)
            before = _requirement_fields(requirement)
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
                if name == "quantity":
                    _in_range(value)
                elif name in ("title", "unit"):
                    value = bounded(value, name.title(), 200 if name == "title" else 40)
                elif name == "notes":
                    value = bounded(value, "Notes", 2000, allow_empty=True)
                setattr(requirement, name, value)
            after = _requirement_fields(requirement)
            diff = {k: (before[k], after[k]) for k in after if before[k] != after[k]}
            if not diff:
                raise Conflict(f"{requirement.code} already reads that way; nothing changed.")
            requirement.version += 1
            requirement.updated_at = self.clock()
            s.add(requirement)
            self._record(
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
            return self._requirement_views(s, [requirement])[0]

    def list_requirements(
        self, user_id: str, objective: str | None = None
    ) -> list[RequirementView]:
        with read_session(self.engine) as s:
            self._registered(s, user_id)
            return self._all_requirement_views(s, objective)

    def _all_requirement_views(
        self, s: Session, objective: str | None = None
    ) -> list[RequirementView]:
        objective_id = self._objective(s, objective).id if objective else None
        rows = q.list_requirements(s, objective_id)
        ids = [r.id for r, _ in rows] if objective_id is not None else None
        pledges = _figures_by_requirement(q.pledge_figures(s, ids))  # type: ignore[arg-type]
        return [_requirement_view(r, o.code, pledges.get(r.id, [])) for r, o in rows]  # type: ignore[arg-type]

    def _requirement_views(
        self, s: Session, requirements: Sequence[Requirement]
    ) -> list[RequirementView]:
        ids = [r.id for r in requirements]
        pledges = _figures_by_requirement(q.pledge_figures(s, ids))  # type: ignore[arg-type]
        objectives = {o.id: o.code for o in q.list_objectives(s)}
        return [
            _requirement_view(r, objectives[r.objective_id], pledges.get(r.id, []))  # type: ignore[arg-type]
            for r in requirements
        ]

    # --- pledges ---------------------------------------------------------------

    def pledge(
        self,
        user_id: str,
        *,
        requirement: str,
        quantity: int,
        status: PledgeStatus = PledgeStatus.OFFERED,
        restricted: bool = False,
        condition: str = "",
        caveats: str = "",
        available_from: date | None = None,
    ) -> PledgeResult:
        _in_range(quantity)
        if status == PledgeStatus.WITHDRAWN:
            raise BadInput("A new pledge is indicated, offered or confirmed.")
        with self._write() as s:
            actor = self._delegate(s, user_id, "pledge")
            req = self._requirement(s, requirement)
            condition = _condition(condition)
            now = self.clock()
            pledge = Pledge(
                delegation_id=actor.delegation_id,  # type: ignore[arg-type]
                requirement_id=req.id,  # type: ignore[arg-type]
                quantity=quantity,
                status=status,
                condition=condition,
                condition_kind=classify_condition(condition) or "",
                caveats=bounded(caveats, "Caveats", 500, allow_empty=True),
                available_from=available_from,
                restricted=restricted,
                author=actor.user_id,
                created_at=now,
                updated_at=now,
            )
            s.add(pledge)
            s.flush()
            self._record_pledge(s, actor, pledge, req, "created", {}, _pledge_fields(pledge))
            return self._pledge_result(s, pledge, req, {})

    def update_pledge(self, user_id: str, pledge_id: int, change: PledgeChange) -> PledgeResult:
        if change.is_empty:
            raise BadInput(
                "Say what to change.",
                "Try `/muster pledge update P-3 quantity 2` or `… status confirmed` or `… unconditional`.",
            )
        if change.quantity is not None:
            _in_range(change.quantity)
        with self._write() as s:
            actor = self._delegate(s, user_id, "update pledges")
            pledge = self._pledge_for_change(s, actor, pledge_id, allow_coordinator=False)
            if change.status is not None:
                reason = check_status_move(PledgeStatus(pledge.status), change.status)
                if reason:
                    raise Conflict(
                        f"{pledge_ref(pledge.id)} cannot become {change.status}: {reason}."
                    )
            elif pledge.status == PledgeStatus.WITHDRAWN:
                raise Conflict(f"{pledge_ref(pledge.id)} was withdrawn; make a new pledge instead.")
            before = _pledge_fields(pledge)
            for name, value in vars(change).items():
                if value is None:
                    continue
                if name == "condition":
                    value = _condition(value)
                elif name == "caveats":
                    value = bounded(value, "Caveats", 500, allow_empty=True)
                setattr(pledge, name, value)
            pledge.condition_kind = classify_condition(pledge.condition) or ""
            return self._save_pledge_change(s, actor, pledge, before, "updated")

    def withdraw(self, user_id: str, pledge_id: int, reason: str = "") -> PledgeResult:
        with self._write() as s:
            actor = self._registered(s, user_id)
            pledge = self._pledge_for_change(s, actor, pledge_id, allow_coordinator=True)
            if pledge.status == PledgeStatus.WITHDRAWN:
                raise Conflict(f"{pledge_ref(pledge.id)} is already withdrawn.")
            before = _pledge_fields(pledge)
            pledge.status = PledgeStatus.WITHDRAWN
            pledge.withdrawn_reason = bounded(reason, "Reason", 500, allow_empty=True)
            return self._save_pledge_change(s, actor, pledge, before, "withdrawn")

    def _pledge_for_change(
        self, s: Session, actor: Actor, pledge_id: int, *, allow_coordinator: bool
    ) -> Pledge:
        pledge = q.get_pledge(s, pledge_id, for_update=True)
        if pledge is None or not _may_see_pledge(actor, pledge):
            raise NotFound(
                f"No pledge {pledge_ref(pledge_id)} that you can see.",
                "Try `/muster pledges mine`.",
            )
        own = pledge.delegation_id == actor.delegation_id
        if not own and not (allow_coordinator and actor.is_coordinator):
            who = (
                "its own delegation or a coordinator" if allow_coordinator else "its own delegation"
            )
            raise PermissionDenied(f"Only {who} can change {pledge_ref(pledge.id)}.")
        return pledge

    def _save_pledge_change(
        self, s: Session, actor: Actor, pledge: Pledge, before: dict[str, Any], action: str
    ) -> PledgeResult:
        after = _pledge_fields(pledge)
        diff = {k: (before[k], after[k]) for k in after if before[k] != after[k]}
        if not diff:
            raise Conflict(f"{pledge_ref(pledge.id)} already reads that way; nothing changed.")
        pledge.version += 1
        pledge.updated_at = self.clock()
        s.add(pledge)
        s.flush()
        req = q.get_requirement_by_id(s, pledge.requirement_id)
        assert req is not None
        self._record_pledge(
            s,
            actor,
            pledge,
            req,
            action,
            {k: v[0] for k, v in diff.items()},
            {k: v[1] for k, v in diff.items()},
        )
        return self._pledge_result(s, pledge, req, diff)

    def _record_pledge(
        self,
        s: Session,
        actor: Actor,
        pledge: Pledge,
        req: Requirement,
        action: str,
        before: dict[str, Any],
        after: dict[str, Any],
    ) -> None:
        self._record(
            s,
            actor,
            "pledge",
            pledge_ref(pledge.id),
            action,
            before,
            after,
            requirement_code=req.code,
            delegation_id=pledge.delegation_id,
            restricted=pledge.restricted,
        )

    def _pledge_result(
        self, s: Session, pledge: Pledge, req: Requirement, diff: dict[str, tuple[Any, Any]]
    ) -> PledgeResult:
        delegation = s.get(Delegation, pledge.delegation_id)
        assert delegation is not None
        return PledgeResult(
            pledge=_pledge_view(pledge, delegation, req),
            requirement=self._requirement_views(s, [req])[0],
            changes=diff,
        )

    def list_pledges(self, user_id: str, scope: str | None = None) -> PledgeList:
        """Pledges for ``scope``: None (all), "mine", a requirement or a delegation code.

        Pledges the viewer may not see count as "undisclosed" in lists by requirement
        or of everything; in a delegation's list even their number would name the
        nation, so they are left out altogether."""
        with read_session(self.engine) as s:
            actor = self._registered(s, user_id)
            title, rows, by_delegation = self._pledge_rows(s, actor, scope)
            shown = [_pledge_view(p, d, r) for p, d, r in rows if _may_see_pledge(actor, p)]
            hidden = (
                0 if by_delegation else sum(1 for p, _, _ in rows if not _may_see_pledge(actor, p))
            )
            return PledgeList(title=title, pledges=tuple(shown), undisclosed=hidden)

    def _pledge_rows(
        self, s: Session, actor: Actor, scope: str | None
    ) -> tuple[str, Sequence[tuple[Pledge, Delegation, Requirement]], bool]:
        if scope is None:
            return "All pledges", q.list_pledges(s), False
        scope = scope.upper()
        if scope == "MINE":
            if actor.delegation_id is None:
                raise BadInput("You are not in a delegation, so you have no pledges of your own.")
            rows = q.list_pledges(s, delegation_id=actor.delegation_id)
            return f"Pledges of {actor.delegation_code}", rows, True
        if REQUIREMENT_CODE.match(scope):
            req = self._requirement(s, scope)
            rows = q.list_pledges(s, requirement_ids=[req.id])  # type: ignore[list-item]
            return f"Pledges for {req.code}", rows, False
        if DELEGATION_CODE.match(scope):
            delegation = self._delegation(s, scope)
            rows = q.list_pledges(s, delegation_id=delegation.id)
            return f"Pledges of {delegation.code}", rows, True
        raise BadInput(
            "I can list pledges by `mine`, a requirement such as `SKY-2` or a delegation code, "
            f"not {scope!r}."
        )

    # --- questions -----------------------------------------------------------------

    def ask(self, user_id: str, text: str, about: str | None = None) -> QuestionView:
        text = bounded(text, "Question", 2000)
        with self._write() as s:
            actor = self._delegate(s, user_id, "ask questions")
            requirement_id = objective_id = None
            if about and "-" in about:
                requirement_id = self._requirement(s, about).id
            elif about:
                objective_id = self._objective(s, about).id
            now = self.clock()
            question = Question(
                delegation_id=actor.delegation_id,  # type: ignore[arg-type]
                asker=actor.user_id,
                text=text,
                requirement_id=requirement_id,
                objective_id=objective_id,
                status=QuestionStatus.OPEN,
                created_at=now,
                updated_at=now,
            )
            s.add(question)
            s.flush()
            self._record(
                s,
                actor,
                "question",
                question_ref(question.id),
                "asked",
                after={"text": text, "about": about.upper() if about else None},
                delegation_id=actor.delegation_id,
            )
            return self._question_view(s, actor, question)

    def answer(self, user_id: str, question_id: int, text: str) -> QuestionView:
        text = bounded(text, "Answer", 2000)
        with self._write() as s:
            actor = self._coordinator(s, user_id, "answer questions")
            question = self._question(s, question_id, for_update=True)
            if question.status == QuestionStatus.CLOSED:
                raise Conflict(
                    f"{question_ref(question.id)} is closed.",
                    f"Reopen it first: `/muster question reopen {question_ref(question.id)}`.",
                )
            before = {"status": question.status, "answer": question.answer}
            question.status = QuestionStatus.ANSWERED
            question.answer = text
            question.answered_by = actor.user_id
            question.answered_at = self.clock()
            return self._save_question(s, actor, question, before, "answered")

    def set_question_status(
        self, user_id: str, question_id: int, status: QuestionStatus
    ) -> QuestionView:
        with self._write() as s:
            actor = self._coordinator(s, user_id, "close or reopen questions")
            question = self._question(s, question_id, for_update=True)
            if question.status == status:
                raise Conflict(f"{question_ref(question.id)} is already {status}.")
            if status == QuestionStatus.ANSWERED:
                raise BadInput("Answer a question with `/muster answer Q-n <answer>`.")
            before = {"status": question.status}
            question.status = status
            action = "reopened" if status == QuestionStatus.OPEN else "closed"
            return self._save_question(s, actor, question, before, action)

    def _save_question(
        self, s: Session, actor: Actor, question: Question, before: dict[str, Any], action: str
    ) -> QuestionView:
        question.version += 1
        question.updated_at = self.clock()
        s.add(question)
        after = {k: getattr(question, k) for k in before}
        self._record(
            s,
            actor,
            "question",
            question_ref(question.id),
            action,
            before,
            after,
            delegation_id=question.delegation_id,
        )
        s.flush()
        return self._question_view(s, actor, question)

    def _question(self, s: Session, question_id: int, *, for_update: bool = False) -> Question:
        question = q.get_question(s, question_id, for_update=for_update)
        if question is None:
            raise NotFound(
                f"No question {question_ref(question_id)}.", "Try `/muster questions all`."
            )
        return question

    def list_questions(self, user_id: str, scope: str = "open") -> list[QuestionView]:
        with read_session(self.engine) as s:
            actor = self._registered(s, user_id)
            statuses = None if scope == "all" else [QuestionStatus.OPEN]
            rows = q.list_questions(s, statuses=statuses)
            about = about_labels(s)
            return [question_view(actor, question, d, about) for question, d in rows]

    def _question_view(self, s: Session, actor: Actor, question: Question) -> QuestionView:
        delegation = s.get(Delegation, question.delegation_id)
        assert delegation is not None
        return question_view(actor, question, delegation, about_labels(s))

    def question(self, user_id: str, question_id: int) -> QuestionView:
        with read_session(self.engine) as s:
            actor = self._registered(s, user_id)
            return self._question_view(s, actor, self._question(s, question_id))

    def question_to_answer(self, user_id: str, question_id: int) -> QuestionView:
        """The question a coordinator is about to answer (the answer form's content)."""
        with read_session(self.engine) as s:
            actor = self._coordinator(s, user_id, "answer questions")
            question = self._question(s, question_id)
            if question.status == QuestionStatus.CLOSED:
                raise Conflict(f"{question_ref(question.id)} is closed.")
            return self._question_view(s, actor, question)

    def question_for_announcement(self, question_id: int) -> QuestionView:
        """The question as the coordinators' channel shows it (attributed)."""
        with read_session(self.engine) as s:
            return self._question_view(s, SYSTEM, self._question(s, question_id))

    def record_announcement(self, question_id: int, channel: str, ts: str) -> None:
        """Remember where a question was announced, so its answer goes to that thread."""
        with write_session(self.engine) as s:
            question = self._question(s, question_id, for_update=True)
            question.announce_channel, question.announce_ts = channel, ts
            s.add(question)

    def announcement_of(self, question_id: int) -> tuple[str, str] | None:
        with read_session(self.engine) as s:
            question = self._question(s, question_id)
            if question.announce_channel and question.announce_ts:
                return question.announce_channel, question.announce_ts
            return None

    # --- settings ------------------------------------------------------------------

    def set_coordinators_channel(self, user_id: str, channel: str) -> None:
        channel = slack_id(channel, "Channel id")
        with self._write() as s:
            actor = self._coordinator(s, user_id, "choose the coordinators' channel")
            before = q.get_setting(s, COORDINATORS_CHANNEL)
            q.put_setting(s, COORDINATORS_CHANNEL, channel, actor.user_id, self.clock())
            self._record(
                s,
                actor,
                "setting",
                COORDINATORS_CHANNEL[:16],
                "updated",
                {"channel": before},
                {"channel": channel},
            )

    def coordinators_channel(self) -> str | None:
        with read_session(self.engine) as s:
            return q.get_setting(s, COORDINATORS_CHANNEL)

    # --- forms and the home tab -----------------------------------------------------

    def pledge_form(self, user_id: str) -> list[RequirementView]:
        """What the pledge form offers: every requirement with its current gap."""
        with read_session(self.engine) as s:
            self._delegate(s, user_id, "pledge")
            views = self._all_requirement_views(s)
            if not views:
                raise Conflict("There are no requirements to pledge against yet.")
            return views

    def ask_form(self, user_id: str) -> list[RequirementView]:
        with read_session(self.engine) as s:
            self._delegate(s, user_id, "ask questions")
            return self._all_requirement_views(s)

    def requirement_form(self, user_id: str) -> list[ObjectiveView]:
        with read_session(self.engine) as s:
            self._coordinator(s, user_id, "add requirements")
            return [objective_view(o) for o in q.list_objectives(s)]

    def home(self, user_id: str, *, top_gaps: int = 5) -> Home:
        with read_session(self.engine) as s:
            actor = self._actor(s, user_id)
            if not actor.is_registered:
                return Home(actor=actor)
            views = self._all_requirement_views(s)
            gaps = sorted((v for v in views if v.coverage.gap > 0), key=gap_order)
            questions = q.list_questions(s, statuses=[QuestionStatus.OPEN])
            about = about_labels(s)
            pledges: tuple[PledgeView, ...] = ()
            own_questions: tuple[QuestionView, ...] = ()
            if actor.delegation_id is not None:
                pledges = tuple(
                    _pledge_view(p, d, r)
                    for p, d, r in q.list_pledges(s, delegation_id=actor.delegation_id)
                    if p.status != PledgeStatus.WITHDRAWN
                )
                own_questions = tuple(
                    question_view(actor, qu, d, about)
                    for qu, d in questions
                    if qu.delegation_id == actor.delegation_id
                )
            unanswered: tuple[QuestionView, ...] = ()
            shortfalls: tuple[RequirementView, ...] = ()
            if actor.is_coordinator:
                unanswered = tuple(question_view(actor, qu, d, about) for qu, d in questions)
                shortfalls = tuple(v for v in gaps if v.coverage.is_critical_shortfall)
            return Home(
                actor=actor,
                pledges=pledges,
                questions=own_questions,
                top_gaps=tuple(gaps[:top_gaps]),
                unanswered=unanswered,
                critical_shortfalls=shortfalls,
            )

    # --- reports -------------------------------------------------------------------

    def status(self, user_id: str, objective: str | None = None) -> StatusReport:
        with read_session(self.engine) as s:
            self._registered(s, user_id)
            objectives = q.list_objectives(s)
            if objective:
                objectives = [self._objective(s, objective)]
            views = self._all_requirement_views(s)
            parts = []
            for obj in objectives:
                lines = tuple(v for v in views if v.objective == obj.code)
                parts.append(
                    ObjectiveStatus(
                        objective=objective_view(obj),
                        rollup=Rollup(tuple(v.coverage for v in lines)),
                        requirements=lines,
                    )
                )
            overall = Rollup(tuple(c for part in parts for c in part.rollup.lines))
            return StatusReport(objectives=tuple(parts), overall=overall)

    def gaps(self, user_id: str) -> list[RequirementView]:
        with read_session(self.engine) as s:
            self._registered(s, user_id)
            views = [v for v in self._all_requirement_views(s) if v.coverage.gap > 0]
            return sorted(views, key=gap_order)

    # --- history -------------------------------------------------------------------

    def history(self, user_id: str, ref: str) -> History:
        ref = ref.upper()
        with read_session(self.engine) as s:
            actor = self._registered(s, user_id)
            kind, number = _split_ref(ref)
            ref = (
                pledge_ref(number) if kind == "P" else question_ref(number) if kind == "Q" else ref
            )
            if kind == "P":
                pledge = q.get_pledge(s, number)
                if pledge is None or not _may_see_pledge(actor, pledge):
                    raise NotFound(
                        f"No pledge {ref} that you can see.", "Try `/muster pledges mine`."
                    )
                events = q.events_for(s, ref)
            elif kind == "Q":
                self._question(s, number)
                events = q.events_for(s, ref)
            else:
                req = self._requirement(s, ref)
                events = q.events_for_requirement(s, req.code)
            hidden = hidden_pledge_refs(s, actor, events)
            return History(ref=ref, entries=tuple(_history_entry(actor, e, hidden) for e in events))

    def change_log(self, user_id: str) -> dict[str, tuple[HistoryEntry, ...]]:
        """Every requirement's history at once (for the written report), as the
        caller may see it: one read instead of one per requirement."""
        with read_session(self.engine) as s:
            actor = self._registered(s, user_id)
            events = q.events_with_requirement(s)
            hidden = hidden_pledge_refs(s, actor, events)
            grouped: dict[str, list[HistoryEntry]] = defaultdict(list)
            for e in events:
                grouped[e.requirement_code].append(_history_entry(actor, e, hidden))
            return {code: tuple(entries) for code, entries in grouped.items()}


# --- helpers: pure functions over rows ------------------------------------------


def _in_range(quantity: int) -> None:
    problem = quantity_problem(quantity)
    if problem:
        raise BadInput(problem)


def _condition(text: str) -> str:
    text = bounded(text, "Condition", 500, allow_empty=True)
    reason = check_condition(text)
    if reason:
        raise BadInput(f"Not a condition: {reason}.", field="condition")
    return text


def _jsonable(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date | datetime) else v for k, v in fields.items()}


def _split_ref(ref: str) -> tuple[str, int]:
    match = re.fullmatch(r"([PQ])-?(\d{1,9})", ref)
    if match:
        return match.group(1), int(match.group(2))
    if REQUIREMENT_CODE.match(ref):
        return "R", 0
    raise BadInput(f"{ref} is not a pledge (P-3), question (Q-2) or requirement (SKY-1).")


def _has_live_pledges(s: Session, requirement: Requirement) -> bool:
    figures = q.pledge_figures(s, [requirement.id])  # type: ignore[list-item]
    return any(status != PledgeStatus.WITHDRAWN for _r, _q, status, _c in figures)


def _posture(*, confirmed: int, live: int, asked: int) -> Posture:
    if confirmed:
        return Posture.COMMITTED
    if live or asked:
        return Posture.CONSIDERING
    return Posture.NOT_YET_POSITIONED


def _may_see_pledge(actor: Actor, pledge: Pledge) -> bool:
    return (
        not pledge.restricted or actor.is_coordinator or actor.delegation_id == pledge.delegation_id
    )


def objective_view(o: Objective) -> ObjectiveView:
    leads = tuple(code for code in o.lead_delegations.split(",") if code)
    return ObjectiveView(o.code, o.name, leads)


def _requirement_fields(r: Requirement) -> dict[str, Any]:
    return {
        "title": r.title,
        "quantity": r.quantity,
        "unit": r.unit,
        "priority": r.priority,
        "enabler": r.enabler,
        "needed_by": r.needed_by,
        "notes": r.notes,
    }


def _pledge_fields(p: Pledge) -> dict[str, Any]:
    return {
        "quantity": p.quantity,
        "status": p.status,
        "condition": p.condition,
        "caveats": p.caveats,
        "available_from": p.available_from,
        "restricted": p.restricted,
        "withdrawn_reason": p.withdrawn_reason,
    }


def _figures_by_requirement(
    rows: Iterable[tuple[int, int, str, str]],
) -> dict[int, list[PledgeFigure]]:
    grouped: dict[int, list[PledgeFigure]] = defaultdict(list)
    for requirement_id, quantity, status, condition in rows:
        grouped[requirement_id].append(
            PledgeFigure(quantity, PledgeStatus(status), conditional=bool(condition))
        )
    return grouped


def _requirement_view(
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


def _pledge_view(p: Pledge, d: Delegation, r: Requirement) -> PledgeView:
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
    )


def about_labels(s: Session) -> dict[tuple[str, int], str]:
    labels: dict[tuple[str, int], str] = {("O", o.id): o.code for o in q.list_objectives(s)}  # type: ignore[misc]
    labels.update({("R", r.id): r.code for r, _ in q.list_requirements(s)})  # type: ignore[misc]
    return labels


def question_view(
    actor: Actor, question: Question, delegation: Delegation, about: dict[tuple[str, int], str]
) -> QuestionView:
    attributed = actor.is_coordinator or actor.delegation_id == question.delegation_id
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
    )


def gap_order(v: RequirementView) -> tuple[Any, ...]:
    c = v.coverage
    rating_rank = {Rating.RED: 0, Rating.AMBER: 1, Rating.GREEN: 2}[c.rating]
    priority_rank = list(Priority).index(v.priority)
    return (not c.is_critical_shortfall, rating_rank, priority_rank, c.fill, v.code)


def hidden_pledge_refs(s: Session, actor: Actor, events: Sequence[Event]) -> set[str]:
    """Pledges in these events whose details this viewer may not see."""
    if actor.is_coordinator:
        return set()
    pledge_events = [e for e in events if e.entity == "pledge"]
    restricted_now = q.restricted_pledge_ids(s, (int(e.entity_ref[2:]) for e in pledge_events))
    return {
        e.entity_ref
        for e in pledge_events
        if e.delegation_id != actor.delegation_id
        and (e.restricted or int(e.entity_ref[2:]) in restricted_now)
    }


def _history_entry(actor: Actor, e: Event, hidden: set[str]) -> HistoryEntry:
    if e.entity_ref in hidden:
        return HistoryEntry(e.at, None, "an undisclosed pledge", e.action, ())
    changes = tuple(
        (k, e.before.get(k), e.after.get(k)) for k in dict.fromkeys([*e.before, *e.after])
    )
    shown_actor: str | None = e.actor
    if (
        e.entity == "question"
        and e.action == "asked"
        and not (actor.is_coordinator or actor.delegation_id == e.delegation_id)
    ):
        shown_actor = None
    return HistoryEntry(e.at, shown_actor, e.entity_ref, e.action, changes)
