"""Exports clean what is already stored: one delegate's control characters, saved before
they were refused at entry, must not break the report for everyone; and text that
looks like a formula stays text while figures stay numbers."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.workbook import Workbook
from sqlalchemy import update

from bot.runtime.standin import SlackStandIn
from bot.services.exporting import report_for, to_csv, to_xlsx
from bot.services.muster import Muster
from storage.db import write_session
from storage.models import Pledge, Question, Requirement
from tests.support.cli import CommandLine
from tests.support.factories import COORDINATOR, OWN, small_coalition
from tests.support.slack import SlashCommands

BAD_QUESTION, CLEAN_QUESTION = "Is \x01\x02 this?", "Is  this?"
BAD_TITLE, CLEAN_TITLE = "Air\x0b defence\x7f", "Air defence"
BAD_CAVEATS, CLEAN_CAVEATS = (
    "only\x1b at night,\r\n\tnot\x1f at sea",
    "only at night,\n\tnot at sea",
)


def store(muster: Muster, model: Any, row_id: int, **values: object) -> None:
    """Write straight to the table, as an old row stored before entry checks would be."""
    with write_session(muster.engine) as s:
        s.execute(update(model).where(model.id == row_id).values(**values))


@pytest.fixture
def stored_badly(muster: Muster) -> Muster:
    small_coalition(muster)  # SKY-1 with P-1 (Valdoria), and Q-1 asked by Valdoria
    store(muster, Question, 1, text=BAD_QUESTION)
    store(muster, Requirement, 1, title=BAD_TITLE)
    store(muster, Pledge, 1, caveats=BAD_CAVEATS)
    return muster


def rows(book: Workbook, sheet: str) -> list[tuple[Any, ...]]:
    return list(book[sheet].iter_rows(values_only=True))


def assert_clean_workbook(content: bytes) -> None:
    book = load_workbook(io.BytesIO(content))
    [question] = rows(book, "Questions")[1:]
    assert question[0] == "Q-1" and question[5] == CLEAN_QUESTION
    sky = rows(book, "SKY")
    assert sky[2][:3] == ("SKY-1", "SKY", CLEAN_TITLE)
    pledge = next(r for r in rows(book, "Pledges") if r[0] == "P-1")
    assert pledge[8] == CLEAN_CAVEATS


def test_slack_xlsx_export_drops_stored_control_characters(
    stored_badly: Muster, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    reply = muster_cmd(OWN, "export xlsx")
    assert "Your XLSX report is on its way as a direct message." in reply.text
    [upload] = slack.calls_to("file.upload")
    assert_clean_workbook(upload.args["bytes"])
    said = [str(c.args) for c in slack.calls_to("chat.postMessage")]
    assert not any("could not be made" in text for text in said)


def test_slack_csv_export_drops_stored_control_characters(
    stored_badly: Muster, muster_cmd: SlashCommands, slack: SlackStandIn
) -> None:
    muster_cmd(OWN, "export csv")
    [upload] = slack.calls_to("file.upload")
    table = list(csv.DictReader(io.StringIO(upload.args["bytes"].decode("utf-8-sig"))))
    sky1 = next(r for r in table if r["pledge"] == "P-1")
    assert (sky1["title"], sky1["caveats"]) == (CLEAN_TITLE, CLEAN_CAVEATS)


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
    report = report_for(muster, COORDINATOR)

    book = load_workbook(io.BytesIO(to_xlsx(report)))
    sky1 = list(book["SKY"].iter_rows())[2]
    pledge = next(r for r in book["Pledges"].iter_rows() if r[0].value == "P-1")
    question = list(book["Questions"].iter_rows())[1]
    cells = {
        "title": sky1[2],
        "unit": sky1[4],
        "caveats": pledge[8],
        "condition": pledge[6],
        "question": question[5],
    }
    for name, written in cells.items():
        assert written.data_type == "s", name  # never "f", a formula
        assert written.value == "'" + FORMULAS[name].lstrip("\x01"), name
    quantity, firm = sky1[3], sky1[8]
    assert (quantity.value, quantity.data_type) == (6, "n")  # figures stay numbers
    assert (firm.value, firm.data_type) == (0, "n")
    assert (pledge[3].value, pledge[3].data_type) == (1, "n")

    # csv.reader, not DictReader: the register repeats "quantity" and "unit" for the pledge.
    header, *table = csv.reader(io.StringIO(to_csv(report).decode("utf-8-sig")))
    row = next(r for r in table if r[header.index("pledge")] == "P-1")
    column = {name: row[header.index(name)] for name in ("title", "unit", "caveats", "condition")}
    assert column == {
        "title": "'" + FORMULAS["title"],
        "unit": "'=1+2",
        "caveats": "'" + FORMULAS["caveats"],
        "condition": "'" + FORMULAS["condition"],
    }
    assert (row[header.index("quantity")], row[header.index("gap")]) == ("6", "6")
