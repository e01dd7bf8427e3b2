"""Exports stream: the reports say what the services' own reads say, the workbook's
sheets go into the file as they are written, the JSON is compact, and the rows of the
long tables are read a chunk at a time and let go of before the next chunk, however
many there are."""

from __future__ import annotations

import gc
import io
import json
import weakref
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy import event

from bot.services import loaders, report_reads, xlsx
from bot.services.exporting import write_dump, write_report
from bot.services.muster import Muster
from bot.services.report_files import (
    cells,
    change_row,
    pledge_row,
    question_row,
    requirement_row,
)
from storage import backup, streams
from tests.support.exports import SHEETS, csv_rows, demo_coalition, report_file

DELEGATE, COORDINATOR = "UOST1", "UCOORD1"  # Ostland does not see Meridia's restricted P-8
CHUNK = 4
ZONE = ZoneInfo("Europe/Brussels")  # the services' default MUSTER_TIMEZONE


@pytest.fixture
def demo(muster: Muster) -> Muster:
    """The demo coalition and a dozen more pledges, so every long table spans chunks."""
    demo_coalition(muster)
    for n in range(12):
        user, code = ("UMER1", "SKY-2") if n % 3 else ("UVALD1", "SEA-1")
        muster.pledges.pledge(user, requirement=code, quantity=1, restricted=n % 2 == 0)
    return muster


def read_back(content: bytes, sheet: str) -> list[list[Any]]:
    """A sheet's rows after its title and headings, as written: openpyxl reads an empty
    cell back as None, a date as midnight of that day."""
    rows = load_workbook(io.BytesIO(content))[sheet].iter_rows(min_row=3, values_only=True)
    return [as_read(row) for row in rows]


def as_read(row: Sequence[Any]) -> list[Any]:
    """A row as a spreadsheet gives it back: no empty cells, no dates without times."""
    return [
        ""
        if v is None
        else datetime.combine(v, time())
        if isinstance(v, date) and not isinstance(v, datetime)
        else v
        for v in row
    ]


@pytest.mark.parametrize("user", [DELEGATE, COORDINATOR])
def test_the_report_says_what_the_services_say(demo: Muster, user: str) -> None:
    requirements = demo.requirements.list_requirements(user)
    listed = demo.pledges.list_pledges(user)
    workbook = report_file(demo, user, "xlsx")

    pledges = read_back(workbook, "Pledges")
    expected = [as_read(cells(pledge_row(p))) for p in listed.pledges]
    assert pledges[: len(listed.pledges)] == expected
    assert len(pledges) == len(listed.pledges) + (listed.undisclosed > 0)
    assert (listed.undisclosed > 0) == (user == DELEGATE)
    questions = demo.questions.list_questions(user, "all")
    assert read_back(workbook, "Questions") == [as_read(question_row(q, ZONE)) for q in questions]
    unattributed = any(q.delegation is None for q in questions)  # others' questions, to OST
    assert unattributed == (user == DELEGATE)
    log = read_back(workbook, "Change log")
    assert log == [
        as_read(change_row(v.code, e, ZONE))
        for v in requirements
        for e in demo.reports.history(user, v.code).entries
    ]
    sky = [as_read(requirement_row(v)) for v in requirements if v.objective == "SKY"]
    for row in sky:
        row[13] /= 100  # the firm share, a percentage in the spreadsheet
    assert read_back(workbook, "SKY") == sky

    header, *register = csv_rows(demo, user)
    shown = {
        v.code: [p.ref for p in listed.pledges if p.requirement == v.code] for v in requirements
    }
    expected_rows = [(v.code, ref) for v in requirements for ref in shown[v.code] or [""]]
    pledge_at = header.index("Pledge")
    assert [(r[0], r[pledge_at] if len(r) > pledge_at else "") for r in register] == expected_rows


def test_the_workbook_is_written_in_write_only_mode(demo: Muster) -> None:
    """openpyxl's write-only sheets keep no rows in memory; the file reads back with
    the title and headings of every register in bold, and nothing else."""
    book = xlsx.Workbook(io.BytesIO())
    sheet = book.sheet("Pledges: all")
    assert isinstance(sheet.worksheet, WriteOnlyWorksheet)
    assert sheet.worksheet.title == "Pledges_ all"
    content = report_file(demo, COORDINATOR, "xlsx")
    loaded = load_workbook(io.BytesIO(content))
    assert loaded.sheetnames == SHEETS
    for worksheet in loaded.worksheets[1:]:
        opening = [c for row in worksheet.iter_rows(max_row=2) for c in row]
        assert all(c.font.b for c in opening if c.value is not None), worksheet.title
        data = [c for row in worksheet.iter_rows(min_row=3) for c in row]
        bold = {c.value for c in data if c.font.b}
        assert bold <= {"Yes"}, worksheet.title  # a critical shortfall, and only that


def test_the_json_export_is_compact_parents_first_and_restores(demo: Muster) -> None:
    out = io.BytesIO()
    write_dump(demo, out)
    content = out.getvalue()
    assert b"\n" not in content and b'": ' not in content  # no indentation, no padding
    data = json.loads(content)
    assert list(data["tables"]) == backup.TABLES  # a reader could insert as it reads
    assert len(data["tables"]["pledge"]) == 26 and data["tables"]["event"]


class Holdings:
    """What a report holds while it reads: sampled each time a chunk is fetched, how
    many rows had been fetched before it, how many views (the pledge, question and
    change-log rows the files are written from) had been made and how many of those
    were still alive; and how big each chunk was."""

    def __init__(self) -> None:
        self.views: list[weakref.ref[object]] = []
        self.fetched = 0
        self.samples: list[tuple[int, int, int]] = []
        self.chunks: list[int] = []

    def made(self, real: Any) -> Any:
        def view(*args: Any) -> Any:
            made = real(*args)
            self.views.append(weakref.ref(made))
            return made

        return view

    def spy(self, real: Any) -> Any:
        def chunks(*args: Any, **kwargs: Any) -> Iterator[Sequence[Any]]:
            for part in real(*args, **kwargs):
                gc.collect()  # count what is still referenced, not what awaits collection
                alive = sum(v() is not None for v in self.views)
                self.samples.append((self.fetched, len(self.views), alive))
                self.fetched += len(part)
                self.chunks.append(len(part))
                yield part

        return chunks


@pytest.fixture
def holdings(monkeypatch: pytest.MonkeyPatch) -> Holdings:
    held = Holdings()
    monkeypatch.setattr(streams, "CHUNK", CHUNK)
    for reads in ("chunks", "entity_chunks"):
        monkeypatch.setattr(streams, reads, held.spy(getattr(streams, reads)))
    for name in ("pledge_view", "history_entry"):
        monkeypatch.setattr(report_reads, name, held.made(getattr(report_reads, name)))
    monkeypatch.setattr(loaders, "question_view", held.made(loaders.question_view))
    return held


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("user", [DELEGATE, COORDINATOR])
def test_a_report_holds_one_chunk_of_rows_at_a_time(
    demo: Muster, holdings: Holdings, fmt: str, user: str
) -> None:
    hidden = demo.pledges.list_pledges(user).undisclosed
    write_report(demo, user, fmt, io.BytesIO())
    assert holdings.chunks and max(holdings.chunks) <= CHUNK
    assert holdings.fetched >= 5 * CHUNK  # the CSV reads the 26 pledges alone
    # Every row fetched became a view (the hidden pledges none) before the next chunk
    # was read, and only the view in hand was still alive.
    for fetched, made, alive in holdings.samples:
        assert fetched - hidden <= made <= fetched and alive <= 1


def test_the_json_export_writes_each_chunk_before_reading_the_next(
    demo: Muster, holdings: Holdings, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = io.BytesIO()
    written: list[int] = []
    chunks = streams.chunks

    def after_each(*args: Any, **kwargs: Any) -> Iterator[Sequence[Any]]:
        for part in chunks(*args, **kwargs):
            written.append(out.tell())
            yield part

    monkeypatch.setattr(streams, "chunks", after_each)
    write_dump(demo, out)
    assert max(holdings.chunks) <= CHUNK and sum(holdings.chunks) > 10 * CHUNK
    assert written == sorted(written) and len(set(written)) == len(written)


def test_long_reads_run_on_server_side_cursors(
    demo: Muster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL a chunked read must not be buffered whole by the driver: the rows
    come through a server-side cursor, a chunk per FETCH. SQLite steps lazily anyway."""
    monkeypatch.setattr(streams, "CHUNK", CHUNK)
    seen: list[tuple[str, int | None, str]] = []

    def record(_conn: Any, cursor: Any, statement: str, _p: Any, context: Any, _m: Any) -> None:
        options = context.execution_options
        seen.append((statement, options.get("yield_per"), type(cursor).__name__))

    event.listen(demo.engine, "after_cursor_execute", record)
    try:
        write_dump(demo, io.BytesIO())
        write_report(demo, DELEGATE, "xlsx", io.BytesIO())
    finally:
        event.remove(demo.engine, "after_cursor_execute", record)
    streamed = [(s, cursor) for s, chunk, cursor in seen if chunk == CHUNK]
    long_tables = ("FROM pledge", "FROM event", "FROM question")
    assert all(any(t in s for s, _ in streamed) for t in long_tables)
    if demo.engine.dialect.name == "postgresql":
        assert {cursor for _, cursor in streamed} == {"ServerCursor"}
