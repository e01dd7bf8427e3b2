"""calls for contributions and nil returns; the outbox of direct messages

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 09:00:00

outbox_message holds the direct messages owed to members, each under a unique key
naming what it is (``call:C-3:open:U123``): written in the transaction of what owes
it, claimed under a lease, posted with its key in the message metadata and marked
sent, so each goes once whichever process sends it. A message waits for its
``not_before`` (a member's night) and lapses at its ``expires_at``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column("recipient", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("blocks", sa.JSON(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("not_before", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("claimed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lease_until", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ts", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_message_due", ["status", "not_before"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_due")
    op.drop_table("outbox_message")
