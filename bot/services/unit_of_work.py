"""The unit of work: one transaction per service call, the delivery it answers,
and the caller it acts for.

A ``UnitOfWork`` bound to one request (``for_request``) carries the request's
delivery key, so a retried delivery is refused instead of applied twice, and
remembers who the caller is once it has been looked up, so a request identifies
its caller once, inside the transaction of the command itself."""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.domain import access
from bot.domain.clock import Clock
from bot.domain.errors import AlreadyApplied
from bot.domain.model import json_number
from bot.domain.read_models import Actor
from bot.services.loaders import pledge_ref
from bot.services.read_cache import ReadCache
from storage import queries as q
from storage.db import read_session, write_session
from storage.identity import Identity, identify, identify_at_version
from storage.models import Pledge
from storage.versions import data_version

T = TypeVar("T")


@dataclass(frozen=True)
class Caller:
    """Who is asking, and whether Muster has answered them before."""

    actor: Actor
    known: bool


class UnitOfWork:
    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        *,
        coordinators: Iterable[str] = (),
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.bootstrap_coordinators = frozenset(u.upper() for u in coordinators)
        self.delivery_key: str | None = None
        self.callers: dict[str, Caller] | None = None  # only a request's own copy remembers
        self.shared_reads = ReadCache()  # one per process: every request's copy shares it

    def for_request(self, delivery_key: str | None) -> UnitOfWork:
        """A copy for one request: its next change is recorded under ``delivery_key``
        and the caller, once identified, is not looked up again."""
        bound = copy.copy(self)
        bound.delivery_key = delivery_key
        bound.callers = {}
        return bound

    # --- transactions ------------------------------------------------------------

    @contextmanager
    def read(self) -> Iterator[Session]:
        with read_session(self.engine) as s:
            yield s

    def shared_read(self, user_id: str, name: Hashable, build: Callable[[Session], T]) -> T:
        """What ``build`` reads, the same for every registered caller. When it was
        built before at the current data version this costs one statement, outside
        any transaction: who is asking, and the version. Otherwise it is built in a
        read transaction and kept under the version that transaction sees."""
        identity, version = identify_at_version(self.engine, user_id)
        caller = self.identified(user_id)
        if caller is None:
            caller = self._caller_from(identity, user_id)
            self._remember(user_id, caller)
        access.require_registered(caller.actor)
        found, value = self.shared_reads.kept(name, version)
        if found:
            return value  # type: ignore[no-any-return]
        with self.read() as s:
            return self.shared_reads.get(name, data_version(s), lambda: build(s))

    @contextmanager
    def write(self, *, bookkeeping: bool = False) -> Iterator[Session]:
        """A write transaction. The first change of a request claims its delivery key;
        bookkeeping (where a post went, claims, watermarks) is not the request's change."""
        with write_session(self.engine) as s:
            if self.delivery_key is not None and not bookkeeping:
                try:
                    q.claim_delivery(s, self.delivery_key, self.clock())
                except IntegrityError:
                    raise AlreadyApplied(
                        "This request reached Muster twice; it was applied once."
                    ) from None
                self.delivery_key = None  # one change per delivery
            yield s

    # --- who is asking -------------------------------------------------------------

    def caller(self, s: Session, user_id: str) -> Caller:
        """The caller as this request knows them, looked up at most once."""
        if self.callers is not None and user_id in self.callers:
            return self.callers[user_id]
        found = self._caller_from(identify(s, user_id), user_id)
        self._remember(user_id, found)
        return found

    def identified(self, user_id: str) -> Caller | None:
        """The caller, if this request has looked them up already."""
        return self.callers.get(user_id) if self.callers is not None else None

    def _remember(self, user_id: str, found: Caller) -> None:
        if self.callers is not None:
            self.callers[user_id] = found

    def remember_known(self, user_id: str) -> None:
        if self.callers is not None and user_id in self.callers:
            self.callers[user_id] = Caller(self.callers[user_id].actor, known=True)

    def actor(self, s: Session, user_id: str) -> Actor:
        return self.caller(s, user_id).actor

    def registered(self, s: Session, user_id: str) -> Actor:
        return access.require_registered(self.actor(s, user_id))

    def coordinator(self, s: Session, user_id: str, doing: str) -> Actor:
        return access.require_coordinator(self.actor(s, user_id), doing)

    def delegate(self, s: Session, user_id: str, doing: str) -> Actor:
        return access.require_delegate(self.actor(s, user_id), doing)

    def _caller_from(self, identity: Identity, user_id: str) -> Caller:
        is_coordinator = identity.is_coordinator or user_id in self.bootstrap_coordinators
        if identity.delegation_id is None:
            return Caller(Actor(user_id=user_id, is_coordinator=is_coordinator), identity.known)
        actor = Actor(
            user_id=user_id,
            is_coordinator=is_coordinator,
            delegation_code=identity.delegation_code,
            delegation_name=identity.delegation_name,
            delegation_id=identity.delegation_id,
        )
        return Caller(actor, identity.known)

    # --- audit ---------------------------------------------------------------------

    def record(
        self,
        s: Session,
        actor: Actor,
        entity: str,
        ref: str,
        action: str,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        **extra: Any,
    ) -> None:
        """One audit event, in the transaction of the change it records."""
        q.add_event(
            s,
            at=self.clock(),
            actor=actor.user_id,
            entity=entity,
            entity_ref=ref,
            action=action,
            before=_jsonable(before or {}),
            after=_jsonable(after or {}),
            **extra,
        )

    def record_pledge(
        self,
        s: Session,
        actor: Actor,
        pledge: Pledge,
        requirement_code: str,
        action: str,
        before: dict[str, Any],
        after: dict[str, Any],
    ) -> None:
        """A pledge's audit event, on its requirement's trail, carrying what decides
        who may read it (its delegation, and whether it is restricted)."""
        self.record(
            s,
            actor,
            "pledge",
            pledge_ref(pledge.id),
            action,
            before,
            after,
            requirement_code=requirement_code,
            delegation_id=pledge.delegation_id,
            restricted=pledge.restricted,
        )


def _jsonable(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: _json_value(v) for k, v in fields.items()}


def _json_value(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):  # a quantity: 2 stays 2, 0.25 is written 0.25
        return json_number(value)
    return value
