"""calls for contributions and nil returns; the outbox of direct messages

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 09:00:00

contribution_call is a call for contributions (C-n) with its deadline; call_line the
lines it asks offers for; call_response where each delegation stands on it (silent,
responded, or declined: a nil return), written with the pledge, question or decline
that answers it. A member keeps their own Slack time zone, for quiet hours: empty on
existing members until it is looked up.

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
        "contribution_call",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("message", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("deadline", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("timezone", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("deadline_version", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("opened_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("opened_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("extended_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("closed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("summarized_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contribution_call", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contribution_call_status"), ["status"], unique=False)

    op.create_table(
        "call_line",
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["call_id"], ["contribution_call.id"]),
        sa.ForeignKeyConstraint(["requirement_id"], ["requirement.id"]),
        sa.PrimaryKeyConstraint("call_id", "requirement_id"),
    )
    with op.batch_alter_table("call_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_call_line_requirement_id"), ["requirement_id"], unique=False
        )

    op.create_table(
        "call_response",
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("delegation_id", sa.Integer(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("how", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("restricted", sa.Boolean(), nullable=False),
        sa.Column("responded_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("responded_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("told", sa.Integer(), nullable=False),
        sa.Column("reminded", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["call_id"], ["contribution_call.id"]),
        sa.ForeignKeyConstraint(["delegation_id"], ["delegation.id"]),
        sa.PrimaryKeyConstraint("call_id", "delegation_id"),
    )
    with op.batch_alter_table("call_response", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_call_response_delegation_id"), ["delegation_id"], unique=False
        )

    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "timezone",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                server_default="",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column(
                "timezone_checked_at", storage.types.UTCDateTime(timezone=True), nullable=True
            )
        )

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
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("timezone_checked_at")
        batch_op.drop_column("timezone")
    with op.batch_alter_table("call_response", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_response_delegation_id"))
    op.drop_table("call_response")
    with op.batch_alter_table("call_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_line_requirement_id"))
    op.drop_table("call_line")
    with op.batch_alter_table("contribution_call", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contribution_call_status"))
    op.drop_table("contribution_call")
