"""Spreadsheets (XLSX) written a row at a time with openpyxl's write-only mode: each
sheet's rows go to a temporary file as they are appended and are zipped on close, so
an export holds no more than the rows in hand, however large the register.

openpyxl makes a cell object per value, binds and checks it, and writes it as nested
XML elements, each entered and left on lxml's incremental writer: about 12 µs a cell,
4.6 s of a 20,000-pledge report's 6.3 s. So a sheet here keeps openpyxl's workbook,
styles, layout and packaging, and makes only its rows' XML itself (Rows), as text
handed to lxml 500 rows at a time: those 380,000 cells now take 1.6 s. The cells hold
what openpyxl would write: inline strings (never a formula), numbers as "%.16g",
dates as Excel's serial days with a date format, styles by their index in the
workbook; text and numbers of a subclass (an enum) as their plain values. A character
XML cannot carry (bot.domain.plaintext strips them first) is refused with the sheet
and cell it was meant for, and a sheet that lost a row is never saved: the export
fails rather than write a file Excel refuses or one that is missing rows.

What write-only mode allows is set when a sheet is opened, before its first row:
column widths, frozen panes, the rows printed atop every page, and the page header
and footer."""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from math import isfinite
from typing import IO, Any, NamedTuple, cast
from xml.sax.saxutils import escape

from lxml.etree import XMLParser, fromstring
from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from bot.domain.plaintext import describe

FORBIDDEN_IN_TITLES = set("[]:*?/\\")
PAGE_NUMBER = "Page &P of &N"
MAX_PAGE_TEXT = 255  # characters in a page header or footer, its codes included
MAX_TEXT = 32_767  # characters in a cell; openpyxl cuts longer text there too
_PRESERVE = ' xml:space="preserve"'  # text that starts or ends with a space keeps it
# What XML 1.0 cannot carry (its Char production): most control characters, lone
# surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_CARRIAGE_RETURN = {"\r": "&#13;"}  # a parser would read a bare one as a newline
ROWS_PER_BATCH = 500  # rows parsed at once: fewer calls, and still a small string
# Our own markup: nothing but XML's own escapes to resolve.
_PARSER = XMLParser(resolve_entities=False)


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


class Styled(NamedTuple):
    """A value with a named style (registered with the workbook); None is an empty
    cell that still shows the style."""

    value: Any
    style: str


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

    def __init__(self, worksheet: Rows) -> None:
        self.worksheet = worksheet

    def append(self, values: Sequence[Any]) -> None:
        """A row of values and Styled values; None leaves a cell empty."""
        self.worksheet.append(values if isinstance(values, list) else list(values))

    def append_styled(self, values: Sequence[Any], style: str) -> None:
        """A row whose every cell has the named style."""
        self.append([Styled(v, style) for v in values])


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
        worksheet = Rows(self.book, clean)
        # What create_sheet does, with this module's sheet class in place of openpyxl's.
        self.book._add_sheet(worksheet)  # type: ignore[attr-defined]  # noqa: SLF001
        if layout:
            _lay_out(worksheet, layout)
        return Sheet(worksheet)

    def close(self) -> None:
        self.book.save(self.out)


class Rows(WriteOnlyWorksheet):
    """openpyxl's write-only sheet with its rows written here. openpyxl feeds each
    appended row to ``_write_rows``, a coroutine that writes inside the sheet's
    <sheetData> element until the sheet is closed; this one keeps that protocol
    (openpyxl 3.1, pinned in pyproject.toml) and only makes the rows' XML itself."""

    def __init__(self, parent: OpenpyxlWorkbook, title: str) -> None:
        super().__init__(parent, title)
        self._style_ids: dict[Any, str] = {}  # a style's name, or a date type: its index
        self._failure: Exception | None = None

    def append(self, row: Any) -> None:
        self._still_whole()
        super().append(row)

    def close(self) -> None:
        self._still_whole()
        super().close()

    def _still_whole(self) -> None:
        # A row that could not be written ended the sheet's coroutine, and with it
        # the rows waiting in its batch: the sheet must not be saved without them.
        if self._failure is not None:
            raise RuntimeError(f"Sheet {self.title!r} lost rows to an error") from self._failure

    def _write_rows(self) -> Generator[None, list[Any], None]:
        writer = self._writer  # type: ignore[attr-defined]  # openpyxl's, made by append()
        xf = writer.xf.send(True)
        with xf.element("sheetData"):
            batch: list[str] = []
            number = 0
            try:
                while True:
                    values = yield
                    number += 1
                    batch.append(self._row(values, number))
                    if len(batch) == ROWS_PER_BATCH:
                        _flush(xf, batch)
            except GeneratorExit:
                _flush(xf, batch)
            except Exception as exc:
                self._failure = exc
                raise
        writer.xf.send(None)

    def _row(self, values: list[Any], number: int) -> str:
        n = str(number)
        cells = []
        for column, value in enumerate(values):
            style = None
            if type(value) is Styled:
                value, style = value
            elif value is None:
                continue
            ref = (_LETTERS[column] if column < len(_LETTERS) else _letter(column)) + n
            cells.append(self._cell(ref, value, style))
        return f'<row r="{n}">{"".join(cells)}</row>'

    def _cell(self, ref: str, value: Any, style: str | None) -> str:
        """One cell's XML; ``ref`` and the attributes are ours, only text is escaped."""
        styled = "" if style is None else f' s="{self._style_id(style)}"'
        kind = type(value)
        if kind is str:
            text = value[:MAX_TEXT]  # cut first: the cut may leave a space at the end
            if not text.isprintable() and (bad := _NOT_XML.search(text)):
                raise ValueError(
                    f"{describe(bad.group())} cannot be written to a spreadsheet "
                    f"(sheet {self.title!r}, cell {ref})"
                )
            space = _PRESERVE if text != text.strip() else ""
            text = escape(text, _CARRIAGE_RETURN)
            return f'<c r="{ref}"{styled} t="inlineStr"><is><t{space}>{text}</t></is></c>'
        if value is None:
            return f'<c r="{ref}"{styled}/>'
        if kind is bool:
            return f'<c r="{ref}"{styled} t="b"><v>{int(value)}</v></c>'
        if kind in (int, Decimal, float):
            return f'<c r="{ref}"{styled} t="n"><v>{_number(value)}</v></c>'
        if kind in (datetime, date):
            if style is None:  # as openpyxl does: a date never shows as a bare number
                styled = f' s="{self._date_style_id(value)}"'
            return f'<c r="{ref}"{styled} t="n"><v>{_serial(value)}</v></c>'
        plain = _plain(value)
        if plain is None:
            raise TypeError(f"A spreadsheet cell cannot hold {kind.__name__}")
        return self._cell(ref, plain, style)

    def _style_id(self, name: str) -> str:
        found = self._style_ids.get(name)
        if found is None:
            cell = WriteOnlyCell(self)
            cell.style = name  # ValueError for a style the workbook does not know
            found = self._style_ids[name] = str(cell.style_id)
        return found

    def _date_style_id(self, value: date) -> str:
        found = self._style_ids.get(type(value))
        if found is None:  # openpyxl's default format for the type, registered once
            cell = WriteOnlyCell(self, value=value)  # type: ignore[arg-type]  # dates too
            found = self._style_ids[type(value)] = str(cell.style_id)
        return found


def _flush(xf: Any, batch: list[str]) -> None:
    """The batch's rows into the sheet's file, through lxml's parser: a row our text
    would make malformed stops the export here instead of reaching Excel."""
    for row in fromstring(f"<rows>{''.join(batch)}</rows>", _PARSER):
        xf.write(row)
    batch.clear()


def _plain(value: Any) -> Any:
    """A value of a subclass of text or a number (an enum of either, say) as the plain
    value openpyxl would have written; None for anything else."""
    for base in (str, bool, int, float, Decimal):
        if isinstance(value, base):
            return base.__str__(value) if base is str else base(value)
    return None


def _letter(column: int) -> str:
    return get_column_letter(column + 1)


_LETTERS = tuple(_letter(c) for c in range(64))  # "A" to "BL"


# Days since Excel's epoch, as openpyxl reckons them (its 1900 leap-year quirk included).
_excel_days = cast(Callable[[date], float], to_excel)


def _number(value: int | float | Decimal) -> str:
    if not isfinite(value):
        return ""
    return f"{float(value):.16g}"  # as openpyxl writes a number


def _serial(value: date) -> str:
    if isinstance(value, datetime) and value.tzinfo is not None:
        raise TypeError("A spreadsheet keeps no time zone: write the local time, naive")
    return f"{_excel_days(value):.16g}"


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
