"""Who may see and do what. Every rule of visibility and every role check lives
here, as pure functions of the caller (an ``Actor``) and the facts at hand, so a
rule is read, tested and changed in one place."""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain.errors import PermissionDenied
from bot.domain.model import Posture
from bot.domain.read_models import Actor

SYSTEM = Actor(user_id="muster", is_coordinator=True)  # the coordinators' own view
CHANNEL_AUDIENCE = Actor(user_id="channel", is_coordinator=False)  # a channel: anyone may read it
OPERATOR = "UOPERATOR"  # the command line acts as a coordinator of this name
NOT_REGISTERED = (
    "You are not registered with Muster yet. Ask a coordinator to add you to your "
    "delegation (`/muster delegation member <CODE> @you`)."
)


# --- roles --------------------------------------------------------------------


def require_registered(actor: Actor) -> Actor:
    if not actor.is_registered:
        raise PermissionDenied(NOT_REGISTERED)
    return actor


def require_coordinator(actor: Actor, doing: str) -> Actor:
    require_registered(actor)
    if not actor.is_coordinator:
        raise PermissionDenied(f"Only coordinators can {doing}.")
    return actor


def require_delegate(actor: Actor, doing: str) -> Actor:
    require_registered(actor)
    if actor.delegation_id is None:
        raise PermissionDenied(
            f"Only members of a delegation can {doing}; you are not in one. "
            "A coordinator can add you with `/muster delegation member <CODE> @you`."
        )
    return actor


def may_change_pledge(actor: Actor, delegation_id: int, *, allow_coordinator: bool) -> bool:
    return delegation_id == actor.delegation_id or (allow_coordinator and actor.is_coordinator)


# --- what a viewer may see ----------------------------------------------------------


def sees_everything_of(actor: Actor, delegation_id: int | None) -> bool:
    """Coordinators see every delegation's details; a delegation sees its own."""
    return actor.is_coordinator or (
        actor.delegation_id is not None and actor.delegation_id == delegation_id
    )


def may_see_pledge(actor: Actor, *, delegation_id: int, restricted: bool) -> bool:
    """A restricted pledge is for the coordinators and its own delegation only."""
    return not restricted or sees_everything_of(actor, delegation_id)


def restricted_visible_to(actor: Actor) -> frozenset[int] | None:
    """The delegations whose restricted pledges this viewer may see, as a database
    filter: None for everyone's (coordinators), else at most their own."""
    if actor.is_coordinator:
        return None
    return frozenset({actor.delegation_id} if actor.delegation_id is not None else ())


def may_know_asker(actor: Actor, delegation_id: int | None) -> bool:
    """Questions are anonymous to other delegations."""
    return sees_everything_of(actor, delegation_id)


def posture(
    actor: Actor,
    delegation_id: int,
    *,
    firm: int,
    live: int,
    asked: int,
) -> Posture:
    """A delegation's posture as this viewer may know it, from the share of its live
    pledges that are firm (confirmed, no open condition): committed from one half up,
    considering below that or with questions only, not yet positioned with neither.
    Pledges are counted, not their quantities, which are in different units.

    The counts must already leave out the restricted pledges the viewer may not see;
    questions count only where the viewer may know who asked, or the change of
    posture would name the asker."""
    if not may_know_asker(actor, delegation_id):
        asked = 0
    if live and 2 * firm >= live:
        return Posture.COMMITTED
    if live or asked:
        return Posture.CONSIDERING
    return Posture.NOT_YET_POSITIONED


def hidden_pledges(
    actor: Actor,
    pledge_events: Iterable[tuple[str, int | None, bool]],
    restricted_now: set[int],
) -> set[str]:
    """Refs of the pledges in these (ref, delegation id, restricted then) events whose
    details this viewer may not see: restricted then, or restricted now."""
    if actor.is_coordinator:
        return set()
    return {
        ref
        for ref, delegation_id, restricted in pledge_events
        if delegation_id != actor.delegation_id and (restricted or int(ref[2:]) in restricted_now)
    }
