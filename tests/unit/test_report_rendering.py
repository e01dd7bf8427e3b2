"""The written report's renderers on their own: annex letters, columns wide enough for
their figures, user text that cannot break out of a cell in either format, the
condition sentences in the right number, and the same bytes for the same report."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import docx
import pytest
from matplotlib.colors import to_hex

from bot.domain.model import ConditionKind, Coverage, Priority
from bot.domain.read_models import ObjectiveView, RequirementView, status_report
from handlers.charts import lines_figure, lines_png
from handlers.coverage import COLOURS, WORDS
from handlers.report_annexes import letter
from handlers.report_blocks import TEXT_WIDTH, Bullets, Heading, Layout, Para, cell, table
from handlers.report_docx import docx_bytes
from handlers.report_markdown import markdown
from handlers.report_words import hinge_sentence
from tests.support.reports import markdown_tables

AS_OF = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
NASTY = "A | B *bold* [link](x) <b>&amp; \x01ctrl\ttab\nline two"


def no_chart(_chart: object) -> bytes:
    raise AssertionError("no chart in this layout")


def layout(*blocks: object) -> Layout:
    return Layout("Title", "Coalition edition", "MARKING", "footer", list(blocks))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("index", "name"),
    [(0, "A"), (6, "G"), (25, "Z"), (26, "AA"), (27, "AB"), (701, "ZZ"), (702, "AAA")],
)
def test_annexes_are_lettered_as_staff_letter_them(index: int, name: str) -> None:
    assert letter(index) == name


def test_a_column_is_as_wide_as_its_longest_figure_and_the_text_column_gives_way() -> None:
    t = table(
        ["Line", "Requirement", "Open"],
        [["UAF-2", "Equipment funding", "1,200,000,000"]],
        [1.5, 14.5, 1.3],
        right={2},
        flex=1,
    )
    line, text, figure = t.widths
    assert figure >= 13 * 0.15 + 0.4  # thirteen characters, never broken
    assert line == 1.5 and round(line + text + figure, 2) <= TEXT_WIDTH
    narrow = table(["A", "B"], [["x", "y"]], [15.5, 3.0], flex=1)
    assert narrow.widths[1] == 2.4  # the text column keeps a readable width
    with pytest.raises(ValueError, match="one cell per heading"):
        table(["A", "B"], [["only one"]], [1.0, 1.0])


def test_user_text_stays_in_its_cell_in_markdown() -> None:
    md = markdown(layout(table(["Title", "Qty"], [[NASTY, "2"]], [10.0, 2.0]), Para(NASTY)))
    [rows] = markdown_tables(md)
    assert rows == [["Title", "Qty"], [NASTY.replace("\x01", ""), "2"]]
    assert "<b>" not in md and "[link](x)" not in md  # neither markup nor a link
    assert md.startswith("**MARKING**") and md.rstrip().endswith("**MARKING**")


def test_user_text_reads_back_from_the_document_without_its_control_characters() -> None:
    content = docx_bytes(
        layout(
            Heading("Head"),
            Para(NASTY, lead="Lead: "),
            table(["T"], [[cell(NASTY, "FFCDD2")]], [5.0]),
        ),
        AS_OF,
        no_chart,
    )
    document = docx.Document(io.BytesIO(content))
    clean = NASTY.replace("\x01", "")
    assert [p.text for p in document.paragraphs if p.text.startswith("Lead")] == ["Lead: " + clean]
    assert document.tables[0].cell(1, 0).text == clean
    assert document.sections[0].header.paragraphs[0].text == "MARKING"


def test_the_same_report_gives_the_same_bytes_and_its_moment_is_the_files() -> None:
    blocks = [Heading("Head"), Bullets((Para("one"), Para("two", lead="Lead: ")))]
    first, again = (docx_bytes(layout(*blocks), AS_OF, no_chart) for _ in range(2))
    assert first == again
    later = docx_bytes(layout(*blocks), AS_OF + timedelta(days=1), no_chart)
    assert later != first
    with zipfile.ZipFile(io.BytesIO(first)) as package:
        assert {i.date_time for i in package.infolist()} == {(2026, 11, 27, 15, 0, 0)}
    props = docx.Document(io.BytesIO(first)).core_properties
    assert props.created == props.modified == AS_OF and props.author == "Muster"


@pytest.mark.parametrize(
    ("kind", "amounts", "said"),
    [
        (
            ConditionKind.US,
            [("LAND-1", Decimal(1), "battlegroups")],
            "1 battlegroup (LAND-1) hinges on US enablers or a US backstop.",
        ),
        (
            ConditionKind.US,
            [("LAND-1", Decimal("0.5"), "battlegroups")],
            "0.5 battlegroups (LAND-1) hinge on US enablers or a US backstop.",
        ),
        (
            ConditionKind.OTHER,
            [("LAND-3", Decimal(1), "companies")],
            "1 company (LAND-3) carries other conditions.",
        ),
        (
            ConditionKind.NATIONAL,
            [
                ("SKY-2", Decimal(1), "batteries"),
                ("SEA-1", Decimal(2), "ships"),
                ("X-1", Decimal(3), "units"),
            ],
            "1 battery (SKY-2), 2 ships (SEA-1) and 3 units (X-1) await national or parliamentary approval.",
        ),
        (
            ConditionKind.MANDATE,
            [(f"L-{n}", Decimal(n), "units") for n in range(1, 5)],
            "Conditional capacity on 4 lines awaits a mandate, a ceasefire or a host-nation invitation.",
        ),
        (
            None,
            [("LAND-1", Decimal(2), "units")],
            "Restricted pledges hold conditional capacity on 1 line.",
        ),
    ],
)
def test_conditional_capacity_reads_in_the_right_number(
    kind: ConditionKind | None, amounts: list[tuple[str, Decimal, str]], said: str
) -> None:
    assert hinge_sentence(kind, amounts) == said


def line(n: int) -> RequirementView:
    coverage = Coverage(10, firm=n, pending=2, conditional=1, critical=True)
    return RequirementView(
        f"SKY-{n}", "SKY", "Air", 10, "units", Priority.CRITICAL, True, None, "", 1, coverage
    )


def test_an_objectives_chart_stacks_each_line_to_a_hundred_in_the_four_colours() -> None:
    sky = ObjectiveView("SKY", "Safe $kies", ())
    lines = [line(n) for n in (1, 2, 3)]
    [part] = status_report([sky], lines).objectives
    figure = lines_figure(part, "SKY $kies: coverage by line")
    [axes] = figure.axes
    assert [t.get_text() for t in axes.get_yticklabels()] == ["SKY-3", "SKY-2", "SKY-1"]  # top down
    widths: dict[str, list[float]] = {}
    for collection in axes.collections:
        word = collection.get_label()
        assert to_hex(collection.get_facecolor()[0]) == COLOURS[word]
        widths[word] = [float(p.vertices[1][0] - p.vertices[0][0]) for p in collection.get_paths()]
    assert list(widths) == list(WORDS)
    assert [round(sum(line), 6) for line in zip(*widths.values(), strict=True)] == [100.0] * 3
    assert [round(w) for w in widths["firm"]] == [30, 20, 10]
    assert [t.get_text() for t in axes.get_legend().get_texts()] == list(WORDS)
    assert lines_png(part, "x").startswith(b"\x89PNG")
