"""Whole-database dump and restore, for `muster export --format json` and `muster import`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, Table, func, insert, select, text
from sqlmodel import Session, SQLModel

import storage.models  # noqa: F401  (registers the tables)
from storage import streams, totals
from storage.types import UTCDateTime

# Parents before children, so foreign keys hold at every insert.
TABLES = [
    "objective",
    "delegation",
    "member",
    "coordinator",
    "knownuser",
    "setting",
    "requirement",
    "pledge",
    "question",
    "event",
    "subscription",
    "postclaim",
    "delivery",
    "answer_notice",
    "outbox_message",
    "contribution_call",
    "call_line",
    "call_response",
    "report_issue",
]


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


def _in(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    # Callers that checked the rows first pass dates already parsed; text is ISO-8601.
    converted = {}
    for name, value in row.items():
        column = table.columns[name]
        if isinstance(value, str) and isinstance(column.type, UTCDateTime | DateTime):
            value = datetime.fromisoformat(value)
        elif isinstance(value, str) and isinstance(column.type, Date):
            value = date.fromisoformat(value)
        converted[name] = value
    return converted


def count_rows(session: Session) -> dict[str, int]:
    return {
        name: int(session.execute(select(func.count()).select_from(_table(name))).scalar_one())
        for name in TABLES
    }


def dump_rows(session: Session, name: str) -> Iterator[list[dict[str, Any]]]:
    """The rows of one table in key order, a chunk at a time (storage.streams), dates
    and timestamps as ISO-8601 text."""
    table = _table(name)
    names = list(table.columns.keys())
    # Only the date columns are converted: a test of every value cost more than the
    # conversion, at 200,000 pledges and their events.
    dated = [
        n for n, c in enumerate(table.columns) if isinstance(c.type, Date | DateTime | UTCDateTime)
    ]
    query = select(table).order_by(*table.primary_key.columns)
    for part in streams.chunks(session, query):
        rows = []
        for row in part:
            values = list(row)
            for n in dated:
                if values[n] is not None:
                    values[n] = values[n].isoformat()
            rows.append(dict(zip(names, values, strict=True)))
        yield rows


def is_empty(session: Session) -> bool:
    """Nothing but the objectives every migrated database starts with."""
    return all(
        session.execute(select(func.count()).select_from(_table(n))).scalar_one() == 0
        for n in TABLES
        if n != "objective"
    )


def restore(
    session: Session,
    tables: dict[str, list[dict[str, Any]]],
    progress: Callable[[int], None] | None = None,
) -> None:
    """Insert every row with its own ids; the database must hold nothing but the seeded objectives."""
    session.execute(_table("objective").delete())
    for name in TABLES:
        rows = tables.get(name, [])
        table = _table(name)
        if rows:
            session.execute(insert(table), [_in(table, row) for row in rows])
        if progress:
            progress(len(rows))
    totals.rebuild(session)  # derived, so not in the file: counted from the pledges
    if session.get_bind().dialect.name == "postgresql":
        for name in TABLES:
            column = "id" if "id" in _table(name).columns else None
            if column:  # the next P-n, Q-n … continue after the restored ones
                session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608 (fixed names)
                        f"GREATEST((SELECT COALESCE(MAX(id), 0) FROM {name}), 1), (SELECT COUNT(*) > 0 FROM {name}))"
                    )
                )
