"""Spreadsheet cells as the exports write them: the fast path that skips cleaning text
must never skip text that cleaning would change."""

from __future__ import annotations

import sys

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.plaintext import UNPRINTABLE, printable
from bot.services.report_files import FORMULA_STARTS, cell

# Every code point, surrogates and controls included.
ANYTHING = st.text(st.characters(codec=None, exclude_categories=()), max_size=50)


def test_every_character_printable_strips_fails_isprintable() -> None:
    """cell() skips printable() for text str.isprintable() passes: that is safe only
    if no character printable() strips is printable to Python."""
    every = (chr(n) for n in range(sys.maxunicode + 1))
    assert [c for c in every if UNPRINTABLE.match(c) and c.isprintable()] == []


@given(ANYTHING)
def test_a_cell_is_the_cleaned_text_guarded_against_formulas(text: str) -> None:
    clean = printable(text)
    expected = "'" + clean if clean.startswith(FORMULA_STARTS) else clean
    assert cell(text) == (expected or None)  # no text, no cell
    assert cell(7) == 7 and cell(True) is True and cell(None) is None


def test_write_only_spreadsheets_stream_through_lxml() -> None:
    """openpyxl falls back to a pure-Python XML writer, a quarter slower, when lxml is
    missing; the lock must keep it (issue 9's 60 s budget for the XLSX export)."""
    import openpyxl.xml

    assert openpyxl.xml.LXML is True
