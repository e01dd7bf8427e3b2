"""Calls for contributions and nil returns, as the written report shows them: each open
call with the delegations that answered it and those still silent, and each
delegation's nil returns ("nothing to offer"), which are answers too.

The calls (issue 12) are being built on another branch. ``calls_for_report`` is the
one place the report reads them from; until they are merged it finds none, and the
report says that no call is open and no nil return is recorded, which is then true."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from bot.services.report_model import NilReturn, OpenCall


@dataclass(frozen=True)
class CallsPicture:
    open_calls: tuple[OpenCall, ...] = ()  # by deadline, soonest first
    nil_returns: dict[str, tuple[NilReturn, ...]] = field(default_factory=dict)  # by delegation


def calls_for_report(s: Session, as_of: datetime, *, full_view: bool) -> CallsPicture:
    """The calls open at ``as_of`` and every nil return, read in the report's
    transaction ``s``, as the coordinators (``full_view``) or every delegation may see
    them. To wire: read the calls tables here (responded, declined and silent per
    open call, from the same rule `call status` uses) and the nil returns per
    delegation code, oldest first."""
    del s, as_of, full_view  # nothing to read until the calls are merged
    return CallsPicture()
