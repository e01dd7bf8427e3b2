"""`muster export` and `muster import` as an operator runs them, in their own processes."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.domain.clock import FixedClock
from bot.services.muster import Muster
from bot.services.pledges import PledgeChange
from storage.db import make_engine, upgrade
from tests.support.clock import START
from tests.support.exports import demo_coalition
from tests.support.http import SETTING_NAMES


@pytest.fixture
def demo(muster: Muster) -> Muster:
    return demo_coalition(muster)


def test_command_line_export_and_import(demo: Muster, database_url: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES} | {
        "DATABASE_URL": database_url
    }

    def muster(*args: str, url: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot.runtime.cli", *args],
            env=env | ({"DATABASE_URL": url} if url else {}),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    out = tmp_path / "coalition.json"
    assert muster("export", "--format", "json", "-o", str(out)).returncode == 0
    for fmt in ("csv", "xlsx"):
        result = muster("export", "--format", fmt, "-o", str(tmp_path / f"r.{fmt}"))
        assert result.returncode == 0 and "Wrote" in result.stdout
    assert b"P-8" in (tmp_path / "r.csv").read_bytes()  # operators see everything
    copy = f"sqlite:///{tmp_path / 'restored.db'}"
    upgrade(copy)
    imported = muster("import", str(out), url=copy)
    assert imported.returncode == 0 and "14 pledge" in imported.stdout
    again = muster("import", str(out), url=copy)
    assert again.returncode == 2 and "not empty" in again.stderr and "Traceback" not in again.stderr


def test_part_units_go_through_export_and_import_exactly(
    demo: Muster, database_url: str, tmp_path: Path
) -> None:
    """A quarter battlegroup, a requirement of 2.5 and a pledge raised from 0.29 to 1.01
    (both wrong as floats) come back from `muster import` as they were, and the files
    staff open say 0.25 and 2.5, never 0.25000000000000001 or 2.50."""
    demo.pledges.pledge("UVALD1", requirement="LAND-1", quantity=Decimal("0.25"))
    demo.requirements.edit_requirement("UCOORD1", "LAND-3", quantity=Decimal("2.5"))
    made = demo.pledges.pledge("UOST1", requirement="LAND-3", quantity=Decimal("0.29"))
    demo.pledges.update_pledge(
        "UOST1", int(made.pledge.ref[2:]), PledgeChange(quantity=Decimal("1.01"))
    )
    env = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}

    def muster(url: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot.runtime.cli", *args],
            env=env | {"DATABASE_URL": url},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert muster(database_url, "export", "--format", "json", "-o", str(first)).returncode == 0
    written = first.read_text(encoding="utf-8")
    assert '"quantity":0.25,' in written and '"quantity":2.5,' in written
    assert '"quantity":1.01,' in written and '"before":{"quantity":0.29}' in written
    copy = f"sqlite:///{tmp_path / 'restored.db'}"
    upgrade(copy)
    imported = muster(copy, "import", str(first))
    assert imported.returncode == 0, imported.stderr
    assert muster(copy, "export", "--format", "json", "-o", str(second)).returncode == 0
    again = json.loads(second.read_text(encoding="utf-8"))
    assert {k: v for k, v in again.items() if k != "exported_at"} == {
        k: v for k, v in json.loads(written).items() if k != "exported_at"
    }

    restored = Muster(make_engine(copy), clock=FixedClock(START), coordinators=["UCOORD1"])
    land = {v.code: v for v in restored.requirements.list_requirements("UCOORD1")}
    assert land["LAND-3"].quantity == Decimal("2.5")
    assert land["LAND-3"].coverage.pending == Decimal("1.01")
    c = land["LAND-1"].coverage  # one battlegroup firm, one on a US backstop, and a quarter
    assert (c.firm, c.pending, c.conditional, c.open) == (1, Decimal("0.25"), 1, Decimal("1.75"))
    restored.engine.dispose()

    assert (
        muster(database_url, "export", "--format", "csv", "-o", str(tmp_path / "r.csv")).returncode
        == 0
    )
    rows = list(csv.reader(io.StringIO((tmp_path / "r.csv").read_text(encoding="utf-8-sig"))))
    [pledged_row] = [r for r in rows if r[0] == "LAND-3" and made.pledge.ref in r]
    assert "2.5" in pledged_row and "1.01" in pledged_row  # the requirement's and the pledge's
    cells = {cell for row in rows for cell in row}
    assert not {"2.50", "1.010", "0.250", "2.00"} & cells
    assert (
        muster(
            database_url, "export", "--format", "xlsx", "-o", str(tmp_path / "r.xlsx")
        ).returncode
        == 0
    )
    book = load_workbook(tmp_path / "r.xlsx")
    [pledged] = [r for r in book["Pledges"].iter_rows(values_only=True) if r[0] == made.pledge.ref]
    assert pledged[3] == 1.01 and isinstance(pledged[3], float)  # a number cell, as typed
    log = [r[5] for r in book["Change log"].iter_rows(values_only=True)]
    assert "quantity 0.29 → 1.01" in log
