"""The services, one per aggregate, over one unit of work.

``Muster`` is what the Slack surface and the runtime hold: ``muster.pledges``,
``muster.questions`` and so on. It is shared by every thread and holds adapters,
not request state; ``for_request`` makes the copy that one request works with."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import Any

from sqlalchemy import Engine

from bot.domain import access
from bot.domain.clock import Clock
from bot.domain.read_models import Actor
from bot.services.answer_notices import AnswerNotices
from bot.services.broadcasts import Broadcasts
from bot.services.call_planning import CallPlanning
from bot.services.calls import Calls
from bot.services.delegations import Delegations
from bot.services.digests import Digests
from bot.services.outbox import Outbox
from bot.services.pledges import Pledges
from bot.services.questions import Questions
from bot.services.reconfirmation import Reconfirmations
from bot.services.report_issues import ReportIssues
from bot.services.reports import Reports
from bot.services.requirements import Requirements
from bot.services.unit_of_work import UnitOfWork
from storage import queries as q
from storage.models import KnownUser


class Muster:
    def __init__(
        self,
        engine: Engine,
        *,
        clock: Clock,
        coordinators: Iterable[str] = (),
        timezone: str = "Europe/Brussels",
        marking: str = "",
        coalition: str = "",
        uow: UnitOfWork | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.timezone = timezone  # the coalition's own, for schedules and deadlines
        self.marking = marking  # the line every written report carries; none if empty
        self.coalition = coalition  # its name, on the written report's cover; none if empty
        self.uow = uow or UnitOfWork(engine, clock, coordinators=coordinators)

    def for_request(self, delivery_key: str | None) -> Muster:
        """The services as one request uses them: its first change is recorded under
        ``delivery_key`` (a retried delivery is refused, not applied twice), and its
        caller is looked up once."""
        return Muster(
            self.engine,
            clock=self.clock,
            timezone=self.timezone,
            marking=self.marking,
            coalition=self.coalition,
            uow=self.uow.for_request(delivery_key),
        )

    def __deepcopy__(self, memo: dict[int, Any]) -> Muster:
        # Bolt deep-copies the request context for lazy listeners; the services
        # (engine, pool) are shared, never duplicated.
        return self

    # --- the aggregates ----------------------------------------------------------------

    @cached_property
    def delegations(self) -> Delegations:
        return Delegations(self.uow)

    @cached_property
    def requirements(self) -> Requirements:
        return Requirements(self.uow)

    @cached_property
    def pledges(self) -> Pledges:
        return Pledges(self.uow, self.timezone)

    @cached_property
    def questions(self) -> Questions:
        return Questions(self.uow)

    @cached_property
    def reports(self) -> Reports:
        return Reports(self.uow)

    @cached_property
    def report_issues(self) -> ReportIssues:
        return ReportIssues(self.uow)

    @cached_property
    def broadcasts(self) -> Broadcasts:
        return Broadcasts(self.uow)

    @cached_property
    def digests(self) -> Digests:
        return Digests(self.uow, self.timezone)

    @cached_property
    def answer_notices(self) -> AnswerNotices:
        return AnswerNotices(self.uow)

    @cached_property
    def reconfirmations(self) -> Reconfirmations:
        return Reconfirmations(self.uow, self.timezone)

    @cached_property
    def outbox(self) -> Outbox:
        return Outbox(self.uow)

    @cached_property
    def calls(self) -> Calls:
        return Calls(self.uow)

    @cached_property
    def call_planning(self) -> CallPlanning:
        return CallPlanning(self.uow)

    # --- the caller --------------------------------------------------------------------

    def identify(self, user_id: str) -> Actor:
        """Who the caller is (looked up once per request)."""
        with self.uow.read() as s:
            return self.uow.actor(s, user_id)

    def require_registered(self, user_id: str) -> Actor:
        return access.require_registered(self.identify(user_id))

    def first_contact(self, user_id: str) -> bool:
        """True the first time Muster answers this user, who is then remembered.

        The request has usually identified its caller already; only a stranger's
        first request writes."""
        caller = self.uow.identified(user_id)
        if caller is None:
            with self.uow.read() as s:
                caller = self.uow.caller(s, user_id)
        if caller.known:
            return False
        with self.uow.write(bookkeeping=True) as s:
            first = q.insert_once(s, KnownUser(user_id=user_id, first_seen_at=self.clock()))
        self.uow.remember_known(user_id)
        return first
