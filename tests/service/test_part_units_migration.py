"""Migration 0010 gives quantities two decimal places: on SQLite the stored whole
numbers become hundredths (x 100), on PostgreSQL the columns become NUMERIC; the
quantities read the same afterwards. A downgrade is refused while any quantity, or any
quantity the audit log recorded, has a fractional part, and restores whole numbers
otherwise."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from bot.domain.clock import FixedClock
from bot.domain.model import PledgeStatus
from bot.services.muster import Muster
from bot.services.pledges import PledgeChange
from storage.db import alembic_config, current_revision, head_revision, make_engine, upgrade
from tests.support.cli import CommandLine
from tests.support.clock import START
from tests.support.exports import dumped, full_export, write
from tests.support.factories import COORDINATOR, OWN

T = datetime(2026, 11, 20, 9, tzinfo=UTC)
TABLES = ("requirement", "pledge", "pledge_total")


def _stored(url: str) -> dict[str, list[object]]:
    """Each table's quantities exactly as the database holds them."""
    engine = make_engine(url)
    with engine.connect() as conn:
        found = {
            t: list(conn.execute(text(f"SELECT quantity FROM {t} ORDER BY 1")).scalars())
            for t in TABLES
        }
    engine.dispose()
    return found


def _whole_numbers_at_0008(url: str) -> None:
    """LAND-1 (4 battlegroups) with pledges of 1 and 1,500,000,000 (and their total)."""
    upgrade(url, "0008")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO delegation (id, code, name, created_at) VALUES (1, 'VAL', 'V', :t)"),
            {"t": T},
        )
        conn.execute(
            text(
                "INSERT INTO requirement (id, code, objective_id, seq, title, quantity, unit,"
                " priority, enabler, notes, version, created_at, updated_at)"
                " SELECT 1, 'LAND-1', id, 1, 'Battlegroups', 4, 'battlegroups', 'critical',"
                " false, '', 1, :t, :t FROM objective WHERE code = 'LAND'"
            ),
            {"t": T},
        )
        for quantity in (1, 1_500_000_000):  # numbered by the database, as the services do
            conn.execute(
                text(
                    "INSERT INTO pledge (delegation_id, requirement_id, quantity, status,"
                    " condition, condition_kind, condition_kind_manual, caveats, restricted,"
                    " withdrawn_reason, author, version, created_at, updated_at)"
                    " VALUES (1, 1, :q, 'confirmed', '', '', false, '', false, '', 'U1', 1,"
                    " :t, :t)"
                ),
                {"q": quantity, "t": T},
            )
        conn.execute(
            text(
                "INSERT INTO pledge_total (requirement_id, status, condition_kind, restricted,"
                " quantity, pledges) VALUES (1, 'confirmed', '', false, 1500000001, 2)"
            )
        )
    engine.dispose()


def _refused_below_0010(muster: Muster, url: str) -> str:
    """Why a downgrade from 0010 to 0008 is refused. The revisions after 0010 are
    undone first (SQLite runs each migration in a transaction of its own), and made
    again afterwards, for the services to use."""
    command.downgrade(alembic_config(url), "0010")
    with pytest.raises(RuntimeError) as refused:
        command.downgrade(alembic_config(url), "0008")
    assert current_revision(muster.engine) == "0010"  # refused before it changed anything
    upgrade(url)
    return str(refused.value)


def _muster(url: str) -> tuple[Muster, FixedClock]:
    clock = FixedClock(START)
    muster = Muster(make_engine(url), clock=clock, coordinators=[COORDINATOR])
    return muster, clock


def test_whole_numbers_become_hundredths_on_sqlite_and_numeric_on_postgresql(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    _whole_numbers_at_0008(url)
    assert _stored(url) == {
        "requirement": [4],
        "pledge": [1, 1_500_000_000],
        "pledge_total": [1_500_000_001],
    }
    upgrade(url)
    if url.startswith("sqlite"):
        assert _stored(url) == {
            "requirement": [400],
            "pledge": [100, 150_000_000_000],
            "pledge_total": [150_000_000_100],
        }
    else:
        stored = _stored(url)
        assert stored == {
            "requirement": [Decimal("4.00")],
            "pledge": [Decimal("1.00"), Decimal("1500000000.00")],
            "pledge_total": [Decimal("1500000001.00")],
        }
        assert all(isinstance(q, Decimal) for rows in stored.values() for q in rows)
    muster, _clock = _muster(url)
    [line] = muster.requirements.list_requirements(COORDINATOR)
    assert (line.quantity, line.coverage.firm) == (4, 1_500_000_001)  # read as they were

    # Whole numbers only: the downgrade gives them back as they were.
    command.downgrade(alembic_config(url), "0008")
    assert _stored(url) == {
        "requirement": [4],
        "pledge": [1, 1_500_000_000],
        "pledge_total": [1_500_000_001],
    }
    assert all(type(q) is int for rows in _stored(url).values() for q in rows)
    muster.engine.dispose()


def test_a_downgrade_is_refused_while_a_part_unit_is_stored_or_was_recorded(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    _whole_numbers_at_0008(url)
    upgrade(url)
    muster, _clock = _muster(url)
    muster.delegations.add_members(COORDINATOR, "VAL", [OWN])
    quarter = muster.pledges.pledge(
        OWN, requirement="LAND-1", quantity=Decimal("0.25"), status=PledgeStatus.OFFERED
    )
    message = _refused_below_0010(muster, url)
    assert message.startswith("Cannot downgrade below 0010: quantities with a fractional part")
    assert "pledge (1), pledge_total (1), event (1)" in message
    assert "restore a backup taken before the upgrade" in message
    # 0010 refused before it changed anything. The steps above it were undone first:
    # SQLite keeps that (its DDL commits as it goes), PostgreSQL rolls it all back.
    assert current_revision(muster.engine) in ("0010", head_revision())
    upgrade(url)

    # Made whole again, the pledge no longer blocks; the audit log still says 0.25.
    muster.pledges.update_pledge(OWN, int(quarter.pledge.ref[2:]), PledgeChange(quantity=1))
    assert re.search(r"stored in event \(2\)\.", _refused_below_0010(muster, url))
    [line] = muster.requirements.list_requirements(COORDINATOR)
    assert (line.coverage.firm, line.coverage.pending) == (1_500_000_001, 1)
    muster.engine.dispose()


def test_an_export_of_schema_0008_imports_its_whole_numbers_as_they_were(
    tmp_path: Path,
    muster: Muster,
    cli: CommandLine,
) -> None:
    data = full_export(tmp_path)
    data["schema"] = "0008"  # before part-units: every quantity a JSON integer
    quantities = [r["quantity"] for r in data["tables"]["pledge"]]
    assert all(type(q) is int for q in quantities) and 300_000_000 in quantities
    ran = cli("import", write(tmp_path / "old.json", data))
    assert ran.code == 0, ran.err
    views = {v.code: v for v in muster.requirements.list_requirements("UCOORD1")}
    assert views["UAF-2"].coverage.firm == 300_000_000
    assert views["UAF-2"].quantity == 1_500_000_000
    assert dumped(muster)["tables"]["pledge"] == data["tables"]["pledge"]
