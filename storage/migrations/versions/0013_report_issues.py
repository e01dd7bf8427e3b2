"""report issues: the co-chairs' written reports, as they are asked for and sent

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 09:00:00

`/muster report` records each report when it is asked for (a retried request is
refused there, so nothing goes twice) and marks it once the document is sent. The
latest report of an edition that a coordinator issued is where the next one's
"since the previous report" starts. No report was issued before: the table starts
empty.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_issue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("requested_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("requested_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("issued", sa.Boolean(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("as_of", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("file_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("report_issue", schema=None) as batch_op:
        batch_op.create_index(
            "ix_report_issue_previous", ["edition", "issued", "status", "as_of"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("report_issue", schema=None) as batch_op:
        batch_op.drop_index("ix_report_issue_previous")
    op.drop_table("report_issue")
