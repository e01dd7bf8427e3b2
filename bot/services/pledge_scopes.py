"""Which pledges a `pledges …` list shows: all, the caller's own delegation's, one
requirement's or one delegation's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from bot.domain.errors import BadInput
from bot.domain.read_models import Actor
from bot.services import loaders
from bot.services.loaders import DELEGATION_CODE, REQUIREMENT_CODE, row_id


@dataclass(frozen=True)
class Scope:
    title: str
    filters: dict[str, Any]  # pledge_page's and pledge_counts' keywords
    by_delegation: bool = False


def list_scope(s: Session, actor: Actor, scope: str | None) -> Scope:
    if scope is None:
        return Scope("All pledges", {})
    scope = scope.upper()
    if scope == "MINE":
        if actor.delegation_id is None:
            raise BadInput("You are not in a delegation, so you have no pledges of your own.")
        mine = {"delegation_id": actor.delegation_id}
        return Scope(f"Pledges of {actor.delegation_code}", mine, by_delegation=True)
    if REQUIREMENT_CODE.match(scope):
        req = loaders.requirement(s, scope)
        return Scope(f"Pledges for {req.code}", {"requirement_ids": [row_id(req.id)]})
    if DELEGATION_CODE.match(scope):
        delegation = loaders.delegation(s, scope)
        theirs = {"delegation_id": delegation.id}
        return Scope(f"Pledges of {delegation.code}", theirs, by_delegation=True)
    raise BadInput(
        "I can list pledges by `mine`, a requirement such as `SKY-2` or a delegation code, "
        f"not {scope!r}."
    )
