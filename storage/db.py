"""Engines, sessions and the schema check.

SQLite gets WAL (readers never block the writer), foreign keys, a busy timeout,
and ``BEGIN IMMEDIATE`` for write transactions: taking the write lock up front
means two concurrent commands queue on the lock instead of failing with
"database is locked" when a read transaction tries to upgrade to a write.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError
from sqlmodel import Session

from storage import totals, versions

MIGRATIONS = Path(__file__).parent / "migrations"
_BEGIN_MODE = "muster_begin"
# A connection that sat idle may have been dropped by the server, a restart or a
# firewall; one in steady use has not. Only those idle longer than this are pinged
# on checkout: pinging every checkout (pool_pre_ping) costs a round trip per request.
PING_AFTER_IDLE = 10.0


class SchemaOutOfDate(RuntimeError):
    """The database is not at the revision this code expects."""


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or opened."""


def make_engine(url: str, *, count_versions: bool = True, **kwargs: Any) -> Engine:
    """Create an engine; connects lazily, so nothing is opened here.

    ``count_versions``: each commit that wrote counts up the data version
    (storage/versions.py); only migrations, which may run before its table exists,
    do without."""
    totals.install()  # pledge totals follow every flush, whichever engine is used
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = _sqlite_engine(url, **kwargs)
        if count_versions:
            versions.install(engine)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername != "postgresql+psycopg":
        raise ValueError("use the psycopg 3 driver: postgresql+psycopg://user@host/db")
    # A host that drops packets would hold each connection attempt for minutes.
    connect_args = {"connect_timeout": 5, **kwargs.pop("connect_args", {})}
    engine = create_engine(url, connect_args=connect_args, **kwargs)
    ping_idle_connections(engine, PING_AFTER_IDLE)
    if count_versions:
        versions.install(engine)
    return engine


def ping_idle_connections(engine: Engine, after: float) -> None:
    """Ping a pooled connection on checkout when it has been idle for ``after``
    seconds; a dead one is replaced (the pool retries with a new connection)."""

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < after:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError("idle connection is gone") from exc
        if not alive:
            raise DisconnectionError("idle connection is gone")


def _sqlite_engine(url: str, **kwargs: Any) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy (not the sqlite3 module) decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if make_url(url).database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(_BEGIN_MODE, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def open_ahead(engine: Engine, count: int) -> int:
    """Open ``count`` connections into the pool now, so that the first burst of
    requests finds them ready instead of each opening its own (on PostgreSQL a new
    server process, tens of milliseconds). How many opened; an unreachable database
    opens none here and is reported by the requests that need it."""
    opened = 0
    with ExitStack() as held:  # all held at once, or the pool would hand out one again
        try:
            for _ in range(count):
                held.enter_context(engine.connect())
                opened += 1
        except SQLAlchemyError:
            pass
    return opened


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reading. It never commits: closing it ends the transaction,
    and the objects it loaded stay readable afterwards."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session holding the write lock from its first statement; commits on success."""
    bind = engine.execution_options(**{_BEGIN_MODE: "IMMEDIATE"})
    with Session(bind, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except SQLAlchemyError as exc:
        raise DatabaseUnavailable(f"cannot open the database: {exc.__class__.__name__}") from exc


def ensure_current(engine: Engine) -> None:
    """Refuse to run against a database that is not migrated to this code's head."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        where = "empty" if current is None else f"at revision {current}"
        raise SchemaOutOfDate(
            f"The database is {where}, this version of Muster needs revision {head}. "
            "Run `muster db upgrade` first."
        )


def ping(engine: Engine) -> bool:
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        return True
    except SQLAlchemyError:
        return False
