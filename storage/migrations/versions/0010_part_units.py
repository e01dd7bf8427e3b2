"""quantities with up to two decimal places (part-units), stored exactly

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 09:00:00

A company is a quarter of a battlegroup: requirement, pledge and running-total
quantities take two decimal places. PostgreSQL stores them as NUMERIC(18, 2).
SQLite has no exact decimal type, so the columns stay integers and hold hundredths
(storage.types.Quantity): the quantities already there are multiplied by 100.

The audit log keeps quantities as the JSON numbers they were: a whole number is
unchanged, a part-unit is written as 0.25.

A downgrade is refused while any quantity, or any quantity the audit log recorded,
has a fractional part: the older schema could not hold it, and rounding it would
misstate a pledge.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("requirement", "pledge", "pledge_total")
NUMERIC = sa.Numeric(18, 2)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            op.execute(f"UPDATE {table} SET quantity = quantity * 100")  # noqa: S608 (fixed names)
        return
    for table in TABLES:
        op.alter_column(
            table,
            "quantity",
            type_=NUMERIC,
            existing_type=sa.BigInteger(),
            existing_nullable=False,
            postgresql_using="quantity::numeric(18, 2)",
        )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    _refuse_part_units(sqlite)
    if sqlite:
        for table in TABLES:
            op.execute(f"UPDATE {table} SET quantity = quantity / 100")  # noqa: S608 (fixed names)
        return
    for table in TABLES:
        op.alter_column(
            table,
            "quantity",
            type_=sa.BigInteger(),
            existing_type=NUMERIC,
            existing_nullable=False,
            postgresql_using="quantity::bigint",
        )


def _refuse_part_units(sqlite: bool) -> None:
    fractional = "quantity % 100 <> 0" if sqlite else "quantity <> trunc(quantity)"
    found = [
        f"{table} ({count})"
        for table in TABLES
        if (count := _count(f"SELECT count(*) FROM {table} WHERE {fractional}"))  # noqa: S608
    ]
    if sqlite:
        said = "json_type({side}, '$.quantity') = 'real'"
    else:
        said = "({side} ->> 'quantity') LIKE '%.%'"
    either = " OR ".join(said.format(side=side) for side in ("before", "after"))
    events = _count(f"SELECT count(*) FROM event WHERE {either}")  # noqa: S608 (fixed names)
    if events:
        found.append(f"event ({events})")
    if found:
        raise RuntimeError(
            "Cannot downgrade below 0010: quantities with a fractional part are stored in "
            + ", ".join(found)
            + ". Revision 0009 holds whole numbers only, and rounding would misstate what "
            "was pledged: restore a backup taken before the upgrade instead."
        )


def _count(query: str) -> int:
    return int(op.get_bind().execute(sa.text(query)).scalar_one())
