"""Calls for contributions as read models, for one viewer: the lines called with their
coverage now, the tally, the viewer's own delegation's standing, and (for the
coordinators) every delegation's. Loaded a few statements at a time, for however
many calls are shown."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from bot.domain import access
from bot.domain.calls import Answer, CallState, call_ref, tally
from bot.domain.read_models import Actor, CallLetter, CallView, PledgeView, ResponseView
from bot.services import loaders
from bot.services.loaders import row_id
from storage import calls as cq
from storage import listing
from storage.models import CallResponse, ContributionCall, Delegation


def call_views(s: Session, viewer: Actor, calls: Sequence[ContributionCall]) -> list[CallView]:
    """The calls as ``viewer`` may read them, in the order given."""
    ids = [row_id(c.id) for c in calls]
    lines = cq.lines(s, ids)
    responses = cq.responses(s, ids)
    called = [row for rows in lines.values() for row in rows]
    coverage = {v.code: v for v in loaders.requirement_views_with(s, called)}
    views = []
    for call in calls:
        rows = responses.get(row_id(call.id), [])
        views.append(
            CallView(
                ref=call_ref(call.id),
                scope=call.scope,
                lines=tuple(coverage[r.code] for r, _o in lines.get(row_id(call.id), [])),
                message=call.message,
                deadline=call.deadline,
                zone=call.timezone,
                open=call.status == cq.OPEN,
                opened_by=call.opened_by,
                opened_at=call.opened_at,
                tally=tally([(d.code, r.state) for r, d in rows], names=viewer.is_coordinator),
                deadline_version=call.deadline_version,
                extended_at=call.extended_at,
                closed_at=call.closed_at,
                closed_by=call.closed_by,
                mine=next(
                    (response_view(r, d) for r, d in rows if d.id == viewer.delegation_id), None
                ),
                responses=(
                    tuple(response_view(r, d) for r, d in rows) if viewer.is_coordinator else ()
                ),
            )
        )
    return views


def call_view(s: Session, viewer: Actor, call: ContributionCall) -> CallView:
    return call_views(s, viewer, [call])[0]


def response_view(response: CallResponse, delegation: Delegation) -> ResponseView:
    """A delegation's standing in full: only for the coordinators and its own members."""
    return ResponseView(
        delegation=delegation.code,
        delegation_name=delegation.name,
        state=CallState(response.state),
        how=Answer(response.how) if response.how else None,
        ref=response.ref,
        by=response.responded_by,
        at=response.responded_at,
        reason=response.reason,
    )


def letter(s: Session, call: ContributionCall, delegation: Delegation) -> CallLetter:
    """What the members of ``delegation`` read about ``call``: as one of them would."""
    member = Actor(
        user_id="member",
        is_coordinator=False,
        delegation_code=delegation.code,
        delegation_name=delegation.name,
        delegation_id=delegation.id,
    )
    view = call_view(s, member, call)
    ids = [row_id(r.id) for r, _o in cq.lines(s, [row_id(call.id)]).get(row_id(call.id), [])]
    return CallLetter(view, delegation.code, delegation.name, own_pledges(s, member, ids))


def own_pledges(s: Session, member: Actor, requirement_ids: list[int]) -> tuple[PledgeView, ...]:
    """The delegation's live pledges on these lines, its restricted ones too."""
    if member.delegation_id is None or not requirement_ids:
        return ()
    rows = listing.pledge_page(
        s,
        restricted_for=access.restricted_visible_to(member),
        limit=MAX_OWN_PLEDGES,
        requirement_ids=requirement_ids,
        delegation_id=member.delegation_id,
        live_only=True,
    )
    return tuple(loaders.pledge_view(p, d, r) for p, d, r in rows)


MAX_OWN_PLEDGES = 25  # a letter lists at most these; `/muster pledges mine` has the rest
