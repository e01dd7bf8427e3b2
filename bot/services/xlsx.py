"""Spreadsheets (XLSX) written a row at a time with openpyxl's write-only mode: each
sheet's rows go to a temporary file as they are appended and are zipped on close, so
an export holds no more than the row in hand, however large the register.

Write-only mode costs about 5 µs a cell with lxml (a cell object and an XML element):
the price of a maintained library over a hand-written OOXML writer, paid in time,
not memory. Text must already be printable (bot.domain.plaintext): XML cannot carry
control characters, and the exports strip them before they get here."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import IO, Any

from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FORBIDDEN_IN_TITLES = set("[]:*?/\\")
BOLD = Font(bold=True)


class Sheet:
    """One sheet, appended to row by row."""

    def __init__(self, worksheet: WriteOnlyWorksheet) -> None:
        self.worksheet = worksheet

    def append(self, values: Sequence[Any], *, bold: bool = False) -> None:
        if not bold:
            self.worksheet.append(list(values))
            return
        row = []
        for value in values:
            cell = WriteOnlyCell(self.worksheet, value=value)
            cell.font = BOLD
            row.append(cell)
        self.worksheet.append(row)


class Workbook:
    """A workbook written to ``out`` when closed; sheets are added in order."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.book = OpenpyxlWorkbook(write_only=True)

    @contextmanager
    def sheet(self, title: str) -> Iterator[Sheet]:
        clean = "".join("_" if c in FORBIDDEN_IN_TITLES else c for c in title)[:31]
        yield Sheet(self.book.create_sheet(clean))

    def close(self) -> None:
        self.book.save(self.out)
