"""The spreadsheet writer (bot.services.xlsx) makes each row's XML itself, on openpyxl's
write-only sheet: what it writes must read back, through openpyxl, as the values and
styles a cell per value would have given, and what XML cannot carry must stop the
export instead of reaching a reader."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal
from enum import Enum, IntEnum, StrEnum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from bot.domain.plaintext import UNPRINTABLE
from bot.services import xlsx
from bot.services.xlsx import MAX_TEXT, ROWS_PER_BATCH, Style, Styled

STYLES = [
    Style("Bold", bold=True, fill="FFCDD2"),
    Style("Day", number_format="yyyy-mm-dd"),
    Style("Share", number_format="0%"),
]


def written(rows: list[list[Any]], styles: list[Style] = STYLES) -> Worksheet:
    out = io.BytesIO()
    book = xlsx.Workbook(out, styles)
    sheet = book.sheet("Rows")
    for row in rows:
        sheet.append(row)
    book.close()
    worksheet = load_workbook(io.BytesIO(out.getvalue())).active
    assert isinstance(worksheet, Worksheet)
    return worksheet


def sheet_xml(rows: list[list[Any]]) -> str:
    """The first sheet's XML as written into the file."""
    out = io.BytesIO()
    book = xlsx.Workbook(out)
    sheet = book.sheet("Rows")
    for row in rows:
        sheet.append(row)
    book.close()
    with zipfile.ZipFile(out) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode()


def values(worksheet: Worksheet) -> list[list[Any]]:
    return [list(row) for row in worksheet.iter_rows(values_only=True)]


def test_values_read_back_with_their_types() -> None:
    moment, day = datetime(2026, 3, 4, 12, 30, 15), date(2026, 3, 5)
    rows = [
        ["text", 7, Decimal("0.25"), 1.5, True, False, moment, day],
        [Decimal("1500000000"), -3, None, "x"],
    ]
    worksheet = written(rows)
    assert values(worksheet) == [
        ["text", 7, 0.25, 1.5, True, False, moment, datetime(2026, 3, 5)],
        [1500000000, -3, None, "x", None, None, None, None],
    ]
    # As openpyxl does for a date with no style: a date format, never a bare number.
    assert worksheet["G1"].is_date and worksheet["H1"].is_date
    assert worksheet["H1"].number_format == "yyyy-mm-dd"


def test_none_leaves_a_gap_and_cells_keep_their_columns() -> None:
    worksheet = written([[None, "B", None, None, "E"], [], ["A"]])
    assert worksheet["B1"].value == "B" and worksheet["E1"].value == "E"
    assert worksheet["A1"].value is None and worksheet["A3"].value == "A"
    assert worksheet.max_row == 3


def test_styled_cells_carry_their_named_style_and_an_empty_one_its_fill() -> None:
    worksheet = written(
        [[Styled("heading", "Bold"), Styled(date(2026, 1, 2), "Day"), Styled(0.5, "Share")],
         [Styled(None, "Bold"), "plain"]]
    )  # fmt: skip
    heading, day, share = worksheet[1]
    assert heading.style == "Bold" and heading.font.b
    assert heading.fill.fgColor.rgb == "00FFCDD2"
    assert day.number_format == "yyyy-mm-dd" and day.value == datetime(2026, 1, 2)
    assert share.number_format == "0%" and share.value == 0.5
    empty, plain = worksheet["A2"], worksheet["B2"]
    assert empty.value is None and empty.style == "Bold"
    assert plain.style == "Normal" and not plain.font.b


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(st.characters(blacklist_categories=("Cs",)), max_size=40).filter(
            lambda t: UNPRINTABLE.search(t) is None and t != ""
        ),
        min_size=1,
        max_size=5,
    )
)
def test_any_storable_text_reads_back_as_written(texts: list[str]) -> None:
    """Markup, quotes, entities, spaces at either end, tabs and newlines: the text is
    the cell's, never markup, and never a formula."""
    assert values(written([texts])) == [texts]


def test_markup_and_formulas_are_only_text() -> None:
    tricky = ["<b>x</b> & \"y\" 'z'", "&amp;", "=1+1", "]]>", "  padded  ", "a\tb\nc"]
    worksheet = written([tricky])
    assert values(worksheet) == [tricky]
    assert all(cell.data_type == "s" for cell in worksheet[1])


def test_spaces_at_either_end_are_marked_to_be_kept() -> None:
    """openpyxl keeps them either way; Excel drops them unless the text says
    xml:space="preserve"."""
    written_xml = sheet_xml([["  padded", "inner space", "end "]])
    assert '<t xml:space="preserve">  padded</t>' in written_xml
    assert "<t>inner space</t>" in written_xml
    assert '<t xml:space="preserve">end </t>' in written_xml


def test_a_carriage_return_survives() -> None:
    assert values(written([["a\r\nb", "\r"]])) == [["a\r\nb", "\r"]]


def test_text_is_cut_at_the_cell_limit_as_openpyxl_cuts_it() -> None:
    long = "x" * (MAX_TEXT + 10)
    assert values(written([[long]])) == [["x" * MAX_TEXT]]


def test_rows_keep_their_numbers_across_batches() -> None:
    count = ROWS_PER_BATCH * 2 + 3
    worksheet = written([[n, f"row {n}"] for n in range(1, count + 1)])
    assert values(worksheet) == [[n, f"row {n}"] for n in range(1, count + 1)]


def test_columns_past_the_precomputed_letters() -> None:
    row = list(range(1, 80))
    worksheet = written([row])
    assert values(worksheet) == [row]
    assert worksheet.cell(1, 79).column_letter == "CA"


@pytest.mark.parametrize(
    ("text", "named"),
    [("bell \x07", "U+0007"), ("nul \x00", "U+0000"), ("\ufffe", "U+FFFE"), ("\ud83d", "U+D83D")],
)
def test_a_character_xml_cannot_carry_is_refused_where_it_is(text: str, named: str) -> None:
    """Callers strip these first (bot.domain.plaintext); one that slips through fails
    the export, naming the cell, instead of leaving a file Excel refuses to open."""
    book = xlsx.Workbook(io.BytesIO())
    sheet = book.sheet("Pledges")
    sheet.append(["fine", "also fine"])
    with pytest.raises(
        ValueError, match=re.escape(named) + " cannot be written.*'Pledges', cell B2"
    ):
        sheet.append(["fine", text])


def test_a_sheet_that_lost_rows_is_never_saved() -> None:
    """The rows before a bad one wait in a batch; the error ends the sheet's writer,
    so the workbook must not be saved as if the sheet were whole."""
    book = xlsx.Workbook(io.BytesIO())
    sheet = book.sheet("Rows")
    for n in range(10):
        sheet.append([n])
    with pytest.raises(TypeError):
        sheet.append([object()])
    with pytest.raises(RuntimeError, match="'Rows' lost rows"):
        sheet.append([11])
    with pytest.raises(RuntimeError, match="'Rows' lost rows"):
        book.close()


def test_enums_of_text_and_numbers_are_written_as_their_values() -> None:
    class Word(StrEnum):
        FIRM = "Firm"

    class Count(IntEnum):
        THREE = 3

    class Old(str, Enum):  # noqa: UP042  # str() of this one gives "Old.OFFERED"
        OFFERED = "offered"

    worksheet = written([[Word.FIRM, Count.THREE, Old.OFFERED, Styled(Count.THREE, "Bold")]])
    assert values(worksheet) == [["Firm", 3, "offered", 3]]
    assert worksheet["D1"].style == "Bold"


def test_a_space_left_at_the_end_by_the_cut_is_kept() -> None:
    text = "x" * (MAX_TEXT - 1) + " and more"
    assert values(written([[text]])) == [["x" * (MAX_TEXT - 1) + " "]]
    assert '<t xml:space="preserve">xxx' in sheet_xml([[text]])


def test_what_a_cell_cannot_hold_is_refused() -> None:
    book = xlsx.Workbook(io.BytesIO(), STYLES)
    sheet = book.sheet("Rows")
    with pytest.raises(TypeError, match="time zone"):
        sheet.append([datetime(2026, 1, 1).astimezone()])
    sheet = book.sheet("More")
    with pytest.raises(TypeError, match="cannot hold list"):
        sheet.append([[1, 2]])
    sheet = book.sheet("Styles")
    with pytest.raises(ValueError, match="not a known style"):
        sheet.append([Styled(1, "No such style")])
