"""A spreadsheet (XLSX) written row by row, for exports of any size.

openpyxl, even in write-only mode, builds a cell object and an XML element per value:
about 25 µs a cell here, with or without lxml, which is over 100 s for the report of
a coalition with 200,000 pledges and their history. A sheet's rows are plain data
(text, whole numbers, booleans, a bold first row), so this writes the few XML parts
an XLSX needs itself and streams each sheet's rows straight into its compressed ZIP
entry: about 1 µs a cell, and nothing held but the rows not yet flushed. openpyxl
reads the result back in the tests.

Text must already be printable (bot.domain.plaintext): XML cannot carry control
characters, and the exports strip them before they get here."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import IO, Any

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
OFFICE = "application/vnd.openxmlformats-officedocument"
FLUSH_EVERY = 500  # rows per write to the ZIP entry: fewer, larger calls into zlib

# Two cell formats: 0 the default, 1 bold. Excel requires the two fills and a border.
STYLES = (
    f'<styleSheet xmlns="{MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b val="1"/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
FORBIDDEN_IN_TITLES = set("[]:*?/\\")


def _column(n: int) -> str:
    """A, B, … Z, AA, … for the 0-based column ``n``."""
    name = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        name = chr(65 + rest) + name
    return name


COLUMNS = [_column(n) for n in range(256)]


def _attribute(value: str) -> str:
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _cells(values: Sequence[Any], row: str, style: str) -> Iterator[str]:
    for column, value in zip(COLUMNS, values, strict=False):
        kind = type(value)
        if kind is str:
            if value:  # an empty cell is simply not written
                text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                yield (
                    f'<c r="{column}{row}"{style} t="inlineStr">'
                    f'<is><t xml:space="preserve">{text}</t></is></c>'
                )
        elif kind is bool:  # before int: a bool is an int
            yield f'<c r="{column}{row}"{style} t="b"><v>{int(value)}</v></c>'
        elif kind is int:
            yield f'<c r="{column}{row}"{style}><v>{value}</v></c>'
        elif value is not None:
            raise TypeError(f"a cell holds text, a whole number or a boolean, not {value!r}")


class Sheet:
    """One sheet being written: rows go out in order, a few hundred at a time."""

    def __init__(self, entry: IO[bytes]) -> None:
        self._entry = entry
        self._pending: list[str] = []
        self._rows = 0
        entry.write(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{MAIN}"><sheetData>'.encode()
        )

    def append(self, values: Sequence[Any], *, bold: bool = False) -> None:
        if len(values) > len(COLUMNS):
            raise ValueError(f"a row of {len(values)} cells is wider than {len(COLUMNS)}")
        self._rows += 1
        row, style = str(self._rows), ' s="1"' if bold else ""
        self._pending.append(f'<row r="{row}">{"".join(_cells(values, row, style))}</row>')
        if len(self._pending) >= FLUSH_EVERY:
            self._flush()

    def _flush(self) -> None:
        self._entry.write("".join(self._pending).encode())
        self._pending.clear()

    def close(self) -> None:
        self._flush()
        self._entry.write(b"</sheetData></worksheet>")


class Workbook:
    """Sheets written one after the other into ``out``; the parts that list them
    are written when the workbook is closed."""

    def __init__(self, out: IO[bytes]) -> None:
        # Level 1: a third of the default level's time for a file a tenth larger.
        self._zip = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self._titles: list[str] = []

    @contextmanager
    def sheet(self, title: str) -> Iterator[Sheet]:
        if not 0 < len(title) <= 31 or FORBIDDEN_IN_TITLES & set(title) or title in self._titles:
            raise ValueError(f"{title!r} cannot name a sheet of this workbook")
        self._titles.append(title)
        name = f"xl/worksheets/sheet{len(self._titles)}.xml"
        # force_zip64: the size of a streamed entry is not known before it is written.
        with self._zip.open(name, "w", force_zip64=True) as entry:
            sheet = Sheet(entry)
            yield sheet
            sheet.close()

    def close(self) -> None:
        sheets = "".join(
            f'<sheet name="{_attribute(t)}" sheetId="{n}" r:id="rId{n}"/>'
            for n, t in enumerate(self._titles, 1)
        )
        sheet_relations = "".join(
            f'<Relationship Id="rId{n}" Type="{DOCUMENT}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, len(self._titles) + 1)
        )
        sheet_types = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{OFFICE}.spreadsheetml.worksheet+xml"/>'
            for n in range(1, len(self._titles) + 1)
        )
        styles = len(self._titles) + 1
        parts = {
            "[Content_Types].xml": f'<Types xmlns="{TYPES}">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{OFFICE}.spreadsheetml.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{OFFICE}.spreadsheetml.styles+xml"/>'
            f"{sheet_types}</Types>",
            "_rels/.rels": f'<Relationships xmlns="{RELATIONSHIPS}">'
            f'<Relationship Id="rId1" Type="{DOCUMENT}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
            "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{DOCUMENT}">'
            f"<sheets>{sheets}</sheets></workbook>",
            "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{RELATIONSHIPS}">{sheet_relations}'
            f'<Relationship Id="rId{styles}" Type="{DOCUMENT}/styles" Target="styles.xml"/>'
            "</Relationships>",
            "xl/styles.xml": STYLES,
        }
        for name, xml in parts.items():
            self._zip.writestr(name, '<?xml version="1.0" encoding="UTF-8"?>\n' + xml)
        self._zip.close()
