"""Who is asking: one statement per request, the data version beside it when the
request may reuse a shared read (bot/services/read_cache.py)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Dialect, Engine, bindparam, exists, literal
from sqlalchemy import select as sa_select
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col

from storage.models import Coordinator, DataVersion, Delegation, KnownUser, Member
from storage.versions import counts_on


class Identity(NamedTuple):
    """Who a Slack user is to Muster."""

    is_coordinator: bool
    known: bool  # answered before
    delegation_id: int | None
    delegation_code: str | None
    delegation_name: str | None


@cache
def _identify_statement(with_version: bool) -> Any:
    # Built once: every request runs it, and building the expression costs more than
    # running it on a small table. The user id is a bound parameter.
    user_id: Any = bindparam("user_id")
    coordinator = exists().where(col(Coordinator.user_id) == user_id)
    known = exists().where(col(KnownUser.user_id) == user_id)
    delegation_id = (
        sa_select(col(Member.delegation_id)).where(col(Member.user_id) == user_id).scalar_subquery()
    )
    anchor = sa_select(literal(1).label("one")).subquery()
    columns: list[Any] = [
        coordinator,
        known,
        col(Delegation.id),
        col(Delegation.code),
        col(Delegation.name),
    ]
    if with_version:
        columns.append(
            sa_select(col(DataVersion.number)).where(col(DataVersion.id) == 1).scalar_subquery()
        )
    return (
        sa_select(*columns)
        .select_from(anchor)
        .outerjoin(Delegation, col(Delegation.id) == delegation_id)
    )


def identify(s: Session, user_id: str) -> Identity:
    """(is a coordinator, has been answered before, their delegation) in one statement."""
    row = s.execute(_identify_statement(False), {"user_id": user_id}).one()
    return Identity(bool(row[0]), bool(row[1]), row[2], row[3], row[4])


def identify_at_version(engine: Engine, user_id: str) -> tuple[Identity, int | None]:
    """``identify`` and the data version (storage/versions.py) in one statement, run
    on its own outside any transaction, so it sees both as of one moment: one round
    trip. The version is None where it cannot be trusted (``versions.counts_on``).

    Every request that may reuse a shared read runs this, so it goes to the driver
    directly: through SQLAlchemy's connection, switching to autocommit and back cost
    four times the statement itself (0.44 ms of CPU against 0.09 ms, on PostgreSQL)."""
    raw = engine.raw_connection()  # from the pool, through its checkout events
    driver: Any = raw.driver_connection
    postgres = engine.dialect.name == "postgresql"  # SQLite's is in autocommit already
    try:
        if postgres:
            driver.autocommit = True  # no BEGIN, and nothing to roll back
        try:
            versioned = counts_on(engine.dialect, raw.dbapi_connection)
            statement, params = _compiled(engine.dialect, versioned)
            cursor = raw.cursor()
            try:
                cursor.execute(statement, params(user_id))
                row = cursor.fetchone()
            finally:
                cursor.close()
        finally:
            if postgres and not driver.closed:  # a lost connection cannot switch back
                driver.autocommit = False
    except engine.dialect.loaded_dbapi.Error as exc:
        lost = engine.dialect.is_disconnect(exc, raw.dbapi_connection, None)
        raw.invalidate()  # never back into the pool in a state nobody can vouch for
        if lost:  # as SQLAlchemy does: the server went away, so did the pool's others
            engine.dispose()
        error = engine.dialect.loaded_dbapi.Error
        raise DBAPIError.instance(
            "who is asking", None, exc, error, connection_invalidated=lost, dialect=engine.dialect
        ) from exc
    finally:
        raw.close()
    assert row is not None  # one row, whoever asks: the statement selects from a constant
    identity = Identity(bool(row[0]), bool(row[1]), row[2], row[3], row[4])
    return identity, (int(row[5]) if versioned and row[5] is not None else None)


@lru_cache(maxsize=8)  # per dialect: one per engine in use
def _compiled(dialect: Dialect, with_version: bool) -> tuple[str, Callable[[str], Any]]:
    """The statement as the driver takes it, and its parameters for a user id."""
    compiled = _identify_statement(with_version).compile(dialect=dialect)
    fixed = dict(compiled.params)
    order = compiled.positiontup

    def params(user_id: str) -> Any:
        values = {**fixed, "user_id": user_id}
        return tuple(values[name] for name in order) if order else values

    return compiled.string, params
