"""A delegation answering a call for contributions, in the transaction of the answer
itself: a pledge to a called line, a question about one (or about its objective), or
a nil return. The call_response row records it, so a call's counts never scan the
history; the change is audited, and the reminders and notices still owed to the
delegation's members are cancelled, since they would chase an answer already given."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlmodel import Session

from bot.domain.calls import Answer, CallState, call_ref
from bot.domain.read_models import Actor
from bot.services import outbox
from bot.services.loaders import row_id
from bot.services.unit_of_work import UnitOfWork
from storage import calls as cq
from storage.models import CallResponse, ContributionCall, Pledge

# The outbox keys of what calls owe members: `call:C-3:<kind>:<CODE>:…:<user>`.
INVITATION, MOVED, REMINDER, SUMMARY = "open", "moved", "remind", "summary"


def key_prefix(call_id: int, kind: str, delegation: str = "") -> str:
    base = f"call:{call_ref(call_id)}:{kind}:"
    return f"{base}{delegation}:" if delegation else base


def chasers(call_id: int, delegation: str = "") -> tuple[str, ...]:
    """What chases a delegation for an answer (reminders, notices of a new deadline):
    owed no more once it has answered, or the call is closed."""
    return (key_prefix(call_id, MOVED, delegation), key_prefix(call_id, REMINDER, delegation))


def calls_answered(
    s: Session,
    actor: Actor,
    now: datetime,
    *,
    requirement_ids: Collection[int] = (),
    objective_id: int | None = None,
) -> list[tuple[ContributionCall, CallResponse]]:
    """The open calls an answer about these lines (or a line of this objective) would
    answer for ``actor``'s delegation, its rows locked. Read before the answer itself
    is written: a pledge then locks its line's totals, and holds that lock only to
    record itself (tests/service/test_lock_hold.py). Nothing pending is flushed here."""
    if actor.delegation_id is None or (not requirement_ids and objective_id is None):
        return []
    with s.no_autoflush:
        found = cq.answerable(
            s, now, actor.delegation_id, requirement_ids=requirement_ids, objective_id=objective_id
        )
    return [(call, r) for call, r in found if r.state != CallState.RESPONDED]  # first answer stands


def answer(
    uow: UnitOfWork,
    s: Session,
    actor: Actor,
    found: list[tuple[ContributionCall, CallResponse]],
    how: Answer,
    ref: str,
    now: datetime,
    *,
    restricted: bool = False,
) -> list[str]:
    """``actor``'s delegation answered (``how``, with ``ref``) the calls ``found``; their
    refs. A pledge or a question after a nil return replaces it: the delegation has
    something to say after all."""
    for call, response in found:
        _answer(uow, s, actor, call, response, how, ref, now, restricted=restricted)
    return [call_ref(call.id) for call, _r in found]


def pledged(
    uow: UnitOfWork,
    s: Session,
    actor: Actor,
    found: list[tuple[ContributionCall, CallResponse]],
    pledge: Pledge,
    now: datetime,
) -> list[str]:
    """A pledge made or changed against a called line answers the call."""
    ref = f"P-{pledge.id}"
    return answer(uow, s, actor, found, Answer.PLEDGE, ref, now, restricted=pledge.restricted)


def record_response(
    uow: UnitOfWork,
    s: Session,
    actor: Actor,
    how: Answer,
    ref: str,
    now: datetime,
    *,
    restricted: bool = False,
    requirement_ids: Collection[int] = (),
    objective_id: int | None = None,
) -> list[str]:
    """Both at once, for an answer that takes no lock of its own (a question)."""
    found = calls_answered(
        s, actor, now, requirement_ids=requirement_ids, objective_id=objective_id
    )
    return answer(uow, s, actor, found, how, ref, now, restricted=restricted)


def decline(
    uow: UnitOfWork,
    s: Session,
    actor: Actor,
    call: ContributionCall,
    response: CallResponse,
    reason: str,
    now: datetime,
) -> None:
    """A nil return: the delegation has nothing to offer against the call's lines."""
    _answer(uow, s, actor, call, response, Answer.DECLINE, "", now, reason=reason)


def _answer(
    uow: UnitOfWork,
    s: Session,
    actor: Actor,
    call: ContributionCall,
    response: CallResponse,
    how: Answer,
    ref: str,
    now: datetime,
    *,
    restricted: bool = False,
    reason: str = "",
) -> None:
    before = {"state": response.state, "with": response.ref or response.how or None}
    response.state = CallState.DECLINED if how == Answer.DECLINE else CallState.RESPONDED
    response.how, response.ref, response.restricted = how, ref, restricted
    response.responded_by, response.responded_at, response.reason = actor.user_id, now, reason
    s.add(response)
    code = actor.delegation_code or ""
    after: dict[str, object] = {"state": response.state, "with": ref or how.value}
    if reason:
        after["reason"] = reason
    uow.record(
        s,
        actor,
        "call",
        call_ref(call.id),
        "declined" if how == Answer.DECLINE else "responded",
        before,
        {"delegation": code, **after},
        delegation_id=response.delegation_id,
        restricted=restricted or how == Answer.QUESTION,
    )
    outbox.cancel(s, *chasers(row_id(call.id), code))
