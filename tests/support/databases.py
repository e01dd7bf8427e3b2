"""Throwaway databases for tests: SQLite files and PostgreSQL databases."""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from storage import backup
from storage.db import alembic_config, upgrade

# pledge_total is derived from the pledges (storage.totals), so no export holds it.
TABLES_CHILD_FIRST = [
    "pledge_total",
    *(name for name in reversed(backup.TABLES) if name != "objective"),
]


def postgres_admin_url() -> str | None:
    return os.environ.get("TEST_POSTGRES_URL")


def postgres_required() -> bool:
    return os.environ.get("MUSTER_REQUIRE_POSTGRES") == "1"


@contextmanager
def postgres_database(prefix: str = "muster_test") -> Iterator[str]:
    """Create an empty database on the test server; drop it afterwards."""
    admin_url = postgres_admin_url()
    assert admin_url, "TEST_POSTGRES_URL is not set"
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def served_database(kind: str, folder: Path, sqlite_template: Path) -> Iterator[str]:
    """A migrated database for a server process: a SQLite copy in ``folder``, or a
    PostgreSQL database (skipped without TEST_POSTGRES_URL, failed if required)."""
    if kind == "sqlite":
        path = folder / "served.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    if not postgres_admin_url():
        if postgres_required():
            pytest.fail("MUSTER_REQUIRE_POSTGRES=1 but TEST_POSTGRES_URL is not set")
        pytest.skip("PostgreSQL half: set TEST_POSTGRES_URL to run it")
    with postgres_database("muster_served") as url:
        upgrade(url)
        yield url


def row_counts(engine: Engine) -> dict[str, int]:
    """How many rows each table holds: equal before and after means nothing was written."""
    with engine.connect() as conn:
        return {
            table: int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in backup.TABLES
        }


def reset(engine: Engine, attempts: int = 5) -> None:
    """Put a migrated database back to its freshly migrated state (numbering included)."""
    for attempt in range(attempts):
        try:
            _reset(engine)
            return
        except OperationalError:  # a deadlock with a server still finishing its work
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


def _reset(engine: Engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(TABLES_CHILD_FIRST)} RESTART IDENTITY CASCADE"))
        else:
            for table in TABLES_CHILD_FIRST:
                conn.execute(text(f"DELETE FROM {table}"))
            # Without AUTOINCREMENT, SQLite numbers from max(rowid) + 1, so ids restart at 1.
        defaults = {
            "SKY": "Safe skies",
            "SEA": "Secure sea lanes",
            "LAND": "Peace on land",
            "UAF": "Strengthening the host nation's forces",
        }
        for code, name in defaults.items():
            conn.execute(
                text(
                    "UPDATE objective SET name = :name, lead_delegations = '', next_requirement_seq = 1 "
                    "WHERE code = :code"
                ),
                {"name": name, "code": code},
            )


def check_migrations_match_models(url: str) -> None:
    """Upgrade ``url`` from empty and fail if the models describe anything else (alembic check)."""
    upgrade(url)
    command.check(alembic_config(url))


def count(engine: Engine, table: str) -> int:
    """How many rows ``table`` holds."""
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
