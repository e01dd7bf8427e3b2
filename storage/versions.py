"""The data a read transaction sees, as a number.

Every commit that changed anything renews the one row of ``data_version``, inside
its own transaction, just before it commits (the ``commit`` event, on the DBAPI
connection itself). Two reads that find the same number therefore see the same
committed data, whichever process wrote it and however: ORM, Core or raw SQL
through an engine made by ``storage.db.make_engine``.

The number is read before the data it keys (on PostgreSQL each statement of a
read-committed transaction sees what was committed when it started), so what is
built from the data is never older than its key.

Writes made outside Muster (an operator's psql, a raw load) do not renew it: what
was built is then given out for at most ``bot/services/read_cache.MAX_AGE``."""

from __future__ import annotations

import weakref
from typing import Any

from sqlalchemy import Connection, Dialect, Engine, event, inspect
from sqlmodel import Session

_WROTE = "muster_wrote"
# Statements that only read, or only steer the transaction; anything else writes.
_READS = ("SELECT", "PRAGMA", "SHOW", "BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "SET ")
# Statements whose row count says whether they changed anything.
_ROW_CHANGES = ("INSERT", "UPDATE", "DELETE")
# A new random number, not the next one: a database put back (a downgrade and an
# upgrade, a restore) would count up through numbers it has had before, and a process
# holding what it built at one of them would take it for current.
_NEW_NUMBER = {
    "sqlite": "random()",
    "postgresql": "(floor(random() * 9.2e18) - 4.6e18)::bigint",
}
_COUNT_UP = (
    "INSERT INTO data_version (id, number) VALUES (1, {new}) "
    "ON CONFLICT (id) DO UPDATE SET number = {new}"
)
_TABLE_THERE = {
    "sqlite": "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'data_version'",
    "postgresql": "SELECT to_regclass('data_version') IS NOT NULL",
}
# Engines that count (by their dialect, which an engine shares with the copies
# execution_options makes), and whether their database has the table yet. An older
# schema (an old export being imported, a migration's tests) has none: nothing is
# counted and nothing reused until it appears.
_counting: weakref.WeakKeyDictionary[Dialect, list[bool]] = weakref.WeakKeyDictionary()


def _has_table(dialect: Dialect, dbapi_connection: Any) -> bool:
    found = _counting[dialect]
    if not found[0]:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(_TABLE_THERE[dialect.name])
            row = cursor.fetchone()
        finally:
            cursor.close()
        found[0] = bool(row and row[0])
    return found[0]


def install(engine: Engine) -> None:
    """Count up the data version at each commit that wrote through ``engine``."""
    if engine.dialect in _counting:
        return
    _counting[engine.dialect] = [False]

    @event.listens_for(engine, "after_cursor_execute")
    def _note_writes(
        conn: Any, cursor: Any, statement: str, _params: Any, _context: Any, many: bool
    ) -> None:
        if not conn.info.get(_WROTE) and changed_something(statement, cursor.rowcount, many):
            conn.info[_WROTE] = True

    @event.listens_for(engine, "commit")
    def _count_up(conn: Any) -> None:
        raw = conn.connection.dbapi_connection
        if conn.info.pop(_WROTE, False) and _has_table(conn.dialect, raw):
            cursor = raw.cursor()
            try:
                cursor.execute(_COUNT_UP.format(new=_NEW_NUMBER[conn.dialect.name]))
            finally:
                cursor.close()

    @event.listens_for(engine, "rollback")
    def _nothing_written(conn: Any) -> None:
        conn.info.pop(_WROTE, None)


def changed_something(statement: str, rowcount: int, many: bool) -> bool:
    """Whether a statement that ran may have changed data. One that only reads does
    not; nor does an INSERT, UPDATE or DELETE that touched no row (the tick's
    housekeeping, every minute on a quiet day, would otherwise renew the version
    and make every process build its reads again). Anything else (DDL, whose row
    count is -1, several parameter sets, RETURNING, whose row count SQLite gives only
    once its rows are fetched) counts as a change."""
    words = statement.lstrip().upper()
    if words.startswith(_READS):
        return False
    if words.startswith(_ROW_CHANGES) and rowcount == 0 and not many:
        return "RETURNING" in words
    return True


def count_up_if_counting(conn: Connection) -> None:
    """Count up once, where the table exists (the end of a migration)."""
    if inspect(conn).has_table("data_version"):
        conn.exec_driver_sql(_COUNT_UP.format(new=_NEW_NUMBER[conn.dialect.name]))


def counts_on(dialect: Dialect, dbapi_connection: Any) -> bool:
    """Whether the data version can be trusted on ``dbapi_connection``: its engine
    (of ``dialect``) counts, and its database has the table."""
    return dialect in _counting and _has_table(dialect, dbapi_connection)


def data_version(session: Session) -> int | None:
    """The data version this read transaction sees, in one statement; None when it
    cannot be trusted (its engine does not count, or its database has no table or no
    row yet): then nothing may be reused."""
    conn = session.connection()
    if not counts_on(conn.dialect, conn.connection.dbapi_connection):
        return None
    number = conn.exec_driver_sql("SELECT number FROM data_version WHERE id = 1").scalar()
    return None if number is None else int(number)
