"""running totals of pledged quantities per requirement, status, condition class
and releasability

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 07:00:00

Coverage summed every pledge on every read; it now reads these totals, which
storage.totals keeps in the transaction of each pledge change. They start from the
pledges already recorded.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pledge_total",
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("condition_kind", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("restricted", sa.Boolean(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("pledges", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["requirement_id"], ["requirement.id"]),
        sa.PrimaryKeyConstraint("requirement_id", "status", "condition_kind", "restricted"),
    )
    op.execute(
        "INSERT INTO pledge_total "
        "(requirement_id, status, condition_kind, restricted, quantity, pledges) "
        "SELECT requirement_id, status, condition_kind, restricted, SUM(quantity), COUNT(*) "
        "FROM pledge GROUP BY requirement_id, status, condition_kind, restricted"
    )


def downgrade() -> None:
    op.drop_table("pledge_total")
