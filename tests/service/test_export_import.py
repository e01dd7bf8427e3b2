"""The written report as files, and a JSON export that restores losing nothing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.domain.clock import FixedClock
from bot.domain.errors import Conflict
from bot.services.exporting import restore
from bot.services.muster import Muster
from storage.db import make_engine, upgrade
from tests.support.broadcasts import subscribed_coalition
from tests.support.clock import START
from tests.support.databases import postgres_database, reset
from tests.support.exports import (
    SHEETS,
    csv_records,
    demo_coalition,
    dumped,
    records,
    report_file,
)
from tests.support.factories import COORDINATOR


@pytest.fixture
def coalition(clock: FixedClock, muster: Muster) -> Muster:
    """Not the tier's plain coalition: this one is subscribed to alerts and the digest."""
    return subscribed_coalition(clock, muster)


@pytest.fixture
def demo(muster: Muster) -> Muster:
    return demo_coalition(muster)


def fresh(tmp_path: Path, name: str) -> Muster:
    url = f"sqlite:///{tmp_path / name}"
    upgrade(url)
    return Muster(make_engine(url), clock=FixedClock(START))


def comparable(data: dict) -> dict:  # type: ignore[type-arg]
    return {k: v for k, v in data.items() if k != "exported_at"}


@contextmanager
def same_kind_of_database(source: Muster, tmp_path: Path) -> Iterator[Muster]:
    """An empty, migrated database of the same kind as ``source``."""
    if source.engine.dialect.name == "postgresql":
        with postgres_database("muster_restore") as url:
            upgrade(url)
            target = Muster(make_engine(url), clock=FixedClock(START))
            yield target
            target.engine.dispose()
    else:
        yield fresh(tmp_path, "copy.db")


def test_json_round_trip_loses_nothing(demo: Muster, tmp_path: Path) -> None:
    first = dumped(demo)
    with same_kind_of_database(demo, tmp_path) as copy:
        check_round_trip(demo, copy, first)


def check_round_trip(demo: Muster, copy: Muster, first: dict) -> None:  # type: ignore[type-arg]
    counts = restore(copy, first)
    assert counts["pledge"] == 14 and counts["event"] == len(first["tables"]["event"])
    assert comparable(dumped(copy)) == comparable(first)
    assert copy.reports.status("UCOORD1").overall == demo.reports.status("UCOORD1").overall
    # The restored database carries on numbering where the original stopped.
    assert copy.pledges.pledge("UOST1", requirement="SEA-2", quantity=1).pledge.ref == "P-15"


def test_import_refuses_a_database_with_content(demo: Muster, tmp_path: Path) -> None:
    with pytest.raises(Conflict, match="not empty"):
        restore(demo, dumped(demo))
    with pytest.raises(Conflict, match="not a Muster JSON export"):
        restore(fresh(tmp_path, "x.db"), {"tables": {}})


def test_csv_honours_visibility(demo: Muster) -> None:
    rows = csv_records(report_file(demo, "UOST1", "csv"))
    assert "P-8" not in {r["Pledge"] for r in rows}  # Meridia's restricted pledge
    uaf1 = next(r for r in rows if r["Requirement"] == "UAF-1")
    assert (uaf1["Firm"], uaf1["Open"], uaf1["Rating"]) == ("4000", "8000", "Red")  # in the totals
    sky1 = [r for r in rows if r["Requirement"] == "SKY-1"]
    assert [r["Pledge"] for r in sky1] == ["P-1", "P-14"]
    assert sky1[1]["Condition"] == "d'accord, “subject to parliament”"
    coordinator = csv_records(report_file(demo, "UCOORD1", "csv"))
    assert "P-8" in {r["Pledge"] for r in coordinator}


def test_xlsx_has_a_summary_a_sheet_per_objective_and_the_registers(demo: Muster) -> None:
    book = load_workbook(io.BytesIO(report_file(demo, "UOST1", "xlsx")))
    assert book.sheetnames == SHEETS
    assert book["SKY"]["A1"].value == "SKY Safe skies"
    assert [r["Requirement"] for r in records(book, "SKY")] == ["SKY-1", "SKY-2", "SKY-3"]
    *pledges, note = records(book, "Pledges")
    assert "P-8" not in {r["Pledge"] for r in pledges}
    assert note["Pledge"] == "Undisclosed pledges, counted in the totals but not listed"
    assert note["Pledged"] == 1
    questions = records(book, "Questions")
    assert {r["Delegation"] for r in questions} == {"OST", "Undisclosed"}  # others' unattributed
    log = records(book, "Change log")
    assert any(r["What"] == "an undisclosed pledge" for r in log)


def test_import_refuses_a_database_with_only_settings(coalition: Muster, muster: Muster) -> None:
    data = dumped(coalition)
    from sqlalchemy import text

    reset(coalition.engine)
    coalition.delegations.set_coordinators_channel(
        COORDINATOR, "C0COORD"
    )  # a setting, and its audit event
    with coalition.engine.begin() as conn:
        conn.execute(text("DELETE FROM event"))
    with pytest.raises(Conflict, match="not empty"):
        restore(coalition, data)
