"""The written report laid out once, as a list of plain blocks (headings, paragraphs,
lists, tables, charts), which the DOCX and the Markdown renderers each walk. Both
files then say the same words in the same order; only the typesetting differs.

Text in a block is plain and unescaped: each renderer escapes it for its format."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Union

from bot.domain.read_models import ObjectiveStatus, StatusReport


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1: a section; 2: a part of one
    page_break: bool = False  # starts a new page (each annex, the first section)


@dataclass(frozen=True)
class Para:
    text: str
    lead: str = ""  # said first, in bold: "Critical shortfalls (4): "
    note: bool = False  # a smaller, secondary line (a legend, an explanation)


@dataclass(frozen=True)
class Bullets:
    items: tuple[Para, ...]


@dataclass(frozen=True)
class Cell:
    text: str
    fill: str = ""  # a background colour (hex RGB), for the state a cell names
    bold: bool = False


@dataclass(frozen=True)
class Table:
    headers: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]
    widths: tuple[float, ...]  # centimetres, one per column
    right: frozenset[int] = frozenset()  # columns of figures, set flush right


@dataclass(frozen=True)
class Chart:
    """A coverage chart: the objectives of a whole report, or one objective's lines."""

    name: str  # what the picture is called in the document, e.g. "Coverage of SKY"
    title: str
    status: StatusReport | None = None
    objective: ObjectiveStatus | None = None
    width: float = 14.0  # centimetres on the page


Block = Union[Heading, Para, Bullets, Table, Chart]  # noqa: UP007 (a type alias at run time)


@dataclass(frozen=True)
class Layout:
    """The document: what every page carries, and its blocks in order."""

    title: str
    subject: str  # the edition, for the document's properties
    marking: str  # atop and at the foot of every page; empty for none
    footer: str  # the report, its edition and its date, beside the page number
    blocks: list[Block] = field(default_factory=list)


def cell(text: object, fill: str = "", *, bold: bool = False) -> Cell:
    return Cell(str(text), fill, bold)


TEXT_WIDTH = 17.4  # centimetres between the margins of an A4 page
# What a table's 8-point text needs: a character (bold digits are the widest), and
# the cell's own margins. A figure is never broken across lines, so a column is at
# least as wide as its longest word; the ``flex`` column gives up what that takes.
CHAR_CM, CELL_MARGIN_CM, MIN_FLEX_CM, MAX_WORD_CM = 0.15, 0.4, 2.4, 4.0


def table(
    headers: Sequence[Cell | str],
    rows: Sequence[Sequence[Cell | str]],
    widths: Sequence[float],
    right: set[int] | None = None,
    *,
    flex: int | None = None,
) -> Table:
    """A table with a heading row; plain strings become plain cells. Columns are
    widened to hold their longest word, taken from column ``flex``."""

    def as_cell(value: Cell | str) -> Cell:
        return value if isinstance(value, Cell) else Cell(value)

    if any(len(row) != len(headers) for row in rows) or len(widths) != len(headers):
        raise ValueError("every row of a table has one cell per heading")
    head = tuple(as_cell(h) if isinstance(h, Cell) else Cell(h, bold=True) for h in headers)
    body = tuple(tuple(as_cell(c) for c in row) for row in rows)
    return Table(
        headers=head,
        rows=body,
        widths=_fitted(list(widths), (head, *body), flex),
        right=frozenset(right or ()),
    )


def _fitted(
    widths: list[float], rows: Sequence[Sequence[Cell]], flex: int | None
) -> tuple[float, ...]:
    longest = [0] * len(widths)
    for row in rows:
        for n, c in enumerate(row):
            longest[n] = max(longest[n], max((len(w) for w in c.text.split()), default=0))
    for n, chars in enumerate(longest):
        if n != flex:
            widths[n] = max(widths[n], min(MAX_WORD_CM, chars * CHAR_CM + CELL_MARGIN_CM))
    if flex is not None:
        over = sum(widths) - TEXT_WIDTH
        widths[flex] = max(MIN_FLEX_CM, widths[flex] - max(0.0, over))
    return tuple(round(w, 2) for w in widths)
