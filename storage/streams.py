"""Reads that stream, for exports: long tables come a chunk at a time, so what an
export holds does not grow with the coalition's history.

``yield_per`` makes SQLAlchemy fetch ``chunk`` rows at a time and, on PostgreSQL,
read them through a server-side cursor: psycopg would otherwise pull the whole result
into the client when the statement runs. SQLite steps its cursor lazily anyway. The
ORM keeps loaded objects only weakly, so a chunk is freed once its caller lets go."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVarTuple

from sqlalchemy import Row, Select
from sqlmodel import Session

CHUNK = 2000  # rows per fetch: large enough to amortise a round trip, small to hold

Ts = TypeVarTuple("Ts")


def chunks(
    session: Session, query: Select[*Ts], chunk: int | None = None
) -> Iterator[Sequence[Row[*Ts]]]:
    """The rows of ``query``, ``chunk`` at a time (CHUNK unless given)."""
    result = session.execute(query, execution_options={"yield_per": chunk or CHUNK})
    try:
        yield from result.partitions()
    finally:  # a reader that stops early must not leave the server-side cursor open
        result.close()
