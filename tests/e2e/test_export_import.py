"""The written report as files, and a JSON export that restores losing nothing."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.domain.clock import FixedClock
from bot.domain.errors import Conflict
from bot.runtime.demo import seed_demo
from bot.runtime.standin import SlackStandIn
from bot.services.exporting import dump, report_for, restore, to_csv, to_json, to_xlsx
from bot.services.muster import Muster
from storage.db import make_engine, upgrade
from tests.support.clock import START
from tests.support.databases import postgres_database
from tests.support.http import SETTING_NAMES
from tests.support.slack import SlashCommands


@pytest.fixture
def demo(muster: Muster) -> Muster:
    seed_demo(muster)
    muster.pledges.pledge(
        "UVALD1", requirement="SKY-1", quantity=2, condition="d'accord, “subject to parliament”"
    )
    return muster


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
    first = dump(demo)
    with same_kind_of_database(demo, tmp_path) as copy:
        check_round_trip(demo, copy, first)


def check_round_trip(demo: Muster, copy: Muster, first: dict) -> None:  # type: ignore[type-arg]
    counts = restore(copy, json.loads(to_json(first)))
    assert counts["pledge"] == 14 and counts["event"] == len(first["tables"]["event"])
    assert comparable(dump(copy)) == comparable(first)
    assert copy.reports.status("UCOORD1").overall == demo.reports.status("UCOORD1").overall
    # The restored database carries on numbering where the original stopped.
    assert copy.pledges.pledge("UOST1", requirement="SEA-2", quantity=1).pledge.ref == "P-15"


def test_import_refuses_a_database_with_content(demo: Muster, tmp_path: Path) -> None:
    with pytest.raises(Conflict, match="not empty"):
        restore(demo, dump(demo))
    with pytest.raises(Conflict, match="not a Muster JSON export"):
        restore(fresh(tmp_path, "x.db"), {"tables": {}})


def test_csv_honours_visibility(demo: Muster) -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(report_for(demo, "UOST1")).decode("utf-8-sig"))))
    assert "P-8" not in {r["pledge"] for r in rows}  # Meridia's restricted pledge
    uaf1 = next(r for r in rows if r["code"] == "UAF-1")
    assert (uaf1["firm"], uaf1["gap"], uaf1["rating"]) == (
        "4000",
        "8000",
        "red",
    )  # …but inside the totals
    sky1 = [r for r in rows if r["code"] == "SKY-1"]
    assert [r["pledge"] for r in sky1] == ["P-1", "P-14"]
    assert sky1[1]["condition"] == "d'accord, “subject to parliament”"
    coordinator = list(
        csv.DictReader(io.StringIO(to_csv(report_for(demo, "UCOORD1")).decode("utf-8-sig")))
    )
    assert "P-8" in {r["pledge"] for r in coordinator}


def test_xlsx_has_a_sheet_per_objective_and_the_registers(demo: Muster) -> None:
    book = load_workbook(io.BytesIO(to_xlsx(report_for(demo, "UOST1"))))
    assert book.sheetnames == ["SKY", "SEA", "LAND", "UAF", "Pledges", "Questions", "Change log"]
    sky = list(book["SKY"].iter_rows(values_only=True))
    assert sky[0][0] == "SKY Safe skies"
    assert [r[0] for r in sky[2:]] == ["SKY-1", "SKY-2", "SKY-3"]
    pledges = list(book["Pledges"].iter_rows(values_only=True))
    assert "P-8" not in {r[0] for r in pledges}
    assert pledges[-1][0] == "1 undisclosed pledge(s) are counted in the totals but not listed."
    questions = list(book["Questions"].iter_rows(values_only=True))
    assert all(r[1] in (None, "", "OST") for r in questions[1:])  # others' questions unattributed
    log = list(book["Change log"].iter_rows(values_only=True))
    assert any(r[2] == "an undisclosed pledge" for r in log)


def test_export_command_sends_the_file_by_direct_message(
    demo: Muster, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    reply = muster_cmd("UOST1", "export csv")
    assert "Your CSV report is on its way as a direct message." in reply.text
    [opened] = slack.calls_to("conversations.open")
    assert opened.args["users"] == "UOST1"
    [done] = slack.calls_to("files.completeUploadExternal")
    assert done.args["channel_id"] == opened.reply["channel"]["id"]
    [upload] = slack.calls_to("file.upload")
    assert b"P-8" not in upload.args["bytes"] and b"SKY-1" in upload.args["bytes"]
    assert "Export as csv or xlsx" in muster_cmd("UOST1", "export pdf").text
    assert "You are not registered" in muster_cmd("UNOBODY", "export").text


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
