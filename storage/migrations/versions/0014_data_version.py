"""the data version: one number, counted up by every commit that wrote anything

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 12:00:00

Reads that are the same for everyone (status, gaps) are built once and reused
while this number stays the same (storage/versions.py, bot/services/read_cache.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO data_version (id, number) VALUES (1, 0)")


def downgrade() -> None:
    op.drop_table("data_version")
