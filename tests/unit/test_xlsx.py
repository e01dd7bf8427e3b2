"""The spreadsheet writer (bot.services.xlsx) makes each row's XML itself, on openpyxl's
write-only sheet: what it writes must read back, through openpyxl, as the values and
styles a cell per value would have given, and what XML cannot carry must stop the
export instead of reaching a reader."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml.etree import XMLSyntaxError
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
    out = io.BytesIO()
    book = xlsx.Workbook(out)
    book.sheet("Rows").append(["  padded", "inner space", "end "])
    book.close()
    with zipfile.ZipFile(out) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert '<t xml:space="preserve">  padded</t>' in sheet_xml
    assert "<t>inner space</t>" in sheet_xml
    assert '<t xml:space="preserve">end </t>' in sheet_xml


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


@pytest.mark.parametrize("text", ["bell \x07", "nul \x00", "\ufffe"])
def test_a_character_xml_cannot_carry_stops_the_sheet(text: str) -> None:
    """Callers strip these first (bot.domain.plaintext); one that slips through must
    fail the export, not leave a file Excel refuses to open."""
    out = io.BytesIO()
    book = xlsx.Workbook(out)
    sheet = book.sheet("Rows")
    sheet.append([text])
    with pytest.raises(XMLSyntaxError):
        book.close()


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
