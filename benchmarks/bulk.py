"""Bulk writing for the coalition generator: audit events shaped as the services
write them, and bulk inserts that skip SQLAlchemy's per-value work: chunked
executemany on SQLite, COPY on PostgreSQL."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import JSON, Boolean, Connection, Date, Table

from storage.types import Quantity, UTCDateTime, to_hundredths

CHUNK = 5_000
Row = dict[str, Any]


def event(
    actor: str,
    entity: str,
    ref: str,
    action: str,
    before: Row,
    after: Row,
    delegation_id: int | None = None,
    *,
    code: str = "",
    restricted: bool = False,
) -> Row:
    """An Event row as UnitOfWork.record writes it."""
    return {
        "actor": actor, "entity": entity, "entity_ref": ref, "action": action,
        "requirement_code": code, "delegation_id": delegation_id, "restricted": restricted,
        "before": before, "after": after,
    }  # fmt: skip


class Inserter:
    """Rows into a table, on the connection's transaction: the values already in the
    types SQLAlchemy would have bound (naive UTC text and quantities in hundredths on
    SQLite, JSON as text), since
    SQLAlchemy's per-value bind processing would be most of the time otherwise."""

    def __init__(self, conn: Connection) -> None:
        self.conn, self.sqlite = conn, conn.dialect.name == "sqlite"

    def __call__(self, table: Table, rows: Iterable[Row]) -> int:
        names = [c.name for c in table.columns]
        columns = ", ".join(f'"{n}"' for n in names)
        converters = [
            (n, self._converter(c.type)) for n, c in zip(names, table.columns, strict=True)
        ]
        convert = [(n, f) for n, f in converters if f is not None]
        if not self.sqlite:  # PostgreSQL: COPY, in the same transaction
            cursor = self.conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            total = 0
            with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
                for row in rows:
                    for name, f in convert:
                        row[name] = f(row[name])
                    copy.write_row(tuple(map(row.get, names)))
                    total += 1
            cursor.close()
            return total
        sql = f'INSERT INTO "{table.name}" ({columns}) VALUES ({", ".join(["?"] * len(names))})'
        total = 0
        for chunk in _batched(rows):
            for row in chunk:
                for name, f in convert:
                    row[name] = f(row[name])
            self.conn.exec_driver_sql(sql, [tuple(map(row.get, names)) for row in chunk])
            total += len(chunk)
        return total

    def _converter(self, kind: Any) -> Callable[[Any], Any] | None:
        if isinstance(kind, JSON):
            return json.dumps
        if not self.sqlite:
            return None  # psycopg adapts datetimes, dates and booleans itself
        if isinstance(kind, UTCDateTime):
            return _sqlite_time
        if isinstance(kind, Quantity):  # whole hundredths on SQLite (storage.types)
            return lambda v: None if v is None else to_hundredths(v)
        if isinstance(kind, Date):
            return lambda v: v and v.isoformat()
        if isinstance(kind, Boolean):
            return lambda v: None if v is None else int(v)
        return None


def _sqlite_time(moment: datetime | None) -> str | None:
    """As SQLAlchemy stores a UTCDateTime in SQLite: naive UTC, always with microseconds."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def between(rng: random.Random, low: datetime, high: datetime) -> datetime:
    """A moment between ``low`` and ``high`` (``low`` when the span is empty), whole seconds."""
    span = max(0, int((high - low).total_seconds()))
    return low + timedelta(seconds=rng.randint(0, span))


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _batched(rows: Iterable[Row]) -> Iterator[list[Row]]:
    it = iter(rows)
    while chunk := list(islice(it, CHUNK)):
        yield chunk
