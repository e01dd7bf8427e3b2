"""The written report as a Word document (python-docx), ready for staff to edit: real
headings (Word's navigation pane lists them), tables whose heading row repeats on
every page, the marking atop and at the foot of every page, page numbers, and the
coverage charts as pictures.

Tables are written as WordprocessingML text and put in place when the package is
written: python-docx builds a cell at a time, far too slowly for annexes of
thousands of rows, and a tree of them would hold a hundred megabytes where their
text holds a tenth of that. The file is the same, byte for byte, for the same report:
its properties carry the report's as-of time, and its zip entries that moment too,
never the time it was written."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from bot.domain.plaintext import printable
from handlers.report_blocks import TEXT_WIDTH, Bullets, Cell, Chart, Heading, Layout, Para, Table

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = Cm(21.0), Cm(29.7), Cm(1.8)  # A4
MAX_PICTURE_HEIGHT = Cm(22.0)
MARKING_COLOUR = RGBColor(0xB7, 0x1C, 0x1C)  # as the workbook's marking
NOTE_COLOUR = RGBColor(0x55, 0x55, 0x55)
HEADING_FILL = "D9D9D9"
FONT = "Calibri"
TABLE_TEXT = 16  # half-points: 8 pt
DXA_PER_CM = 567  # twentieths of a point

ChartPainter = Callable[[Chart], bytes]


def docx_bytes(layout: Layout, as_of: datetime, paint: ChartPainter) -> bytes:
    """The document for ``layout``; ``paint`` draws each chart as a PNG."""
    doc = Document()
    _page(doc, layout)
    _properties(doc, layout, as_of)
    tables: list[str] = []
    for block in layout.blocks:
        if isinstance(block, Heading):
            heading = doc.add_heading(clean(block.text), block.level)
            heading.paragraph_format.page_break_before = block.page_break
        elif isinstance(block, Para):
            _para(doc.add_paragraph(), block)
        elif isinstance(block, Bullets):
            for item in block.items:
                _para(doc.add_paragraph(style="List Bullet"), item)
        elif isinstance(block, Table):
            doc.add_paragraph(_marker(len(tables)))  # where the table goes
            tables.append(table_xml(block))
            doc.add_paragraph()  # Word joins two tables that touch
        else:
            _picture(doc, paint(block), block.width)
    out = io.BytesIO()
    doc.save(out)
    return stable_zip(out.getvalue(), as_of, tables)


def clean(text: str) -> str:
    """Text XML can carry: stored text from before the entry checks may hold control
    characters, and one would make the whole document unreadable."""
    return printable(text) if not text.isprintable() else text


def _page(doc: DocxDocument, layout: Layout) -> None:
    normal = doc.styles["Normal"]
    normal.font.name = FONT  # named: a theme font is not every reader's to resolve
    normal.font.size = Pt(10)
    normal.paragraph_format.space_after = Pt(4)
    section = doc.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.left_margin = section.right_margin = MARGIN
    section.top_margin = section.bottom_margin = MARGIN
    if layout.marking:
        _marking(section.header.paragraphs[0], layout.marking)
        _marking(section.footer.paragraphs[0], layout.marking)
        line = section.footer.add_paragraph()
    else:
        line = section.footer.paragraphs[0]
    line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    line.add_run(clean(layout.footer) + " · page ").font.size = Pt(8)
    for field, after in (("PAGE", " of "), ("NUMPAGES", "")):
        line._p.append(parse_xml(_field(field)))  # noqa: SLF001 (python-docx has no API for fields)
        if after:
            line.add_run(after).font.size = Pt(8)


def _field(name: str) -> str:
    return (
        f'<w:fldSimple xmlns:w="{W}" w:instr=" {name} "><w:r><w:rPr><w:sz w:val="16"/></w:rPr>'
        f"<w:t>1</w:t></w:r></w:fldSimple>"
    )


def _marking(paragraph: Paragraph, marking: str) -> None:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(clean(marking))
    run.bold = True
    run.font.color.rgb = MARKING_COLOUR


def _properties(doc: DocxDocument, layout: Layout, as_of: datetime) -> None:
    """The document's properties, from the report alone: the same report gives the
    same file."""
    moment = as_of.astimezone(UTC).replace(tzinfo=None)
    props = doc.core_properties
    props.title = clean(layout.title)
    props.subject = clean(layout.subject)
    props.author = props.last_modified_by = "Muster"
    props.created = props.modified = moment
    props.revision = 1
    props.keywords = clean(layout.marking)


def _para(paragraph: Paragraph, block: Para) -> None:
    if block.lead:
        paragraph.add_run(clean(block.lead)).bold = True
    run = paragraph.add_run(clean(block.text))
    if block.note:
        run.font.size = Pt(8.5)
        run.font.color.rgb = NOTE_COLOUR


def _picture(doc: DocxDocument, png: bytes, width: float) -> None:
    picture = doc.add_picture(io.BytesIO(png), width=Cm(min(width, TEXT_WIDTH)))
    if picture.height > MAX_PICTURE_HEIGHT:  # a tall chart is narrowed to fit a page
        picture.width = int(picture.width * MAX_PICTURE_HEIGHT / picture.height)
        picture.height = MAX_PICTURE_HEIGHT


# --- tables ----------------------------------------------------------------------------


def _marker(n: int) -> str:
    return f"MUSTER-TABLE-{n}"


def _with_tables(document: str, tables: list[str]) -> str:
    """document.xml with each marker paragraph replaced by its table."""
    parts = []
    rest = document
    for n, xml in enumerate(tables):
        before, found, rest = rest.partition(f"<w:p><w:r><w:t>{_marker(n)}</w:t></w:r></w:p>")
        if not found:
            raise RuntimeError(f"the place of table {n} is missing from the document")
        parts += [before, xml]
    return "".join([*parts, rest])


def table_xml(table: Table) -> str:
    """A table as WordprocessingML: fixed column widths, the grid style, a heading row
    repeated on every page, rows that do not break across pages."""
    widths = [round(w * DXA_PER_CM) for w in table.widths]
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    head = _row(table.headers, widths, table.right, heading=True)
    rows = "".join(_row(row, widths, table.right, heading=False) for row in table.rows)
    return (
        f'<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/>'
        f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:tblLayout w:type="fixed"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>{head}{rows}</w:tbl>"
    )


def _row(
    cells: tuple[Cell, ...], widths: list[int], right: frozenset[int], *, heading: bool
) -> str:
    kind = "<w:tblHeader/>" if heading else "<w:cantSplit/>"
    body = "".join(
        _cell(c, widths[n], right=n in right, heading=heading) for n, c in enumerate(cells)
    )
    return f"<w:tr><w:trPr>{kind}</w:trPr>{body}</w:tr>"


def _cell(cell: Cell, width: int, *, right: bool, heading: bool) -> str:
    fill = cell.fill or (HEADING_FILL if heading else "")
    shading = f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else ""
    align = '<w:jc w:val="right"/>' if right else ""
    bold = "<w:b/>" if cell.bold or heading else ""
    lines = clean(cell.text).split("\n")
    runs = "<w:br/>".join(f'<w:t xml:space="preserve">{_text(line)}</w:t>' for line in lines)
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shading}</w:tcPr>'
        f'<w:p><w:pPr><w:spacing w:before="0" w:after="0"/>{align}</w:pPr>'
        f'<w:r><w:rPr>{bold}<w:sz w:val="{TABLE_TEXT}"/></w:rPr>{runs}</w:r></w:p></w:tc>'
    )


def _text(text: str) -> str:
    return escape(text).replace("\t", '</w:t><w:tab/><w:t xml:space="preserve">')


# --- the same bytes for the same report -------------------------------------------------


def stable_zip(data: bytes, as_of: datetime, tables: list[str] | None = None) -> bytes:
    """The package again, with the tables in place, each entry stamped with the
    report's as-of time (zipfile stamps the moment of writing), in the same order."""
    stamp = as_of.astimezone(UTC).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = entry.external_attr
            content = source.read(entry.filename)
            if entry.filename == "word/document.xml" and tables:
                content = _with_tables(content.decode(), tables).encode()
            target.writestr(info, content)
    return out.getvalue()
