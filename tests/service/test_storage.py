"""The persistence layer on both databases: time zones, constraints, SQLite settings,
migrations and the schema check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from storage import queries as q
from storage.db import (
    SchemaOutOfDate,
    current_revision,
    ensure_current,
    head_revision,
    make_engine,
    ping,
    read_session,
    write_session,
)
from storage.models import Delegation, Member
from tests.support.databases import (
    check_migrations_match_models,
    postgres_admin_url,
    postgres_database,
)

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def add_delegation(engine: Engine, code: str, at: datetime) -> None:
    with write_session(engine) as s:
        s.add(Delegation(code=code, name=code.title(), created_at=at))


def test_timestamps_come_back_timezone_aware_utc(engine: Engine) -> None:
    brussels = timezone(timedelta(hours=1))
    add_delegation(engine, "NM", datetime(2026, 11, 25, 17, 30, tzinfo=brussels))
    with read_session(engine) as s:
        stored = q.get_delegation(s, "nm")
    assert stored is not None
    assert stored.created_at == datetime(2026, 11, 25, 16, 30, tzinfo=UTC)
    assert stored.created_at.utcoffset() == timedelta(0)


def test_naive_timestamps_are_refused(engine: Engine) -> None:
    with pytest.raises(Exception, match="naive datetime refused"):
        add_delegation(engine, "NM", datetime(2026, 11, 25, 17, 30))


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    with pytest.raises(IntegrityError), write_session(engine) as s:
        s.add(Member(user_id="U1", delegation_id=999, added_by="U0", added_at=T0))


def test_codes_are_unique(engine: Engine) -> None:
    add_delegation(engine, "NM", T0)
    with pytest.raises(IntegrityError):
        add_delegation(engine, "NM", T0)


def test_a_failed_write_leaves_nothing_behind(engine: Engine) -> None:
    with pytest.raises(RuntimeError), write_session(engine) as s:
        s.add(Delegation(code="NM", name="Northmark", created_at=T0))
        s.flush()
        raise RuntimeError("boom")
    with read_session(engine) as s:
        assert q.get_delegation(s, "NM") is None


def test_read_sessions_never_commit(engine: Engine) -> None:
    with read_session(engine) as s:
        s.add(Delegation(code="NM", name="Northmark", created_at=T0))
        s.flush()
    with read_session(engine) as s:
        assert q.get_delegation(s, "NM") is None


def test_objectives_are_seeded_by_the_migration(engine: Engine) -> None:
    with read_session(engine) as s:
        assert [o.code for o in q.list_objectives(s)] == ["SKY", "SEA", "LAND", "UAF"]


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1


def test_sqlite_writes_take_the_lock_up_front(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'lock.db'}")
    statements: list[str] = []
    from sqlalchemy import event

    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with write_session(engine) as s:
        s.exec(text("SELECT 1"))  # type: ignore[call-overload]
    with read_session(engine) as s:
        s.exec(text("SELECT 1"))  # type: ignore[call-overload]
    begins = [st for st in statements if st.startswith("BEGIN")]
    assert begins == ["BEGIN IMMEDIATE", "BEGIN DEFERRED"]


def test_other_postgres_drivers_are_refused() -> None:
    with pytest.raises(ValueError, match="psycopg"):
        make_engine("postgresql://postgres@127.0.0.1/x")


def test_schema_check_refuses_an_empty_database(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(
        SchemaOutOfDate, match=r"The database is empty.*Run `muster db upgrade` first"
    ):
        ensure_current(engine)


def test_schema_check_accepts_a_migrated_database(engine: Engine) -> None:
    ensure_current(engine)
    assert current_revision(engine) == head_revision()
    assert ping(engine)


def test_schema_check_names_an_old_revision(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    try:
        with pytest.raises(SchemaOutOfDate, match="at revision 0000"):
            ensure_current(engine)
    finally:
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE alembic_version SET version_num = :head"), {"head": head_revision()}
            )


def test_ping_reports_an_unreachable_database() -> None:
    assert not ping(make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))


def test_migrations_match_the_models_on_sqlite(tmp_path: Path) -> None:
    check_migrations_match_models(f"sqlite:///{tmp_path / 'fresh.db'}")


@pytest.mark.postgres
def test_migrations_match_the_models_on_postgresql() -> None:
    if not postgres_admin_url():
        pytest.skip("PostgreSQL half: set TEST_POSTGRES_URL to run it")
    with postgres_database("muster_migrate") as url:
        check_migrations_match_models(url)


def test_sessions_are_plain_sqlmodel_sessions(engine: Engine) -> None:
    with read_session(engine) as s:
        assert isinstance(s, Session)
