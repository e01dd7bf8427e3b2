"""Fixtures: a real database per test (SQLite, and PostgreSQL when configured),
the loopback Slack stand-in, and the real Bolt app wired to both."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Connection, Engine, event

from bot.domain.clock import FixedClock
from bot.runtime.settings import Settings
from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from storage.db import make_engine, upgrade
from tests.support.clock import START
from tests.support.databases import postgres_admin_url, postgres_database, postgres_required, reset

SIGNING_SECRET = "test-signing-secret"
COORDINATOR = "UCOORD"

# Property tests explore new examples on every run on a developer's machine, where a
# failure is a find; CI (.ci/run: --hypothesis-profile=ci) tries the same examples
# every time, so main cannot turn red on a draw. A failure prints the blob that
# replays it (@reproduce_failure).
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)


def settings_variables() -> set[str]:
    """Upper-cased names of every environment variable Settings reads, from its fields:
    names, aliases and validation aliases, with and without the env_prefix."""
    from pydantic import AliasChoices, AliasPath

    prefix = str(Settings.model_config.get("env_prefix") or "")
    names: set[str] = set()
    for name, field in Settings.model_fields.items():
        aliases: list[object] = [name, field.alias, field.validation_alias]
        if isinstance(field.validation_alias, AliasChoices):
            aliases += field.validation_alias.choices
        for alias in aliases:
            if isinstance(alias, AliasPath):
                alias = alias.path[0]
            if isinstance(alias, str):
                names |= {alias.upper(), f"{prefix}{alias}".upper()}
    # Test configuration, not settings.
    return names - {"TEST_POSTGRES_URL", "MUSTER_REQUIRE_POSTGRES"}


@pytest.fixture(scope="session", autouse=True)
def _no_developer_environment() -> Iterator[None]:
    """Tests and fixtures never read the developer's shell or .env: every variable
    Settings reads is removed (in any case), and Settings reads no env file."""
    import os

    names = settings_variables()
    delimiter = str(Settings.model_config.get("env_nested_delimiter") or "\0").upper()
    with pytest.MonkeyPatch.context() as mp:
        for key in list(os.environ):
            upper = key.upper()
            if upper in names or upper.split(delimiter)[0] in names:
                mp.delenv(key)
        mp.setitem(Settings.model_config, "env_file", None)
        mp.setitem(Settings.model_config, "secrets_dir", None)
        yield


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    _require_postgres()
    with postgres_database() as url:
        upgrade(url)
        yield url


def _require_postgres() -> None:
    if not postgres_admin_url():
        if postgres_required():
            pytest.fail("MUSTER_REQUIRE_POSTGRES=1 but TEST_POSTGRES_URL is not set")
        pytest.skip("PostgreSQL half: set TEST_POSTGRES_URL to run it")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of each kind with no tables at all: migrations start from here."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    _require_postgres()
    with postgres_database("muster_empty") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "muster.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    reset(engine)
    engine.dispose()
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> FixedClock:
    """Every test runs on a clock that stands still until the test moves it."""
    return FixedClock(START)


@pytest.fixture
def muster(engine: Engine, clock: FixedClock) -> Muster:
    return Muster(engine, clock=clock, coordinators=[COORDINATOR])


@pytest.fixture(scope="session")
def slack_server() -> Iterator[SlackStandIn]:
    with SlackStandIn() as server:
        yield server


@pytest.fixture
def slack(slack_server: SlackStandIn) -> SlackStandIn:
    slack_server.reset()
    return slack_server


@pytest.fixture
def settings(database_url: str, slack: SlackStandIn) -> Settings:
    return Settings(
        database_url=database_url,
        slack_bot_token="xoxb-test-token",  # type: ignore[arg-type]
        slack_signing_secret=SIGNING_SECRET,  # type: ignore[arg-type]
        slack_api_url=slack.api_url,
        muster_coordinators=(COORDINATOR,),
    )


class StatementCounter:
    """Statements as the driver receives them: those Muster sends past SQLAlchemy's
    connection (who is asking, storage/identity.py; the data version at commit,
    storage/versions.py) count as much as the rest. Transaction control is left out."""

    LEFT_OUT = ("BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, statement: str) -> None:
        if not statement.lstrip().upper().startswith(self.LEFT_OUT):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


def _counting_cursor(counter: StatementCounter) -> type:
    import psycopg

    class CountingCursor(psycopg.Cursor):  # type: ignore[type-arg]
        def execute(self, query: Any, *args: Any, **kwargs: Any) -> Any:
            counter(query if isinstance(query, str) else str(query))
            return super().execute(query, *args, **kwargs)

        def executemany(self, query: Any, *args: Any, **kwargs: Any) -> Any:
            counter(query if isinstance(query, str) else str(query))
            return super().executemany(query, *args, **kwargs)

    return CountingCursor


@pytest.fixture
def count_statements(engine: Engine) -> Iterator[StatementCounter]:
    counter = StatementCounter()

    def watch(dbapi_connection: Any, _record: Any) -> None:
        if engine.dialect.name == "sqlite":
            dbapi_connection.set_trace_callback(counter)
        else:
            dbapi_connection.cursor_factory = _counting_cursor(counter)

    engine.dispose()  # every connection from now on is a new one, watched from the start
    event.listen(engine, "connect", watch)
    yield counter
    event.remove(engine, "connect", watch)


class RowCounter:
    """Rows each SELECT returns, counted after it ran by asking the database how many
    rows the same statement, with the same parameters, in the same transaction,
    yields. A statement read with ``.first()`` counts whole: the count is an upper
    bound, and deterministic, unlike timings."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, str]] = []

    def __call__(
        self, conn: Connection, cursor: Any, statement: str, parameters: Any, *_args: object
    ) -> None:
        head = statement.lstrip().upper()
        if not head.startswith(("SELECT", "WITH")) or "FOR UPDATE" in head:
            return
        counting = conn.connection.cursor()
        try:
            counting.execute(f"SELECT count(*) FROM ({statement}) AS counted", parameters)
            self.rows.append((int(counting.fetchone()[0]), statement))
        finally:
            counting.close()

    @property
    def total(self) -> int:
        return sum(n for n, _ in self.rows)

    def clear(self) -> None:
        self.rows.clear()


@pytest.fixture
def count_rows(engine: Engine) -> Iterator[RowCounter]:
    counter = RowCounter()
    event.listen(engine, "after_cursor_execute", counter)
    yield counter
    event.remove(engine, "after_cursor_execute", counter)
