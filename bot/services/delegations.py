"""Delegations, their members, the coordinators and the coordinators' channel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from bot.domain import access
from bot.domain.errors import BadInput, Conflict
from bot.domain.model import PledgeFigure, PledgeStatus, Posture
from bot.domain.read_models import Actor, DelegationView
from bot.domain.text import bounded, slack_id
from bot.services import loaders
from bot.services.base import Service
from bot.services.loaders import DELEGATION_CODE, row_id
from storage import queries as q
from storage.models import Coordinator, Delegation, Member

COORDINATORS_CHANNEL = "coordinators_channel"


@dataclass(frozen=True)
class MembersAdded:
    """A delegation after ``delegation member``: who joined it, and who named was a
    member of it already."""

    delegation: DelegationView
    added: tuple[str, ...]
    already: tuple[str, ...]


class Delegations(Service):
    def add_delegation(self, user_id: str, code: str, name: str) -> DelegationView:
        code = code.upper()
        if not DELEGATION_CODE.match(code):
            raise BadInput(f"Delegation codes are 2 to 6 letters, not {code!r}.")
        with self.uow.write() as s:
            actor = self.uow.coordinator(s, user_id, "add delegations")
            exists = Conflict(f"Delegation {code} already exists.")
            if q.get_delegation(s, code) is not None:
                raise exists
            delegation = Delegation(
                code=code, name=bounded(name, "Delegation name", 120), created_at=self.now()
            )
            if not q.insert_once(s, delegation):
                raise exists  # another command added it a moment ago
            self.uow.record(
                s,
                actor,
                "delegation",
                code,
                "created",
                after={"name": delegation.name},
                delegation_id=delegation.id,
            )
            return DelegationView(code, delegation.name, 0, Posture.NOT_YET_POSITIONED)

    def add_members(self, user_id: str, code: str, user_ids: Sequence[str]) -> MembersAdded:
        with self.uow.write() as s:
            actor = self.uow.coordinator(s, user_id, "add delegation members")
            delegation = loaders.delegation(s, code)
            named = list(dict.fromkeys(slack_id(u) for u in user_ids))
            joined = {m for m in named if self._add_member(s, actor, delegation, m)}
            s.flush()
            view = _delegation_views(s, actor, only=delegation.id)[0]
            added = tuple(m for m in named if m in joined)
            return MembersAdded(view, added, tuple(m for m in named if m not in joined))

    def _add_member(self, s: Session, actor: Actor, delegation: Delegation, member_id: str) -> bool:
        """Add one member; False if they were a member of it already."""
        existing = q.get_membership(s, member_id)
        member = Member(
            user_id=member_id,
            delegation_id=row_id(delegation.id),
            added_by=actor.user_id,
            added_at=self.now(),
        )
        if existing is None and not q.insert_once(s, member):
            existing = q.get_membership(s, member_id)  # added a moment ago by another
        if existing is not None and existing[1].id != delegation.id:
            raise Conflict(
                f"<@{member_id}> already speaks for {existing[1].code}; "
                "a user belongs to one delegation."
            )
        if existing is None:
            self.uow.record(
                s,
                actor,
                "delegation",
                delegation.code,
                "member added",
                after={"member": member_id},
                delegation_id=delegation.id,
            )
        return existing is None

    def list_delegations(self, user_id: str) -> list[DelegationView]:
        with self.uow.read() as s:
            viewer = self.uow.registered(s, user_id)
            return _delegation_views(s, viewer)

    # --- coordinators ------------------------------------------------------------------

    def bootstrap_coordinator(self, target: str) -> None:
        """Make ``target`` a coordinator without a caller: for operators and seeding only."""
        with self.uow.write(bookkeeping=True) as s:
            if q.get_coordinator(s, target) is None:
                s.add(Coordinator(user_id=target, added_by="bootstrap", added_at=self.now()))

    def add_coordinator(self, user_id: str, target: str) -> bool:
        """True when ``target`` was not a coordinator before."""
        target = slack_id(target)
        with self.uow.write() as s:
            actor = self.uow.coordinator(s, user_id, "add coordinators")
            if target in self.uow.bootstrap_coordinators or q.get_coordinator(s, target):
                return False
            added = Coordinator(user_id=target, added_by=actor.user_id, added_at=self.now())
            if not q.insert_once(s, added):
                return False  # another command made them a coordinator a moment ago
            self.uow.record(s, actor, "coordinator", target, "added", after={"user": target})
            return True

    def set_coordinators_channel(self, user_id: str, channel: str) -> None:
        channel = slack_id(channel, "Channel id")
        with self.uow.write() as s:
            actor = self.uow.coordinator(s, user_id, "choose the coordinators' channel")
            before = q.get_setting(s, COORDINATORS_CHANNEL)
            q.put_setting(s, COORDINATORS_CHANNEL, channel, actor.user_id, self.now())
            self.uow.record(
                s,
                actor,
                "setting",
                COORDINATORS_CHANNEL,
                "updated",
                {"channel": before},
                {"channel": channel},
            )

    def coordinators_channel(self) -> str | None:
        with self.uow.read() as s:
            return q.get_setting(s, COORDINATORS_CHANNEL)


def _delegation_views(s: Session, viewer: Actor, only: int | None = None) -> list[DelegationView]:
    """Posture as this viewer may know it: another nation's restricted pledges
    must not show through as "committed", nor its anonymous questions as "considering"."""
    members = q.member_counts(s)
    counts = q.pledge_status_counts(s)
    questions = q.question_counts(s)
    views = []
    for d in q.list_delegations(s):
        if only is not None and d.id != only:
            continue
        delegation_id = row_id(d.id)
        mine = [
            (PledgeFigure(0, PledgeStatus(status), conditional, stale), n)
            for (pledged_by, status, restricted, conditional, stale), n in counts.items()
            if pledged_by == delegation_id
            and access.may_see_pledge(viewer, delegation_id=delegation_id, restricted=restricted)
        ]
        posture = access.posture(
            viewer,
            delegation_id,
            firm=sum(n for figure, n in mine if figure.is_firm),
            live=sum(n for figure, n in mine if figure.is_live),
            asked=questions.get(delegation_id, 0),
        )
        views.append(DelegationView(d.code, d.name, members.get(delegation_id, 0), posture))
    return views
