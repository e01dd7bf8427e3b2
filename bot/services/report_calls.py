"""Calls for contributions and nil returns, as the written report shows them: each open
call with its tally (who responded, nil returns counted, who is still silent) as the
digest gives it, and each delegation's nil returns ("nothing to offer"), which are
answers too.

How a delegation answered a call is for the coordinators and that delegation alone
(bot.services.call_views): every delegation reads a call's counts and who is silent,
so the coalition's edition gives the tallies and leaves the nil returns to the
coordinators'."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session

from bot.domain.calls import CallState, call_ref
from bot.domain.read_models import CallView
from bot.services.report_model import NilReturn, OpenCall
from storage import report_queries as rq


@dataclass(frozen=True)
class CallsPicture:
    open_calls: tuple[OpenCall, ...] = ()  # by deadline, soonest first
    nil_returns: dict[str, tuple[NilReturn, ...]] = field(default_factory=dict)  # by delegation


def calls_for_report(s: Session, calls: Sequence[CallView], *, full_view: bool) -> CallsPicture:
    """The open calls among ``calls`` (the digest's, read for this edition's audience in
    the report's transaction ``s``) and, for the coordinators (``full_view``), every
    nil return by delegation code, oldest first."""
    open_calls = tuple(
        OpenCall(c.ref, tuple(v.code for v in c.lines), c.deadline, c.tally)
        for c in calls
        if c.open
    )
    if not full_view:
        return CallsPicture(open_calls)
    by_delegation: dict[str, list[NilReturn]] = defaultdict(list)
    for row in rq.nil_returns(s, declined=CallState.DECLINED.value):
        about = f"{call_ref(row.call_id)} ({row.scope})"
        by_delegation[row.delegation].append(NilReturn(about, row.at, row.reason))
    return CallsPicture(open_calls, {code: tuple(found) for code, found in by_delegation.items()})
