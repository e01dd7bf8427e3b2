"""`status` and `gaps` are built once and reused while the data stays the same
(bot/services/read_cache.py, storage/versions.py). Reused must never mean stale:
whoever writes (this process, another process, the same pooled connection), the
next read shows it."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from bot.domain.errors import Conflict
from bot.domain.model import PledgeStatus
from bot.domain.read_models import StatusReport, gaps_first, status_report
from bot.services import loaders
from bot.services.muster import Muster
from storage.db import make_engine, ping_idle_connections, read_session, write_session
from storage.identity import identify_at_version
from storage.versions import data_version
from tests.support.clock import FixedClock
from tests.support.databases import postgres_admin_url
from tests.support.factories import COORDINATOR, OTHER, OWN, small_coalition


def fresh_status(engine: Engine) -> StatusReport:
    """Status as built from scratch, nothing reused."""
    with read_session(engine) as s:
        return status_report(*loaders.catalogue_views(s))


def another_process(database_url: str, clock: FixedClock) -> Muster:
    """The services as a second replica holds them: its own engine, pool and cache."""
    return Muster(make_engine(database_url), clock=clock, coordinators=[COORDINATOR])


def test_a_write_by_another_process_shows_at_once(
    muster: Muster, database_url: str, clock: FixedClock
) -> None:
    small_coalition(muster)
    before = muster.reports.status(OTHER)
    assert muster.reports.status(OTHER) is before  # reused while nothing changes

    other = another_process(database_url, clock)
    other.pledges.pledge(OTHER, requirement="SKY-1", quantity=2, status=PledgeStatus.CONFIRMED)
    after = muster.reports.status(OTHER)
    assert after is not before
    assert after == fresh_status(muster.engine)
    assert after.overall != before.overall
    other.engine.dispose()


def test_a_write_on_the_same_pooled_connection_shows_at_once(
    database_url: str, clock: FixedClock
) -> None:
    engine = make_engine(database_url, pool_size=1, max_overflow=0)  # one connection for all
    m = Muster(engine, clock=clock, coordinators=[COORDINATOR])
    small_coalition(m)
    gaps = m.reports.gaps(OTHER)
    m.pledges.pledge(OTHER, requirement="SKY-1", quantity=5, status=PledgeStatus.CONFIRMED)
    with read_session(engine) as s:
        assert m.reports.gaps(OTHER) == tuple(gaps_first(loaders.all_requirement_views(s)))
    assert m.reports.gaps(OTHER) != gaps
    engine.dispose()


def test_every_commit_that_wrote_renews_the_version_and_no_other(engine: Engine) -> None:
    def version() -> int | None:
        with read_session(engine) as s:
            return data_version(s)

    start = version()
    assert start is not None
    with engine.begin() as conn:  # raw SQL writes count as much as the ORM's
        conn.exec_driver_sql("UPDATE objective SET name = name WHERE code = 'SKY'")
    renewed = version()
    assert renewed not in (None, start)
    with engine.connect() as conn:  # read, or write and roll back: nothing changed
        conn.exec_driver_sql("SELECT count(*) FROM objective")
        conn.commit()
        conn.exec_driver_sql("UPDATE objective SET name = 'x' WHERE code = 'SKY'")
        conn.rollback()
    assert version() == renewed


WRITES: list[Callable[[Muster, random.Random], object]] = [
    lambda m, r: m.pledges.pledge(
        r.choice([OWN, OTHER]),
        requirement=r.choice(["SKY-1", "LAND-1"]),
        quantity=r.randint(1, 3),
        status=r.choice(list(PledgeStatus)[:3]),
        condition=r.choice(["", "subject to parliament"]),
    ),
    lambda m, r: m.requirements.edit_requirement(
        COORDINATOR, r.choice(["SKY-1", "LAND-1"]), quantity=r.randint(4, 12)
    ),
    lambda m, r: m.questions.ask(OTHER, "Who funds the fuel?"),
]


@pytest.mark.parametrize("seed", [1, 2])
def test_interleaved_writes_and_reads_never_show_stale_figures(
    muster: Muster, database_url: str, clock: FixedClock, seed: int
) -> None:
    small_coalition(muster)
    replicas = [muster, another_process(database_url, clock)]
    r = random.Random(seed)
    for _ in range(30):
        if r.random() < 0.5:
            with contextlib.suppress(Conflict):  # an edit that changes nothing
                r.choice(WRITES)(r.choice(replicas), r)
        reader = r.choice(replicas)
        assert reader.reports.status(OWN) == fresh_status(muster.engine)
        assert reader.reports.status(OTHER, "SKY") == reader.reports.status(OWN, "sky")
    replicas[1].engine.dispose()


def test_an_engine_that_does_not_count_reuses_nothing(database_url: str) -> None:
    plain = create_engine(database_url)  # not made by make_engine: its commits uncounted
    with read_session(plain) as s:
        assert data_version(s) is None
    plain.dispose()


def test_an_idle_connection_the_server_dropped_is_replaced(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("a server that drops connections")
    admin = create_engine(str(postgres_admin_url()), isolation_level="AUTOCOMMIT")

    def pooled_connection_dropped(engine: Engine) -> int:
        with engine.connect() as conn:
            pid = int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        return pid

    pinged = create_engine(database_url)
    ping_idle_connections(pinged, after=0.0)
    dropped = pooled_connection_dropped(pinged)
    with pinged.connect() as conn:
        assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one() != dropped

    unpinged = create_engine(database_url)  # the control: without the ping it fails
    pooled_connection_dropped(unpinged)
    with pytest.raises(OperationalError), unpinged.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    for engine in (pinged, unpinged, admin):
        engine.dispose()


def test_a_database_put_back_never_repeats_a_version(database_url: str) -> None:
    # A downgrade and upgrade (or a restore) recreates the row: counting up from there
    # would pass through numbers a process may hold entries for.
    engine = make_engine(database_url)
    seen = set()
    for _ in range(20):
        with engine.begin() as conn:
            conn.exec_driver_sql("UPDATE objective SET name = name WHERE code = 'SKY'")
        with read_session(engine) as s:
            seen.add(data_version(s))
    assert len(seen) == 20
    engine.dispose()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE objective SET name = 'x' WHERE code = 'NONE'",
        "DELETE FROM knownuser WHERE user_id = 'UNOBODY'",
        "INSERT INTO knownuser (user_id, first_seen_at) VALUES ('UONCE', '2026-01-01') "
        "ON CONFLICT (user_id) DO NOTHING",  # the row is there already
    ],
    ids=["update of no row", "delete of no row", "insert of nothing"],
)
def test_a_statement_that_changed_no_row_keeps_the_version(
    known_once: Engine, statement: str
) -> None:
    engine = known_once  # the tick's housekeeping on a quiet minute
    before = version_of(engine)
    run_alone(engine, statement)
    assert version_of(engine) == before


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE objective SET name = name WHERE code = 'SKY'",  # the same value: a row matched
        "INSERT INTO knownuser (user_id, first_seen_at) VALUES ('UONCE', '2026-01-01') "
        "ON CONFLICT (user_id) DO UPDATE SET first_seen_at = excluded.first_seen_at",
    ],
    ids=["update to the same value", "upsert that updates"],
)
def test_a_statement_that_touched_a_row_renews_the_version(
    known_once: Engine, statement: str
) -> None:
    engine = known_once
    before = version_of(engine)
    run_alone(engine, statement)
    assert version_of(engine) != before


@pytest.fixture
def known_once(engine: Engine) -> Engine:
    """The engine, with one user (UONCE) known."""
    run_alone(
        engine, "INSERT INTO knownuser (user_id, first_seen_at) VALUES ('UONCE', '2026-01-01')"
    )
    return engine


def run_alone(engine: Engine, statement: str) -> None:
    with engine.begin() as conn:  # in a transaction of its own
        conn.exec_driver_sql(statement)


def version_of(engine: Engine) -> int | None:
    with read_session(engine) as s:
        return data_version(s)


def test_a_row_inserted_with_returning_counts_before_it_is_fetched(engine: Engine) -> None:
    # SQLite gives the row count of INSERT … RETURNING only once its rows are fetched.
    with read_session(engine) as s:
        start = data_version(s)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO knownuser (user_id, first_seen_at) VALUES ('URET', '2026-01-01') "
            "RETURNING user_id"
        )
    with read_session(engine) as s:
        assert data_version(s) != start


def test_who_is_asking_leaves_the_pooled_connection_transactional(database_url: str) -> None:
    # storage/identity.py runs its statement in autocommit on a pooled connection: the
    # connection must go back as it came, or a later write would commit statement by
    # statement and a failure half-way would leave half of it.
    engine = make_engine(database_url, pool_size=1, max_overflow=0)
    identify_at_version(engine, OWN)
    with pytest.raises(RuntimeError), write_session(engine) as s:
        s.execute(
            text("INSERT INTO knownuser (user_id, first_seen_at) VALUES ('UHALF', '2026-01-01')")
        )
        raise RuntimeError("a failure half-way")
    with read_session(engine) as s:
        assert (
            s.execute(text("SELECT count(*) FROM knownuser WHERE user_id = 'UHALF'")).scalar() == 0
        )
    engine.dispose()


def test_a_connection_lost_under_who_is_asking_is_replaced(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("a server that drops connections")
    engine = make_engine(database_url, pool_size=1, max_overflow=0)
    with engine.connect() as conn:
        pid = int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())
    admin = create_engine(str(postgres_admin_url()), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    with pytest.raises(OperationalError) as lost:  # the request fails once, as any would
        identify_at_version(engine, OWN)
    assert lost.value.connection_invalidated
    identity, version = identify_at_version(engine, OWN)  # on a new connection
    assert version is not None and not identity.is_coordinator
    for each in (engine, admin):
        each.dispose()
