"""Spreadsheets (XLSX) written a row at a time with openpyxl's write-only mode: each
sheet's rows go to a temporary file as they are appended and are zipped on close, so
an export holds no more than the row in hand, however large the register.

Write-only mode costs about 5 µs a cell with lxml (a cell object and an XML element):
the price of a maintained library over a hand-written OOXML writer, paid in time,
not memory. A new styled cell costs about as much again, so styles are named and
registered once per workbook, a long column reuses one styled cell (Sheet.painter),
and only the cells that need a style get one. Text must already be printable (bot.domain.plaintext): XML cannot
carry control characters, and the exports strip them before they get here.

What write-only mode allows is set when a sheet is opened, before its first row:
column widths, frozen panes, the rows printed atop every page, and the page header
and footer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any, cast

from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

FORBIDDEN_IN_TITLES = set("[]:*?/\\")
PAGE_NUMBER = "Page &P of &N"
MAX_PAGE_TEXT = 255  # characters in a page header or footer, its codes included


@dataclass(frozen=True)
class Style:
    """A named cell style. Colours are RGB hex ("C8E6C9")."""

    name: str
    bold: bool = False
    size: float | None = None
    colour: str | None = None  # of the text
    fill: str | None = None  # of the background
    number_format: str = "General"
    wrap: bool = False

    def named(self) -> NamedStyle:
        font = Font(name="Calibri", size=self.size or 11, bold=self.bold, color=self.colour)
        style = NamedStyle(name=self.name, font=font, number_format=self.number_format)
        if self.fill:
            style.fill = PatternFill("solid", fgColor=self.fill)
        if self.wrap:
            style.alignment = Alignment(wrap_text=True, vertical="top")
        return style


@dataclass(frozen=True)
class Layout:
    """How a sheet is laid out and printed."""

    widths: Sequence[float] = ()  # of the columns from A, in characters
    frozen_rows: int = 0  # rows kept in view when scrolling down
    frozen_columns: int = 0  # columns kept in view when scrolling right
    header: str = ""  # the centre of the printed page's header and footer
    footer: str = ""  # the left of the printed page's footer (the right numbers the page)


def page_text(text: str) -> str:
    """Text as a page header or footer shows it: "&" starts a code there."""
    return text.replace("&", "&&")


class Sheet:
    """One sheet, appended to row by row."""

    def __init__(self, worksheet: WriteOnlyWorksheet) -> None:
        self.worksheet = worksheet

    def append(self, values: Sequence[Any]) -> None:
        """A row of values and cells (from ``styled`` or a painter); None leaves a
        cell empty."""
        self.worksheet.append(values if isinstance(values, list) else list(values))

    def styled(self, value: Any, style: str) -> Cell:
        """A cell with the named style (registered with the workbook)."""
        cell = WriteOnlyCell(self.worksheet, value=value)
        cell.style = style
        return cell

    def painter(self, style: str) -> Callable[[Any], Cell]:
        """For a column of many styled cells: one cell object, given each row's value.
        A new cell costs as much as writing one, and openpyxl writes a row when it is
        appended, so the cell is free again once ``append`` returns. Use a painter
        once per row; None gives an empty styled cell."""
        cell = self.styled(None, style)

        def paint(value: Any) -> Cell:
            cell.value = value
            return cell

        return paint

    def append_styled(self, values: Sequence[Any], style: str) -> None:
        """A row whose every cell has the named style."""
        self.append([self.styled(v, style) for v in values])


class Workbook:
    """A workbook written to ``out`` when closed; sheets are added in order."""

    def __init__(self, out: IO[bytes], styles: Sequence[Style] = ()) -> None:
        self.out = out
        self.book = OpenpyxlWorkbook(write_only=True)
        for style in styles:
            self.book.add_named_style(style.named())

    def sheet(self, title: str, layout: Layout | None = None) -> Sheet:
        """A new sheet, after those made before. Sheets may be written in any order:
        each streams to its own temporary file until the workbook is closed."""
        clean = "".join("_" if c in FORBIDDEN_IN_TITLES else c for c in title)[:31]
        worksheet = self.book.create_sheet(clean)
        if layout:
            _lay_out(worksheet, layout)
        return Sheet(worksheet)

    def close(self) -> None:
        self.book.save(self.out)


def _lay_out(write_only: WriteOnlyWorksheet, layout: Layout) -> None:
    # A write-only sheet has these parts of a sheet (Worksheet._setup); the type
    # stubs do not say so.
    worksheet = cast(Worksheet, write_only)
    for n, width in enumerate(layout.widths, 1):
        worksheet.column_dimensions[get_column_letter(n)].width = width
    if layout.frozen_rows or layout.frozen_columns:
        top_left = f"{get_column_letter(layout.frozen_columns + 1)}{layout.frozen_rows + 1}"
        worksheet.freeze_panes = top_left
    if layout.frozen_rows:
        worksheet.print_title_rows = f"1:{layout.frozen_rows}"
    header, footer = worksheet.oddHeader, worksheet.oddFooter
    assert header is not None and footer is not None  # every sheet has them, empty
    centre, left = page_text(layout.header), page_text(layout.footer)
    if centre:
        header.center.text = footer.center.text = centre
    # Excel refuses a file whose footer runs past 255 characters; the centre goes first.
    if left and len(left) + len(centre) + len(PAGE_NUMBER) + 6 <= MAX_PAGE_TEXT:
        footer.left.text = left
    footer.right.text = PAGE_NUMBER
    worksheet.page_setup.orientation = "landscape"  # printed as wide as the page, rows run on
    worksheet.page_setup.fitToHeight = 0
    worksheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
