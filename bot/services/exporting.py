"""Exports as files, written as they are read: the written report (CSV and XLSX, as
one user may see it) and the whole database as JSON, for moving it; `muster import`
restores that losing nothing.

Each export reads inside one transaction, a snapshot on both databases, so a pledge
added mid-export cannot appear without its requirement. The long tables are read a
chunk at a time (storage.streams) and each row goes to the file before the next chunk
is fetched, so an export's memory does not grow with the coalition's history."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import IO
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.domain.errors import Conflict
from bot.domain.model import json_number
from bot.services.importing import FORMAT, VERSION, CheckedExport, check
from bot.services.muster import Muster
from bot.services.report_files import write_csv
from bot.services.report_reads import ReportReads
from bot.services.report_sheets import write_xlsx
from storage import backup, streams
from storage.db import head_revision, read_session, write_session

REPORT_FORMATS = ("csv", "xlsx")


def _quantity(value: object) -> int | float:
    """Quantities (Decimal) as JSON numbers that read back exactly: 2 and 0.25
    (bot.domain.model.json_number); `muster import` reads them back as Decimals."""
    if isinstance(value, Decimal):
        return json_number(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


# Compact (no indent: at 200,000 pledges indentation alone is tens of megabytes);
# one encoder for every row rather than one per json.dumps call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_quantity)


@contextmanager
def snapshot(muster: Muster) -> Iterator[Session]:
    """One read transaction that sees one moment for every statement it runs. SQLite's
    read transaction is one already; PostgreSQL's default (READ COMMITTED) is not."""
    engine = muster.engine
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    with read_session(engine) as s:
        streams.read_every_row(s)
        yield s


def write_report(muster: Muster, user_id: str, fmt: str, out: IO[bytes]) -> datetime:
    """Write the report ``user_id`` may see to ``out`` as ``fmt`` (csv or xlsx);
    returns the moment it describes."""
    if fmt not in REPORT_FORMATS:
        raise ValueError(f"no report as {fmt!r}")
    with snapshot(muster) as s:
        actor = muster.uow.registered(s, user_id)
        report = ReportReads.open(s, actor, muster.clock())
        if fmt == "csv":
            write_csv(report, out, ZoneInfo(muster.timezone))
        else:
            write_xlsx(report, out, ZoneInfo(muster.timezone), muster.marking)
        return report.generated_at


def write_dump(
    muster: Muster, out: IO[bytes], progress: Callable[[str, int], None] | None = None
) -> None:
    """Every table, parents first, as one JSON object; ``progress(table, rows)`` is told
    of each chunk written."""
    with snapshot(muster) as s:
        head = {
            "format": FORMAT,
            "version": VERSION,
            "schema": head_revision(),
            "exported_at": muster.clock().isoformat(),
        }
        out.write(_ENCODER.encode(head)[:-1].encode() + b',"tables":{')
        for n, name in enumerate(backup.TABLES):
            out.write(b"," * (n > 0) + _ENCODER.encode(name).encode() + b":[")
            written = 0
            for chunk in backup.dump_rows(s, name):
                rows = ",".join(_ENCODER.encode(row) for row in chunk)
                out.write(b"," * (written > 0) + rows.encode())
                written += len(chunk)
                if progress:
                    progress(name, len(chunk))
            out.write(b"]")
        out.write(b"}}")


def restore(
    muster: Muster, data: object, progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    """Restore a JSON export, checked first (bot.importing): ImportRefused lists every
    problem and nothing is written. Pass a CheckedExport to skip checking it twice."""
    checked = data if isinstance(data, CheckedExport) else check(data)
    with write_session(muster.engine) as s:
        if not backup.is_empty(s):
            raise Conflict("The database is not empty; import into a freshly migrated database.")
        backup.restore(s, checked.tables, progress)
        s.flush()
        return backup.count_rows(s)
