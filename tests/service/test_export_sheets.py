"""The written report reads as a staff officer would send it: a summary first with
the figures `/muster status` gives and every critical shortfall, states in colour,
typed figures, dates and times, words rather than stored values, headings kept in
view, the marking on every sheet and printed page; and a CSV with one heading per
column."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from openpyxl.cell import Cell
from openpyxl.workbook import Workbook

from bot.domain.model import ConditionKind, PledgeStatus, Priority, QuestionStatus
from bot.services.muster import Muster
from bot.services.report_files import REGISTER_COLUMNS
from tests.support.cli import CommandLine
from tests.support.exports import csv_records, csv_rows, demo_coalition, records, report_file

DELEGATE, COORDINATOR = "UOST1", "UCOORD1"  # Ostland does not see Meridia's restricted P-8
ZONE = ZoneInfo("Europe/Brussels")
REGISTERS = ["SKY", "SEA", "LAND", "UAF", "Pledges", "Questions", "Calls", "Change log"]
FILLS = {"Firm": "C8E6C9", "Pending": "BBDEFB", "Conditional": "FFF59D", "Withdrawn": "E0E0E0"}
RED = "FFCDD2"


@pytest.fixture
def demo(muster: Muster) -> Muster:
    demo_coalition(muster)
    later = muster.clock().date() + timedelta(days=30)
    muster.pledges.pledge("UCAL1", requirement="SEA-2", quantity=1500, available_from=later)
    return muster


def book_of(content: bytes) -> Workbook:
    return load_workbook(io.BytesIO(content))


def by_label(book: Workbook) -> dict[str, list[Any]]:
    """The summary's rows by what their first cell says."""
    rows = book["Summary"].iter_rows(values_only=True)
    return {row[0]: list(row[1:]) for row in rows if isinstance(row[0], str)}


def block(book: Workbook, heading: str) -> list[tuple[Any, ...]]:
    """The rows of a summary table: after its heading and column headings, to a blank row."""
    rows = list(book["Summary"].iter_rows(values_only=True))
    start = next(n for n, row in enumerate(rows) if row[0] == heading) + 2
    end = next(n for n in range(start, len(rows)) if rows[n][0] is None)
    return rows[start:end]


def fill(c: Cell) -> str:
    return str(c.fill.fgColor.rgb)[-6:] if c.fill.fill_type == "solid" else ""


@pytest.mark.parametrize("user", [DELEGATE, COORDINATOR])
def test_the_summary_gives_the_status_figures_and_every_critical_shortfall(
    demo: Muster, user: str
) -> None:
    for n in range(40):  # more critical lines than any message shows
        demo.requirements.add_requirement(
            COORDINATOR,
            objective=["SKY", "SEA", "LAND", "UAF"][n % 4],
            quantity=10,
            unit="units",
            title=f"Critical line {n}",
            priority=Priority.CRITICAL,
        )
    book = book_of(report_file(demo, user, "xlsx"))
    assert book.sheetnames == ["Summary", *REGISTERS]
    status = demo.reports.status(user)
    overall, said = status.overall, by_label(book)
    assert said["Lines filled"][:3] == [overall.filled, "of", overall.count]
    assert said["Critical lines filled"][:3] == [
        overall.critical_filled,
        "of",
        overall.critical_count,
    ]
    assert overall.critical_count == 44 and said["Critical shortfalls"][0] == 44
    assert overall.critical_shortfalls == 44
    objectives = [row[:6] for row in block(book, "Coverage by objective")]
    assert objectives == [
        (
            f"{part.objective.code} {part.objective.name}",
            part.rollup.count,
            part.rollup.filled,
            part.rollup.critical_count,
            part.rollup.critical_filled,
            part.rollup.critical_shortfalls,
        )
        for part in status.objectives
    ]

    shortfalls = [v for v in demo.reports.gaps(user) if v.coverage.is_critical_shortfall]
    listed = block(book, "Critical shortfalls, worst first")
    assert said["Critical shortfalls, worst first"][0] == len(listed) == 44  # none left out
    assert [row[0] for row in listed] == [f"{v.code} {v.title}" for v in shortfalls]
    sky3 = next(row for row in listed if row[0].startswith("SKY-3 "))
    # SKY-3: 120 hours firm, 160 conditional on a US backstop, 200 open
    assert sky3[1:9] == (480, "flight hours/month", 120, 0, 160, 200, 0.25, "Critical")

    as_of = book["Summary"]["B2"]
    assert book["Summary"]["A2"].value == "As of (Europe/Brussels)"
    assert as_of.value == demo.clock().astimezone(ZONE).replace(tzinfo=None, microsecond=0)
    assert as_of.is_date and as_of.number_format == "yyyy-mm-dd hh:mm"
    edition = said["Edition"][0]
    if user == DELEGATE:
        assert edition.startswith("Edition for Ostland: other delegations' restricted pledges")
    else:
        assert edition == "Coordinators' edition: every pledge, restricted ones included"

    pledges = [r for r in records(book, "Pledges") if r["Pledge"].startswith("P-")]
    counted = {state: said[state][0] for state in FILLS}
    assert counted == {s: sum(p["Counts as"] == s for p in pledges) for s in FILLS}
    assert said["Pledges listed"][0] == len(pledges) == sum(counted.values())
    hidden = demo.pledges.list_pledges(user).undisclosed
    assert said.get("Undisclosed: in the totals, not listed", [0])[0] == hidden
    assert (hidden > 0) == (user == DELEGATE)
    questions = demo.questions.list_questions(user, "all")
    assert said["Open questions"][0] == sum(q.status == QuestionStatus.OPEN for q in questions)


def test_cells_are_typed_coloured_and_in_words(demo: Muster) -> None:
    demo.pledges.classify(COORDINATOR, 3, ConditionKind.OTHER_BACKSTOP)
    book = book_of(report_file(demo, COORDINATOR, "xlsx"))
    sheet = book["Pledges"]
    headings = [c.value for c in sheet[2]]
    pledges = {row[0].value: dict(zip(headings, row, strict=True)) for row in sheet.iter_rows(3)}

    p1, p3, p6, p7 = (pledges[ref] for ref in ("P-1", "P-3", "P-6", "P-7"))
    assert (p1["Pledged"].value, p1["Pledged"].data_type) == (8, "n")
    assert p1["Pledged"].number_format == "#,##0"
    assert [p1["Status"].value, p1["Counts as"].value, p1["Restricted"].value] == [
        "Confirmed",
        "Firm",
        "No",
    ]
    assert p3["Condition class"].value == "Another nation's or a European backstop"
    assert p7["Condition class"].value == "National or parliamentary approval"
    assert (p3["Counts as"].value, p6["Counts as"].value) == ("Conditional", "Pending")
    assert (
        pledges["P-13"]["Counts as"].value == "Withdrawn"
        and pledges["P-8"]["Restricted"].value == "Yes"
    )
    for p in pledges.values():
        assert fill(p["Counts as"]) == FILLS[p["Counts as"].value]
        assert p["Status"].value in ("Indicated", "Offered", "Confirmed", "Withdrawn")
    available = pledges["P-15"]["Available from"]
    later = demo.clock().date() + timedelta(days=30)
    assert available.is_date and available.value == datetime.combine(later, datetime.min.time())
    assert available.number_format == "yyyy-mm-dd"
    assert pledges["P-15"]["Pledged"].value == 1500

    sky = book["SKY"]
    line = {c.value: c for c in sky[2]}
    sky2 = dict(zip(line, sky[4], strict=True))
    assert sky2["Needed by"].is_date and sky2["Needed by"].value == datetime(2027, 3, 1)
    assert (sky2["Priority"].value, sky2["Enabler"].value) == ("Critical", "Yes")
    assert (sky2["Rating"].value, fill(sky2["Rating"])) == ("Red", RED)
    assert (sky2["Critical shortfall"].value, fill(sky2["Critical shortfall"])) == ("Yes", RED)
    words = ("Firm", "Pending", "Conditional", "Open")  # headed in the colours of the replies
    assert {w: fill(line[w]) for w in words} == {**{w: FILLS[w] for w in words[:3]}, "Open": RED}
    sky3 = {h: c.value for h, c in zip(line, sky[5], strict=True)}
    assert [sky3[w] for w in ("Required", *words, "Over-pledged")] == [480, 120, 0, 160, 200, 0]
    sky1 = dict(zip(line, sky[3], strict=True))
    assert (sky1["Firm %"].value, sky1["Firm %"].number_format) == (0.5, "0%")
    assert (sky1["Rating"].value, fill(sky1["Rating"])) == ("Amber", "FFE0B2")
    assert sky.column_dimensions["C"].width == 44  # the titles' column

    questions = book["Questions"]
    assert questions["E2"].value == "Asked (Europe/Brussels)"
    asked = questions["E3"]
    first = demo.questions.list_questions(COORDINATOR, "all")[0]
    assert asked.is_date and asked.number_format == "yyyy-mm-dd hh:mm"
    assert asked.value == first.asked_at.astimezone(ZONE).replace(tzinfo=None, microsecond=0)

    log = records(book, "Change log")
    assert book["Change log"]["B2"].value == "When (Europe/Brussels)"
    assert all(isinstance(r["When (Europe/Brussels)"], datetime) for r in log)
    [classified] = [r for r in log if r["What"] == "P-3" and r["Action"] == "Classified"]
    assert classified["Changes"] == (
        "condition class US enablers or backstop → another nation's or a European backstop"
    )
    said = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert not {"us", "other_backstop", "national", "confirmed", "True", "False"} & set(said)

    for name in REGISTERS:  # the title and the headings stay in view, as does the first column
        assert book[name].freeze_panes == "B3", name
        assert book[name].print_title_rows == "$1:$2", name
        assert book[name]["A1"].font.b and book[name]["A1"].value != "", name
    assert book["Summary"].freeze_panes is None
    assert book["Summary"]["A1"].value == "Force generation report"
    footer = book["Pledges"].oddFooter
    stamp = demo.clock().astimezone(ZONE)
    assert (
        footer.left.text == f"Force generation report, as of {stamp:%Y-%m-%d %H:%M} Europe/Brussels"
    )
    assert footer.right.text == "Page &P of &N" and not book["Pledges"].oddHeader.center.text


MARKING = "NATO UNCLASSIFIED // REL COALITION & PARTNERS"


def test_the_marking_heads_every_sheet_and_every_printed_page(
    demo: Muster,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    muster = CommandLine(database_url, monkeypatch, capsys)
    monkeypatch.setenv("MUSTER_MARKING", MARKING)
    out = tmp_path / "report.xlsx"
    assert muster("export", "--format", "xlsx", "-o", str(out)).code == 0
    book = book_of(out.read_bytes())
    for sheet in book.worksheets:
        assert sheet["A1"].value == MARKING and sheet["A1"].font.b, sheet.title
        assert sheet.oddHeader.center.text == sheet.oddFooter.center.text
        assert sheet.oddHeader.center.text == MARKING.replace("&", "&&"), sheet.title  # not a code
    assert book["Summary"]["A2"].value == "Force generation report"
    for name in REGISTERS:
        assert book[name].freeze_panes == "B4" and book[name].print_title_rows == "$1:$3", name
    assert [r["Requirement"] for r in records(book, "SKY", marked=True)] == [
        "SKY-1",
        "SKY-2",
        "SKY-3",
    ]


def test_the_csv_has_one_heading_per_column_and_words(demo: Muster) -> None:
    header, *_ = csv_rows(demo, COORDINATOR)
    assert header == REGISTER_COLUMNS and len(set(header)) == len(header)
    rows = csv_records(report_file(demo, COORDINATOR, "csv"))
    p3 = next(r for r in rows if r["Pledge"] == "P-3")
    assert (p3["Status"], p3["Counts as"], p3["Condition class"]) == (
        "Offered",
        "Conditional",
        "US enablers or backstop",
    )
    sky2 = next(r for r in rows if r["Requirement"] == "SKY-2")
    assert (sky2["Priority"], sky2["Enabler"], sky2["Needed by"]) == (
        "Critical",
        "Yes",
        "2027-03-01",
    )
    assert (sky2["Rating"], sky2["Critical shortfall"], sky2["Firm %"]) == ("Red", "Yes", "0")
    p15 = next(r for r in rows if r["Pledge"] == "P-15")
    assert p15["Available from"] == (demo.clock().date() + timedelta(days=30)).isoformat()
    assert p15["Pledged"] == "1500" and p15["Restricted"] == "No"
    assert isinstance(date.fromisoformat(p15["Available from"]), date)


def test_a_long_marking_keeps_the_footer_within_excels_limit(demo: Muster) -> None:
    """Excel refuses a file whose footer runs past 255 characters: the marking stays,
    the as-of line gives way."""
    demo.marking = "&" * 100  # the longest allowed, each "&" written twice
    book = book_of(report_file(demo, COORDINATOR, "xlsx"))
    footer = book["Pledges"].oddFooter
    assert footer.center.text == demo.marking.replace("&", "&&") and footer.left.text is None
    assert len(footer.center.text) + len(footer.right.text) + 6 <= 255
    assert book["Pledges"]["A1"].value == demo.marking


def test_part_units_keep_their_decimals_on_screen(demo: Muster) -> None:
    """A number format of "#,##0" would show 0.25 as 0 and 1.25 firm as 1."""
    demo.pledges.pledge(
        "UVALD1", requirement="LAND-1", quantity=Decimal("0.25"), status=PledgeStatus.CONFIRMED
    )
    book = book_of(report_file(demo, COORDINATOR, "xlsx"))
    sheet = book["Pledges"]
    headings = [c.value for c in sheet[2]]
    pledged = [dict(zip(headings, row, strict=True))["Pledged"] for row in sheet.iter_rows(3)]
    part = [c for c in pledged if c.value == 0.25]
    assert part and all(c.number_format == "#,##0.0#" for c in part)
    assert all(c.number_format == "#,##0" for c in pledged if c.value == 1)
    land = book["LAND"]
    firm = [row for row in land.iter_rows() if row[0].value == "LAND-1"]
    assert firm and any(c.value == 1.25 and c.number_format == "#,##0.0#" for c in firm[0])
