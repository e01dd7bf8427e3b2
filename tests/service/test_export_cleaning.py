"""Exports clean what is already stored: one delegate's control characters, saved before
they were refused at entry, must not break the report for everyone; and text that
looks like a formula stays text while figures stay numbers."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.services.muster import Muster
from storage.models import Pledge, Question, Requirement
from tests.support.cli import CommandLine
from tests.support.exports import (
    CLEAN_TITLE,
    assert_clean_workbook,
    csv_records,
    report_file,
    store,
    store_badly,
)
from tests.support.factories import COORDINATOR, small_coalition


@pytest.fixture
def stored_badly(muster: Muster) -> Muster:
    return store_badly(muster)


def test_command_line_exports_despite_stored_control_characters(
    stored_badly: Muster,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    muster = CommandLine(database_url, monkeypatch, capsys)
    xlsx, table = tmp_path / "r.xlsx", tmp_path / "r.csv"
    ran = muster("export", "--format", "xlsx", "-o", str(xlsx))
    assert ran.code == 0 and "Wrote" in ran.out and not ran.err
    assert_clean_workbook(xlsx.read_bytes())
    assert muster("export", "--format", "csv", "-o", str(table)).code == 0
    text = table.read_bytes().decode("utf-8-sig")
    assert CLEAN_TITLE in text and not any(c in text for c in "\x01\x0b\x1b\x1f\x7f")


FORMULAS = {
    "question": '=HYPERLINK("http://example.org/x","click")',
    "title": "+SUM(1,2)",
    "caveats": "-1+cmd|' /C calc'!A0",
    "condition": "@SUM(1,2) US backstop",
    "unit": "\x01=1+2",  # a control character must not hide the formula from the check
}


def test_text_that_looks_like_a_formula_stays_text(muster: Muster) -> None:
    small_coalition(muster)
    store(muster, Question, 1, text=FORMULAS["question"])
    store(muster, Requirement, 1, title=FORMULAS["title"], unit=FORMULAS["unit"])
    store(muster, Pledge, 1, caveats=FORMULAS["caveats"], condition=FORMULAS["condition"])
    book = load_workbook(io.BytesIO(report_file(muster, COORDINATOR, "xlsx")))
    sky1 = list(book["SKY"].iter_rows())[2]
    pledge = next(r for r in book["Pledges"].iter_rows() if r[0].value == "P-1")
    question = list(book["Questions"].iter_rows())[2]
    cells = {
        "title": sky1[2],
        "unit": sky1[4],
        "caveats": pledge[9],
        "condition": pledge[7],
        "question": question[5],
    }
    for name, written in cells.items():
        assert written.data_type == "s", name  # never "f", a formula
        assert written.value == "'" + FORMULAS[name].lstrip("\x01"), name
    quantity, firm = sky1[3], sky1[8]
    assert (quantity.value, quantity.data_type) == (6, "n")  # figures stay numbers
    assert (firm.value, firm.data_type) == (0, "n")
    assert (pledge[3].value, pledge[3].data_type) == (1, "n")

    table = csv_records(report_file(muster, COORDINATOR, "csv"))
    row = next(r for r in table if r["Pledge"] == "P-1")
    column = {name: row[name.capitalize()] for name in ("title", "unit", "caveats", "condition")}
    assert column == {
        "title": "'" + FORMULAS["title"],
        "unit": "'=1+2",
        "caveats": "'" + FORMULAS["caveats"],
        "condition": "'" + FORMULAS["condition"],
    }
    assert (row["Required"], row["Open"]) == ("6", "5")  # P-1 is conditional
