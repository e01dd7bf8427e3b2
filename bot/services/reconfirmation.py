"""Periodic reconfirmation (bot.domain.reconfirmation): the coordinators' policy, a
delegation saying its pledges still stand, and the daily round that asks about old
pledges and marks stale those nobody reconfirmed in time.

A round runs from the scheduler's tick, in one transaction that first locks the
policy's setting row, so one process at a time runs it and a second finds the work
done. In that transaction it marks the pledges asked (so no later round asks about
them again) and owes each member of their delegation one direct message through the
outbox, under a key naming the delegation and the round's day: exactly once per
delegation and round, across replicas, retries and downtime. A pledge whose grace
has run out is marked stale through the ORM, so the running totals (storage.totals),
and with them every view of coverage, move in the same transaction."""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.domain import access
from bot.domain.calls import quiet_until
from bot.domain.errors import BadInput, Conflict, NotFound, PermissionDenied
from bot.domain.model import PledgeFigure, PledgeStatus
from bot.domain.read_models import Actor, PledgeResult, PledgeView
from bot.domain.reconfirmation import OFF, SETTING, Policy, round_moment
from bot.domain.schedule import kept_zone
from bot.services import loaders, outbox
from bot.services.base import Service
from bot.services.loaders import pledge_ref, row_id
from bot.services.unit_of_work import UnitOfWork
from storage import calls as cq
from storage import queries as q
from storage import reconfirm as r
from storage.models import Delegation, Pledge, Requirement

ASKED, WENT_STALE, RECONFIRMED, LIFTED, RELEASED = (
    "asked to reconfirm",
    "went stale",
    "reconfirmed",
    "stale mark lifted",
    "no longer asked",
)
POLICY_CHANGED = "policy changed"
KEY_PREFIX = "reconfirm:"  # every direct message a round owes: reconfirm:VAL:2027-02-21:U123


@dataclass(frozen=True)
class PolicyChange:
    before: Policy | None
    after: Policy | None
    due: int = 0  # turned on: live pledges old enough already, asked at the next tick
    # Turned off, or changed: pledges asked about or stale that nobody asks about any
    # more (under the new policy they are not due), and those of them that were stale
    # and count again.
    released: tuple[str, ...] = ()
    lifted: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reconfirmed:
    """Pledges a delegation said still stand, each with its line's coverage now."""

    results: tuple[PledgeResult, ...]
    were_stale: tuple[str, ...]  # of them, those that were stale and count again


@dataclass(frozen=True)
class Request:
    """What one delegation is asked in one round; every member gets the same message."""

    key: str  # reconfirm:VAL:2027-02-21; each member's message adds the member
    delegation: str
    delegation_name: str
    policy: Policy
    pledges: tuple[PledgeView, ...]  # its own, restricted ones too: only its members read it
    stale_at: datetime  # unless reconfirmed by then, these go stale
    members: tuple[tuple[str, str], ...]  # (user id, Slack time zone as kept, "" if none)


@dataclass(frozen=True)
class Round:
    """What one pass did: nothing when reconfirmation is off or another process had it."""

    asked: dict[str, tuple[str, ...]] = field(default_factory=dict)  # delegation: refs
    gone_stale: tuple[str, ...] = ()
    owed: int = 0  # direct messages owed


# Renders a request as (plain text, blocks): the Slack surface's, given by the runtime.
Render = Callable[[Request], tuple[str, list[dict[str, Any]]]]


class Reconfirmations(Service):
    def __init__(self, uow: UnitOfWork, timezone: str) -> None:
        super().__init__(uow)
        self.timezone = timezone  # the coalition's own: where rounds fall at 09:00

    # --- the policy -----------------------------------------------------------------

    def policy(self, user_id: str) -> Policy | None:
        with self.uow.read() as s:
            self.uow.registered(s, user_id)
            return Policy.read(q.get_setting(s, SETTING))

    def set_policy(self, user_id: str, policy: Policy) -> PolicyChange:
        with self.uow.write() as s:
            actor = self.uow.coordinator(s, user_id, "set periodic reconfirmation")
            before = Policy.read(r.lock_setting(s, SETTING))
            if before == policy:
                raise Conflict(f"Reconfirmation is already {policy.describe()}; nothing changed.")
            self._put(s, actor, before, policy)
            confirmed_by = round_moment(self.now(), self.timezone) - policy.every
            # Asked about or stale under the old policy but not due under this one: a
            # longer cycle takes them out of the old one. (One due under both stays
            # as it is, stale or asked, with the new grace from now on.)
            marked = r.asked_or_stale(s, confirmed_by)
            released, lifted = self._release(s, actor, marked)
            self._cancel_requests_left_empty(s, {p.delegation_id for p in marked})
            # What the next tick asks about: pledges due by the latest round.
            due = r.count_due(s, confirmed_by)
            return PolicyChange(before, policy, due, released, lifted)

    def turn_off(self, user_id: str) -> PolicyChange:
        """No more rounds; pledges asked about are asked no more, and a stale pledge
        counts as it stands again: staleness is the policy's, and there is none."""
        with self.uow.write() as s:
            actor = self.uow.coordinator(s, user_id, "turn periodic reconfirmation off")
            before = Policy.read(r.lock_setting(s, SETTING))
            if before is None:
                raise Conflict("Periodic reconfirmation is already off; nothing changed.")
            self._put(s, actor, before, None)
            outbox.cancel(s, KEY_PREFIX)  # a request not yet sent would ask for nothing
            released, lifted = self._release(s, actor, r.asked_or_stale(s))
            return PolicyChange(before, None, released=released, lifted=lifted)

    def _release(
        self, s: Session, actor: Actor, marked: Sequence[Pledge]
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Take these pledges out of the cycle: (their refs, those that were stale)."""
        asked = [p for p in marked if p.stale_since is None]
        lifted = [p for p in marked if r.out_of_cycle(p)]
        s.add_all(marked)
        s.flush()  # the totals follow the flush: the lifted pledges count again
        self._audit(s, actor, lifted, LIFTED, {"stale": True}, {"stale": False})
        self._audit(s, actor, asked, RELEASED, {"asked": True}, {"asked": False})
        return tuple(pledge_ref(p.id) for p in marked), tuple(pledge_ref(p.id) for p in lifted)

    def _cancel_requests_left_empty(self, s: Session, delegation_ids: set[int]) -> None:
        """Requests not sent yet (one may wait for a member's morning) of delegations
        with nothing asked about any more will not go: they would ask for nothing."""
        empty = delegation_ids - r.still_asked(s, delegation_ids)
        if empty:
            outbox.cancel(s, *(f"{KEY_PREFIX}{code}:" for code in r.delegation_codes(s, empty)))

    def _put(self, s: Session, actor: Actor, before: Policy | None, after: Policy | None) -> None:
        value = after.stored() if after else OFF
        q.put_setting(s, SETTING, value, actor.user_id, self.now())
        old = {"policy": before.stored() if before else OFF}
        self.uow.record(s, actor, "setting", SETTING, POLICY_CHANGED, old, {"policy": value})

    # --- a delegation says its pledges still stand --------------------------------------

    def reconfirm(self, user_id: str, pledge_ids: Sequence[int]) -> Reconfirmed:
        if not pledge_ids:
            raise BadInput("Which pledges still stand? Name them, e.g. `/muster reconfirm P-3`.")
        with self.uow.write() as s:
            actor = self.uow.delegate(s, user_id, "reconfirm pledges")
            # In id order, as every writer locks pledges: two commands cannot deadlock.
            pledges = [_own_live(s, actor, pledge_id) for pledge_id in sorted(set(pledge_ids))]
            now = self.now()
            were_stale = [p for p in pledges if r.confirmed_now(p, now)]
            s.add_all(pledges)
            s.flush()  # the totals follow: a stale pledge counts as it stands again
            for pledge in pledges:
                was = pledge in were_stale
                before, after = ({"stale": True}, {"stale": False}) if was else ({}, {})
                self._audit(s, actor, [pledge], RECONFIRMED, before, after)
            parts = r.with_parts(s, [row_id(p.id) for p in pledges])
            views = {v.code: v for v in loaders.requirement_views(s, [req for _, _, req in parts])}
            results = tuple(
                PledgeResult(loaders.pledge_view(p, d, req), views[req.code]) for p, d, req in parts
            )
            return Reconfirmed(results, tuple(pledge_ref(p.id) for p in were_stale))

    def pledge_for_button(self, user_id: str, pledge_id: int, *, withdraw: bool) -> PledgeView:
        """The pledge a request's Change or Withdraw button opens a form on, if the
        clicker may change it (its delegation) or withdraw it (a coordinator too)."""
        with self.uow.read() as s:
            actor = self.uow.registered(s, user_id)
            pledge = q.get_pledge(s, pledge_id)
            ref = pledge_ref(pledge_id)
            if pledge is None or not loaders.may_see(actor, pledge):
                raise NotFound(f"No pledge {ref} that you can see.", "Try `/muster pledges mine`.")
            if not access.may_change_pledge(
                actor, pledge.delegation_id, allow_coordinator=withdraw
            ):
                who = "its own delegation or a coordinator" if withdraw else "its own delegation"
                raise PermissionDenied(f"Only {who} can change {ref}.")
            if pledge.status == PledgeStatus.WITHDRAWN:
                raise Conflict(f"{ref} was withdrawn; make a new pledge instead.")
            [(found, delegation, requirement)] = r.with_parts(s, [pledge_id])
            return loaders.pledge_view(found, delegation, requirement)

    # --- the daily round ----------------------------------------------------------------

    def run(self, now: datetime, render: Render) -> Round:
        """Mark stale what was asked about and not reconfirmed within the grace, then
        ask each delegation about its pledges that came due by the latest round."""
        with self.uow.write(bookkeeping=True) as s:
            policy = Policy.read(r.lock_setting(s, SETTING))
            if policy is None:
                return Round()
            gone_stale = self._go_stale(s, now - policy.grace, now)
            moment = round_moment(now, self.timezone)
            asked = list(r.due_to_ask(s, moment - policy.every))
            for pledge in asked:
                pledge.reconfirm_asked_at = now
            s.add_all(asked)
            s.flush()
            self._audit(s, access.SYSTEM, asked, ASKED, {}, {})
            requests = _requests(s, asked, policy, moment, now, self.timezone)
            fallback = ZoneInfo(self.timezone)
            owed = sum(
                outbox.enqueue_all(s, _messages(request, render, now, fallback), now)
                for request in requests
            )
            return Round(
                {req.delegation: tuple(p.ref for p in req.pledges) for req in requests},
                gone_stale,
                owed,
            )

    def _go_stale(self, s: Session, asked_by: datetime, now: datetime) -> tuple[str, ...]:
        pledges = list(r.due_to_go_stale(s, asked_by))
        for pledge in pledges:
            pledge.stale_since = now
        s.add_all(pledges)
        s.flush()  # the totals follow: a stale confirmed pledge is firm no more
        self._audit(s, access.SYSTEM, pledges, WENT_STALE, {"stale": False}, {"stale": True})
        return tuple(pledge_ref(p.id) for p in pledges)

    def _audit(
        self,
        s: Session,
        actor: Actor,
        pledges: Sequence[Pledge],
        action: str,
        before: dict[str, Any],
        after: dict[str, Any],
    ) -> None:
        """One event per pledge, on its requirement's trail."""
        codes = _requirement_codes(s, pledges)
        for pledge in pledges:
            self.uow.record_pledge(
                s, actor, pledge, codes[pledge.requirement_id], action, before, after
            )


# --- what a digest says ------------------------------------------------------------------


@dataclass(frozen=True)
class StaleLine:
    """Firm capacity on one line that went stale in a digest's period (and is still)."""

    requirement: str
    unit: str
    quantity: Decimal
    pledges: tuple[str, ...]  # "P-3 CAL", those the audience may see
    undisclosed: int = 0  # those it may not: in the quantity, not named


@dataclass(frozen=True)
class GoneStale:
    firm: tuple[StaleLine, ...] = ()  # by requirement
    other: int = 0  # pledges gone stale that were not firm anyway (pending, conditional)


def gone_stale(s: Session, viewer: Actor, since: datetime, until: datetime) -> GoneStale:
    """What went stale in (since, until] and is stale still, as ``viewer`` may read it:
    restricted pledges of others are counted, neither named nor in the quantity."""
    lines: dict[str, tuple[str, Decimal, list[str], int]] = {}
    other = 0
    for row in r.gone_stale(s, since, until):
        figure = PledgeFigure(row.quantity, PledgeStatus(row.status), bool(row.condition_kind))
        if not figure.is_firm:  # as it stands, staleness aside
            other += 1
            continue
        unit, total, named, hidden = lines.get(row.requirement, (row.unit, Decimal(0), [], 0))
        if access.may_see_pledge(
            viewer, delegation_id=row.delegation_id, restricted=row.restricted
        ):
            named.append(f"{pledge_ref(row.pledge_id)} {row.delegation}")
            total += row.quantity
        else:
            hidden += 1  # counted, never its quantity: an undisclosed pledge's figures are its own
        lines[row.requirement] = (unit, total, named, hidden)
    firm = tuple(
        StaleLine(code, unit, total, tuple(named), hidden)
        for code, (unit, total, named, hidden) in lines.items()
    )
    return GoneStale(firm, other)


# --- helpers ---------------------------------------------------------------------------


def _own_live(s: Session, actor: Actor, pledge_id: int) -> Pledge:
    """The caller's own live pledge, locked; NotFound for one they may not see."""
    pledge = q.get_pledge(s, pledge_id, for_update=True)
    ref = pledge_ref(pledge_id)
    if pledge is None or not loaders.may_see(actor, pledge):
        raise NotFound(f"No pledge {ref} that you can see.", "Try `/muster pledges mine`.")
    if not access.may_change_pledge(actor, pledge.delegation_id, allow_coordinator=False):
        raise PermissionDenied(f"Only its own delegation can reconfirm {ref}.")
    if pledge.status == PledgeStatus.WITHDRAWN:
        raise Conflict(f"{ref} was withdrawn; there is nothing to reconfirm.")
    return pledge


def _requirement_codes(s: Session, pledges: Sequence[Pledge]) -> dict[int, str]:
    ids = {p.requirement_id for p in pledges}
    return {i: req.code for i in ids if (req := s.get(Requirement, i)) is not None}


def _requests(
    s: Session,
    asked: Sequence[Pledge],
    policy: Policy,
    moment: datetime,
    now: datetime,
    zone: str,
) -> list[Request]:
    """One request per delegation with pledges asked about in this round."""
    by_delegation: defaultdict[int, list[tuple[Pledge, Delegation, Requirement]]]
    by_delegation = defaultdict(list)
    for part in r.with_parts(s, [row_id(p.id) for p in asked]):
        by_delegation[row_id(part[1].id)].append(part)
    day = moment.astimezone(ZoneInfo(zone)).date().isoformat()
    run = secrets.token_hex(4)
    requests = []
    for delegation_id, parts in sorted(by_delegation.items()):
        delegation = parts[0][1]
        requests.append(
            Request(
                # The round's day and a mark of this run: the pledges' marks, written
                # with the request, keep a pledge from being asked twice, and a policy
                # set again the same day asks under keys its cancelled requests never had.
                key=f"{KEY_PREFIX}{delegation.code}:{day}:{run}",
                delegation=delegation.code,
                delegation_name=delegation.name,
                policy=policy,
                pledges=tuple(loaders.pledge_view(p, d, req) for p, d, req in parts),
                stale_at=now + policy.grace,
                members=tuple(
                    (m.user_id, m.timezone) for m in cq.members(s, [delegation_id])[delegation_id]
                ),
            )
        )
    return requests


def _messages(
    request: Request, render: Render, now: datetime, fallback: ZoneInfo
) -> list[outbox.Owed]:
    """One message per member: at once, or at 07:00 where the member's night has begun
    (in their Slack time zone as last kept, else the coalition's), as for calls."""
    text, blocks = render(request)
    return [
        outbox.Owed(
            key=f"{request.key}:{member}",
            recipient=member,
            text=text,
            blocks=blocks,
            not_before=quiet_until(now, kept_zone(zone) or fallback, request.stale_at),
        )
        for member, zone in request.members
    ]
