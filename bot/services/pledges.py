"""Pledges: what a delegation offers against a requirement, and its lifecycle."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.domain import access
from bot.domain.errors import BadInput, Conflict, NotFound, PermissionDenied
from bot.domain.model import (
    CONDITION_LABELS,
    ConditionKind,
    PledgeStatus,
    check_condition,
    check_status_move,
    classify_condition,
)
from bot.domain.read_models import (
    Actor,
    Page,
    PledgeList,
    PledgeResult,
    Reclassified,
    RequirementView,
)
from bot.domain.text import bounded
from bot.domain.wording import Number
from bot.services import loaders
from bot.services.base import Service
from bot.services.call_responses import calls_answered, pledged
from bot.services.loaders import (
    checked_page,
    pledge_ref,
    row_id,
)
from bot.services.pledge_scopes import list_scope
from bot.services.requirements import check_quantity
from bot.services.unit_of_work import UnitOfWork
from storage import listing, reconfirm
from storage import queries as q
from storage.models import Delegation, Pledge, Requirement


@dataclass(frozen=True)
class PledgeChange:
    """Fields a delegation may change on its pledge; None leaves a field as it is."""

    quantity: Number | None = None
    status: PledgeStatus | None = None
    condition: str | None = None  # "" lifts the condition
    caveats: str | None = None
    available_from: date | None = None
    restricted: bool | None = None

    @property
    def is_empty(self) -> bool:
        return all(v is None for v in vars(self).values())


class Pledges(Service):
    def __init__(self, uow: UnitOfWork, timezone: str = "UTC") -> None:
        super().__init__(uow)
        self.timezone = timezone  # the coalition's own: where "today" is

    def pledge(
        self,
        user_id: str,
        *,
        requirement: str,
        quantity: Number,
        status: PledgeStatus = PledgeStatus.OFFERED,
        restricted: bool = False,
        condition: str = "",
        caveats: str = "",
        available_from: date | None = None,
    ) -> PledgeResult:
        quantity = check_quantity(quantity)
        if status == PledgeStatus.WITHDRAWN:
            raise BadInput("A new pledge is indicated, offered or confirmed.")
        self._check_available_from(available_from)
        with self.uow.write() as s:
            actor = self.uow.delegate(s, user_id, "pledge")
            req = loaders.requirement(s, requirement)
            condition = checked_condition(condition)
            shown = _shown_with(s, req, row_id(actor.delegation_id))
            now = self.now()
            pledge = Pledge(
                delegation_id=row_id(actor.delegation_id),
                requirement_id=row_id(req.id),
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
                confirmed_at=now,
            )
            calls = calls_answered(s, actor, now, requirement_ids=[row_id(req.id)])
            s.add(pledge)
            s.flush()
            self.uow.record_pledge(s, actor, pledge, req.code, "created", {}, pledge_fields(pledge))
            pledged(self.uow, s, actor, calls, pledge, now)  # answers the calls for its line
            return _result(s, pledge, shown, {})

    def update_pledge(self, user_id: str, pledge_id: int, change: PledgeChange) -> PledgeResult:
        if change.is_empty:
            raise BadInput(
                "Say what to change.",
                "Try `/muster pledge update P-3 quantity 2` or `… status confirmed` or `… unconditional`.",
            )
        if change.quantity is not None:
            change = replace(change, quantity=check_quantity(change.quantity))
        self._check_available_from(change.available_from)
        with self.uow.write() as s:
            actor = self.uow.delegate(s, user_id, "update pledges")
            pledge = _for_change(s, actor, pledge_id, allow_coordinator=False)
            if change.status is not None:
                reason = check_status_move(PledgeStatus(pledge.status), change.status)
                if reason:
                    raise Conflict(
                        f"{pledge_ref(pledge.id)} cannot become {change.status}: {reason}."
                    )
            elif pledge.status == PledgeStatus.WITHDRAWN:
                raise Conflict(f"{pledge_ref(pledge.id)} was withdrawn; make a new pledge instead.")
            before = pledge_fields(pledge)
            for name, value in vars(change).items():
                if value is None:
                    continue
                if name == "condition":
                    value = checked_condition(value)
                elif name == "caveats":
                    value = bounded(value, "Caveats", 500, allow_empty=True)
                setattr(pledge, name, value)
            if change.condition is not None:
                pledge.condition_kind, pledge.condition_kind_manual = _refiled(pledge)
            # A change is the delegation saying how it stands now: its confirmation too.
            now = self.now()
            was_stale = reconfirm.confirmed_now(pledge, now)
            calls = calls_answered(s, actor, now, requirement_ids=[pledge.requirement_id])
            result = self._save(s, actor, pledge, before, "updated", was_stale)
            pledged(self.uow, s, actor, calls, pledge, now)
            return result

    def classify(self, user_id: str, pledge_id: int, kind: ConditionKind | None) -> Reclassified:
        """A coordinator files a pledge's condition under ``kind`` by hand, or (None)
        hands it back to the rules. Every report reads the stored class, so the
        correction holds everywhere. It is the coalition's reading of the pledge, not a
        change the nation made: audited, but the pledge's version and time stay."""
        with self.uow.write() as s:
            actor = self.uow.coordinator(s, user_id, "classify pledges")
            pledge = q.get_pledge(s, pledge_id, for_update=True)
            if pledge is None:
                raise NotFound(f"No pledge {pledge_ref(pledge_id)}.", "Try `/muster pledges`.")
            if not pledge.condition:
                raise Conflict(f"{pledge_ref(pledge.id)} has no condition to classify.")
            before = ConditionKind(pledge.condition_kind) if pledge.condition_kind else None
            after = kind or classify_condition(pledge.condition) or ConditionKind.OTHER
            by_hand = kind is not None
            if (before, pledge.condition_kind_manual) == (after, by_hand):
                how = "set by hand" if by_hand else "by the rules"
                raise Conflict(
                    f"{pledge_ref(pledge.id)} is already filed under "
                    f"{CONDITION_LABELS[after]}, {how}; nothing changed."
                )
            pledge.condition_kind, pledge.condition_kind_manual = after, by_hand
            s.add(pledge)
            s.flush()
            req = q.get_requirement_by_id(s, pledge.requirement_id)
            delegation = s.get(Delegation, pledge.delegation_id)
            if req is None or delegation is None:
                raise RuntimeError(f"pledge {pledge.id} has no requirement or delegation")
            action = "classified" if by_hand else "classified automatically"
            old = {"condition_kind": before.value if before else ""}
            self.uow.record_pledge(
                s, actor, pledge, req.code, action, old, {"condition_kind": after.value}
            )
            view = loaders.pledge_view(pledge, delegation, req)
            return Reclassified(view, before, after, by_hand)

    def withdraw(self, user_id: str, pledge_id: int, reason: str = "") -> PledgeResult:
        with self.uow.write() as s:
            actor = self.uow.registered(s, user_id)
            pledge = _for_change(s, actor, pledge_id, allow_coordinator=True)
            if pledge.status == PledgeStatus.WITHDRAWN:
                raise Conflict(f"{pledge_ref(pledge.id)} is already withdrawn.")
            before = pledge_fields(pledge)
            pledge.status = PledgeStatus.WITHDRAWN
            pledge.withdrawn_reason = bounded(reason, "Reason", 500, allow_empty=True)
            reconfirm.out_of_cycle(pledge)  # nobody is asked about it again
            return self._save(s, actor, pledge, before, "withdrawn")

    def list_pledges(
        self, user_id: str, scope: str | None = None, page: Page | None = None
    ) -> PledgeList:
        """Pledges for ``scope``: None (all), "mine", a requirement or a delegation code;
        one ``page`` of them with their count, or all of them without one.

        Pledges the viewer may not see count as "undisclosed" in lists by requirement
        or of everything; in a delegation's list even their number would name the
        nation, so they are left out altogether."""
        with self.uow.read() as s:
            actor = self.uow.registered(s, user_id)
            where = list_scope(s, actor, scope)
            restricted_for = access.restricted_visible_to(actor)
            shown, hidden = listing.pledge_counts(s, restricted_for=restricted_for, **where.filters)
            what = where.title[0].lower() + where.title[1:]
            page = checked_page(page or Page(size=max(shown, 1)), shown, what)
            rows = listing.pledge_page(
                s,
                restricted_for=restricted_for,
                limit=page.size,
                offset=page.offset,
                **where.filters,
            )
            return PledgeList(
                title=where.title,
                pledges=tuple(loaders.pledge_view(p, d, r) for p, d, r in rows),
                undisclosed=0 if where.by_delegation else hidden,
                page=page,
            )

    def pledge_form(self, user_id: str) -> list[RequirementView]:
        """What the pledge form offers: every requirement with its current gap."""
        with self.uow.read() as s:
            self.uow.delegate(s, user_id, "pledge")
            views = loaders.all_requirement_views(s)
            if not views:
                raise Conflict("There are no requirements to pledge against yet.")
            return views

    def _check_available_from(self, day: date | None) -> None:
        """A contribution becomes available today or later: today where the coalition is."""
        today = self.now().astimezone(ZoneInfo(self.timezone)).date()
        if day is not None and day < today:
            raise BadInput(
                f"{day.isoformat()} is in the past; give today or a later date.",
                field="available_from",
            )

    def _save(
        self,
        s: Session,
        actor: Actor,
        pledge: Pledge,
        before: dict[str, Any],
        action: str,
        was_stale: bool = False,  # a change made it count as it stands again
    ) -> PledgeResult:
        after = pledge_fields(pledge)
        diff = {k: (before[k], after[k]) for k in after if before[k] != after[k]}
        if not diff:
            raise Conflict(f"{pledge_ref(pledge.id)} already reads that way; nothing changed.")
        with s.no_autoflush:  # the change is flushed once, after what the answer needs
            req = q.get_requirement_by_id(s, pledge.requirement_id)
            if req is None:
                raise RuntimeError(f"pledge {pledge.id} has no requirement")
            shown = _shown_with(s, req, pledge.delegation_id)
        pledge.version += 1
        pledge.updated_at = self.now()
        s.add(pledge)
        s.flush()
        stale = ({"stale": True}, {"stale": False}) if was_stale else ({}, {})
        self.uow.record_pledge(
            s,
            actor,
            pledge,
            req.code,
            action,
            {k: v[0] for k, v in diff.items()} | stale[0],
            {k: v[1] for k, v in diff.items()} | stale[1],
        )
        return _result(s, pledge, shown, diff)


def checked_condition(text: str) -> str:
    text = bounded(text, "Condition", 500, allow_empty=True)
    reason = check_condition(text)
    if reason:
        raise BadInput(f"Not a condition: {reason}.", field="condition")
    return text


def _refiled(pledge: Pledge) -> tuple[str, bool]:
    """A condition's class once its text has changed. Lifted, it has none. Filed by a
    coordinator, it stays where they put it: a delegation rewording its condition does
    not undo a coordinator's correction (`/muster pledge classify P-n auto` hands it
    back to the rules). Otherwise the rules read the new text."""
    if not pledge.condition:
        return "", False
    if pledge.condition_kind_manual:
        return pledge.condition_kind, True
    return classify_condition(pledge.condition) or "", False


def pledge_fields(p: Pledge) -> dict[str, Any]:
    return {
        "quantity": p.quantity,
        "status": p.status,
        "condition": p.condition,
        "caveats": p.caveats,
        "available_from": p.available_from,
        "restricted": p.restricted,
        "withdrawn_reason": p.withdrawn_reason,
    }


def _for_change(s: Session, actor: Actor, pledge_id: int, *, allow_coordinator: bool) -> Pledge:
    pledge = q.get_pledge(s, pledge_id, for_update=True)
    if pledge is None or not loaders.may_see(actor, pledge):
        raise NotFound(
            f"No pledge {pledge_ref(pledge_id)} that you can see.",
            "Try `/muster pledges mine`.",
        )
    if not access.may_change_pledge(
        actor, pledge.delegation_id, allow_coordinator=allow_coordinator
    ):
        who = "its own delegation or a coordinator" if allow_coordinator else "its own delegation"
        raise PermissionDenied(f"Only {who} can change {pledge_ref(pledge.id)}.")
    return pledge


@dataclass(frozen=True)
class _Shown:
    """What a write's answer shows besides the pledge, loaded before the change is
    flushed: from then on the pledge totals it changed stay locked until commit, and
    other pledges to the same line wait for them (tests/service/test_lock_hold.py)."""

    requirement: Requirement
    objective: str
    delegation: Delegation


def _shown_with(s: Session, req: Requirement, delegation_id: int) -> _Shown:
    delegation = s.get(Delegation, delegation_id)
    if delegation is None:
        raise RuntimeError(f"no delegation {delegation_id}")
    return _Shown(req, loaders.objective_of(s, req).code, delegation)


def _result(
    s: Session, pledge: Pledge, shown: _Shown, diff: dict[str, tuple[Any, Any]]
) -> PledgeResult:
    req = shown.requirement
    return PledgeResult(
        pledge=loaders.pledge_view(pledge, shown.delegation, req),
        requirement=loaders.requirement_view_now(s, req, shown.objective),
        changes=diff,
    )
