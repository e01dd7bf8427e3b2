"""The written report as files: CSV and XLSX honour visibility; JSON is the whole
database, for moving it, and `muster import` restores it losing nothing.

The JSON is written as it is read, inside one transaction that is a snapshot on both
databases (a pledge added mid-export cannot appear without its requirement): each
table a chunk at a time (storage.streams), each chunk written before the next is
fetched, so its memory does not grow with the coalition's history."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlmodel import Session

from bot.domain.errors import Conflict
from bot.domain.model import percent
from bot.domain.plaintext import printable
from bot.domain.read_models import History, PledgeView, QuestionView, RequirementView
from bot.services.importing import FORMAT, VERSION, CheckedExport, check
from bot.services.muster import Muster
from storage import backup
from storage.db import head_revision, read_session, write_session

# Compact (no indent: at 200,000 pledges indentation alone is tens of megabytes);
# one encoder for every row rather than one per json.dumps call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class Report:
    """Everything one user may see, as tables."""

    generated_at: datetime
    requirements: tuple[RequirementView, ...]
    objectives: tuple[tuple[str, str], ...]
    pledges: tuple[PledgeView, ...]
    undisclosed: int
    questions: tuple[QuestionView, ...]
    changes: tuple[tuple[str, History], ...]


def report_for(muster: Muster, user_id: str) -> Report:
    requirements = tuple(muster.requirements.list_requirements(user_id))
    pledges = muster.pledges.list_pledges(user_id)
    log = muster.reports.change_log(user_id)
    histories = tuple(
        (r.code, History(ref=r.code, entries=log.get(r.code, ()))) for r in requirements
    )
    return Report(
        generated_at=muster.clock(),
        requirements=requirements,
        objectives=tuple((o.code, o.name) for o in muster.requirements.list_objectives(user_id)),
        pledges=pledges.pledges,
        undisclosed=pledges.undisclosed,
        questions=tuple(muster.questions.list_questions(user_id, "all")),
        changes=histories,
    )


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


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """Text as a spreadsheet may safely hold it. Control characters are dropped, since
    one in any cell makes the whole XLSX unwritable and rows stored before they were
    refused must not break every export. Text a spreadsheet would run as a formula is
    written as text; numbers stay numbers."""
    if not isinstance(value, str):
        return value
    value = printable(value)  # first: "\x01=cmd" must not slip past the formula check
    return "'" + value if value.startswith(FORMULA_STARTS) else value


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


def to_csv(report: Report) -> bytes:
    """The register in one table: each requirement with its coverage, once per pledge shown."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(REQUIREMENT_COLUMNS + PLEDGE_COLUMNS[:1] + PLEDGE_COLUMNS[2:])
    by_requirement: dict[str, list[PledgeView]] = {}
    for p in report.pledges:
        by_requirement.setdefault(p.requirement, []).append(p)
    for v in report.requirements:
        shown: list[PledgeView] | list[None] = by_requirement.get(v.code) or [None]
        for view in shown:
            pledge = [] if view is None else pledge_row(view)
            writer.writerow(cells(requirement_row(v) + (pledge[:1] + pledge[2:] if pledge else [])))
    return out.getvalue().encode("utf-8-sig")  # the BOM makes spreadsheet programs read UTF-8


def to_xlsx(report: Report) -> bytes:
    book = Workbook()
    first = book.active  # a new workbook comes with one empty sheet
    if first is not None:
        book.remove(first)
    for code, name in report.objectives:
        sheet = book.create_sheet(code)
        sheet.append([cell(f"{code} {name}")])
        sheet.append(REQUIREMENT_COLUMNS)
        for v in report.requirements:
            if v.objective == code:
                sheet.append(cells(requirement_row(v)))
    _sheet(book, "Pledges", PLEDGE_COLUMNS, [pledge_row(p) for p in report.pledges])
    if report.undisclosed:
        book["Pledges"].append(
            [
                f"{report.undisclosed} undisclosed pledge(s) are counted in the totals but not listed."
            ]
        )
    _sheet(
        book,
        "Questions",
        [
            "question",
            "delegation",
            "about",
            "status",
            "asked",
            "question text",
            "answer",
            "answered",
        ],
        [
            [
                q.ref,
                q.delegation or "",
                q.about or "",
                q.status.value,
                q.asked_at.isoformat(),
                q.text,
                q.answer,
                q.answered_at.isoformat() if q.answered_at else "",
            ]
            for q in report.questions
        ],
    )
    _sheet(
        book,
        "Change log",
        ["requirement", "when (UTC)", "what", "action", "by", "changes"],
        [
            [
                code,
                e.at.isoformat(),
                e.subject,
                e.action,
                e.actor or "",
                "; ".join(f"{k}: {b} → {a}" for k, b, a in e.changes),
            ]
            for code, history in report.changes
            for e in history.entries
        ],
    )
    for sheet in book.worksheets:
        for header in sheet[1]:
            header.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(book: Workbook, title: str, header: list[str], rows: list[list[Any]]) -> None:
    sheet = book.create_sheet(title)
    sheet.append(header)
    for row in rows:
        sheet.append(cells(row))


@contextmanager
def snapshot(muster: Muster) -> Iterator[Session]:
    """One read transaction that sees one moment for every statement it runs. SQLite's
    read transaction is one already; PostgreSQL's default (READ COMMITTED) is not."""
    engine = muster.engine
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    with read_session(engine) as s:
        yield s


def write_dump(
    muster: Muster, out: IO[bytes], progress: Callable[[str, int], None] | None = None
) -> None:
    """Every table, parents first, as one JSON object; ``progress(table, rows)`` is told
    of each chunk written."""
    with snapshot(muster) as s:
        head = {
            "format": FORMAT,
            "version": VERSION,
            "schema": head_revision(),
            "exported_at": muster.clock().isoformat(),
        }
        out.write(_ENCODER.encode(head)[:-1].encode() + b',"tables":{')
        for n, name in enumerate(backup.TABLES):
            out.write(b"," * (n > 0) + _ENCODER.encode(name).encode() + b":[")
            written = 0
            for chunk in backup.dump_rows(s, name):
                rows = ",".join(_ENCODER.encode(row) for row in chunk)
                out.write(b"," * (written > 0) + rows.encode())
                written += len(chunk)
                if progress:
                    progress(name, len(chunk))
            out.write(b"]")
        out.write(b"}}")


def restore(
    muster: Muster, data: object, progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    """Restore a JSON export, checked first (bot.importing): ImportRefused lists every
    problem and nothing is written. Pass a CheckedExport to skip checking it twice."""
    checked = data if isinstance(data, CheckedExport) else check(data)
    with write_session(muster.engine) as s:
        if not backup.is_empty(s):
            raise Conflict("The database is not empty; import into a freshly migrated database.")
        backup.restore(s, checked.tables, progress)
        s.flush()
        return backup.count_rows(s)
