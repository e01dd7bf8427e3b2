"""The written report as CSV or XLSX, written row by row to a file as it is read
(bot.services.report_reads), so the size of the register never sits in memory."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any

from bot.domain.model import percent
from bot.domain.plaintext import printable
from bot.domain.read_models import PledgeView, QuestionView, RequirementView
from bot.domain.wording import figure, tidy
from bot.services import xlsx
from bot.services.report_reads import ReportReads

REQUIREMENT_COLUMNS = [
    "code",
    "objective",
    "title",
    "quantity",
    "unit",
    "priority",
    "enabler",
    "needed by",
    "firm",
    "conditional",
    "gap",
    "fill %",
    "rating",
    "critical shortfall",
]
PLEDGE_COLUMNS = [
    "pledge",
    "requirement",
    "delegation",
    "quantity",
    "unit",
    "status",
    "condition",
    "condition class",
    "caveats",
    "available from",
    "restricted",
    "withdrawal reason",
]
QUESTION_COLUMNS = [
    "question",
    "delegation",
    "about",
    "status",
    "asked",
    "question text",
    "answer",
    "answered",
]
CHANGE_COLUMNS = ["requirement", "when (UTC)", "what", "action", "by", "changes"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """Text as a spreadsheet may safely hold it. Control characters are dropped, since
    one in any cell makes the whole XLSX unwritable and rows stored before they were
    refused must not break every export. Text a spreadsheet would run as a formula is
    written as text; numbers stay numbers."""
    if isinstance(value, Decimal):  # a quantity: 2 and 0.25, not 2.00
        return tidy(value)
    if not isinstance(value, str):
        return value
    # First: "\x01=cmd" must not slip past the formula check. Text str.isprintable()
    # passes holds nothing printable() strips; the check is many times cheaper than
    # the regular expression, and most cells pass it.
    if not value.isprintable():
        value = printable(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _said(value: Any) -> Any:
    """A value in the change log's text; a quantity as every reply writes it."""
    return figure(value) if isinstance(value, Decimal) else value


def cells(row: list[Any]) -> list[Any]:
    return [cell(v) for v in row]


def requirement_row(v: RequirementView) -> list[Any]:
    c = v.coverage
    return [
        v.code,
        v.objective,
        v.title,
        v.quantity,
        v.unit,
        v.priority.value,
        v.enabler,
        v.needed_by.isoformat() if v.needed_by else "",
        c.firm,
        c.conditional,
        c.gap,
        percent(c.fill),
        c.rating.value,
        c.is_critical_shortfall,
    ]


def pledge_row(p: PledgeView) -> list[Any]:
    return [
        p.ref,
        p.requirement,
        p.delegation,
        p.quantity,
        p.unit,
        p.status.value,
        p.condition,
        p.condition_kind.value if p.condition_kind else "",
        p.caveats,
        p.available_from.isoformat() if p.available_from else "",
        p.restricted,
        p.withdrawn_reason,
    ]


def question_row(q: QuestionView) -> list[Any]:
    return [
        q.ref,
        q.delegation or "",
        q.about or "",
        q.status.value,
        q.asked_at.isoformat(),
        q.text,
        q.answer,
        q.answered_at.isoformat() if q.answered_at else "",
    ]


# --- CSV ------------------------------------------------------------------------------


def write_csv(report: ReportReads, out: IO[bytes]) -> None:
    """The register in one table: each requirement with its coverage, once per pledge shown."""
    # The BOM makes spreadsheet programs read UTF-8; newline="" leaves csv's \r\n alone.
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    try:
        writer = csv.writer(text)
        writer.writerow(REQUIREMENT_COLUMNS + PLEDGE_COLUMNS[:1] + PLEDGE_COLUMNS[2:])
        writer.writerows(cells(row) for row in _register(report))
        text.flush()
    finally:
        text.detach()  # the caller owns ``out``: letting go of the wrapper must not close it


def _register(report: ReportReads) -> Iterator[list[Any]]:
    """Each requirement, once per pledge shown against it or once alone: one pass over
    the pledges, which come in the order of the requirements."""
    pledges = iter(report.pledges(by_requirement=True))
    upcoming = next(pledges, None)
    for v in report.requirements:
        requirement = requirement_row(v)
        alone = True
        while upcoming is not None and upcoming.requirement == v.code:
            pledge = pledge_row(upcoming)
            yield requirement + pledge[:1] + pledge[2:]
            alone, upcoming = False, next(pledges, None)
        if alone:
            yield requirement
    if upcoming is not None:  # the query's order and the list's disagree: never drop rows
        raise RuntimeError(f"{upcoming.ref} came out of the order of the requirements")


# --- XLSX -----------------------------------------------------------------------------


def write_xlsx(report: ReportReads, out: IO[bytes]) -> None:
    """A sheet per objective, then the pledges, the questions and the change log, each
    streamed into the file as its rows are read (bot.services.xlsx); the first row of
    every sheet is in bold."""
    book = xlsx.Workbook(out)
    for o in report.objectives:
        with book.sheet(o.code) as sheet:
            sheet.append([cell(f"{o.code} {o.name}")], bold=True)
            sheet.append(REQUIREMENT_COLUMNS)
            for v in report.requirements:
                if v.objective == o.code:
                    sheet.append(cells(requirement_row(v)))
    # A function per register, so nothing of one is still referenced during the next.
    with book.sheet("Pledges") as sheet:
        _pledges(report, sheet)
    with book.sheet("Questions") as sheet:
        _questions(report, sheet)
    with book.sheet("Change log") as sheet:
        _changes(report, sheet)
    book.close()


def _pledges(report: ReportReads, sheet: xlsx.Sheet) -> None:
    sheet.append(PLEDGE_COLUMNS, bold=True)
    pledges = report.pledges()
    for p in pledges:
        sheet.append(cells(pledge_row(p)))
    if pledges.undisclosed:
        note = (
            f"{pledges.undisclosed} undisclosed pledge(s) are counted in the totals but not listed."
        )
        sheet.append([note])


def _questions(report: ReportReads, sheet: xlsx.Sheet) -> None:
    sheet.append(QUESTION_COLUMNS, bold=True)
    for q in report.questions():
        sheet.append(cells(question_row(q)))


def _changes(report: ReportReads, sheet: xlsx.Sheet) -> None:
    sheet.append(CHANGE_COLUMNS, bold=True)
    for code, e in report.changes():
        changes = "; ".join(f"{k}: {_said(b)} → {_said(a)}" for k, b, a in e.changes)
        sheet.append(cells([code, e.at.isoformat(), e.subject, e.action, e.actor or "", changes]))
