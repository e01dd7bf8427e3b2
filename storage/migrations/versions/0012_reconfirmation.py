"""periodic reconfirmation: when each pledge was last confirmed, asked about and gone stale

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 09:00:00

A pledge records when its delegation last said it stands (confirmed_at: made, changed
or reconfirmed), when it was asked to reconfirm it, and since when it is stale (not
reconfirmed within the grace: it no longer counts as firm). A pledge already recorded
was last confirmed when it last changed (updated_at); none has been asked, none is
stale.

The running totals (pledge_total) are kept per staleness too, so coverage reads stale
pledges as pending from the same few rows: the table is derived, so it is made again
with the new key and summed from the pledges.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOMENT = storage.types.UTCDateTime(timezone=True)
TOTAL_KEY = ["requirement_id", "status", "condition_kind", "restricted"]


def upgrade() -> None:
    with op.batch_alter_table("pledge", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confirmed_at", MOMENT, nullable=True))
        batch_op.add_column(sa.Column("reconfirm_asked_at", MOMENT, nullable=True))
        batch_op.add_column(sa.Column("stale_since", MOMENT, nullable=True))
    op.execute("UPDATE pledge SET confirmed_at = updated_at")
    with op.batch_alter_table("pledge", schema=None) as batch_op:
        batch_op.alter_column("confirmed_at", existing_type=MOMENT, nullable=False)
        batch_op.create_index(
            "ix_pledge_reconfirm_due", ["reconfirm_asked_at", "confirmed_at"], unique=False
        )
        batch_op.create_index(
            "ix_pledge_stale_due", ["stale_since", "reconfirm_asked_at"], unique=False
        )
    _totals(stale=True)


def downgrade() -> None:
    _totals(stale=False)
    with op.batch_alter_table("pledge", schema=None) as batch_op:
        batch_op.drop_index("ix_pledge_stale_due")
        batch_op.drop_index("ix_pledge_reconfirm_due")
        batch_op.drop_column("stale_since")
        batch_op.drop_column("reconfirm_asked_at")
        batch_op.drop_column("confirmed_at")


def _totals(*, stale: bool) -> None:
    """pledge_total made again, keyed by staleness too or not, and summed from the pledges."""
    op.drop_table("pledge_total")
    key = [*TOTAL_KEY, "stale"] if stale else TOTAL_KEY
    op.create_table(
        "pledge_total",
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("condition_kind", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("restricted", sa.Boolean(), nullable=False),
        *([sa.Column("stale", sa.Boolean(), nullable=False)] if stale else []),
        sa.Column("quantity", storage.types.Quantity(), nullable=False),
        sa.Column("pledges", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["requirement_id"], ["requirement.id"]),
        sa.PrimaryKeyConstraint(*key),
    )
    # Both databases store the pledge's quantity as the total stores it (hundredths on
    # SQLite, NUMERIC on PostgreSQL), so the sums go across as they are.
    columns = ", ".join(TOTAL_KEY)
    flag = ", stale_since IS NOT NULL" if stale else ""
    op.execute(
        f"INSERT INTO pledge_total ({', '.join(key)}, quantity, pledges) "  # noqa: S608 (fixed names)
        f"SELECT {columns}{flag}, SUM(quantity), COUNT(*) FROM pledge GROUP BY {columns}{flag}"
    )
