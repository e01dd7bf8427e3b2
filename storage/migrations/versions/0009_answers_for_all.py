"""answers for all: duplicates, published answers, and the direct messages they owe

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 09:00:00

An answer now goes to every member of the asking delegation, a published one to every
member of every delegation, and a question can be linked to an earlier one that asks
the same. Each direct message owed is a row of answer_notice, written with the answer
and marked once posted, so it goes once whichever process sends it. A question
records the one it duplicates and when its answer was shared with every delegation.
Existing questions are neither: both columns start empty.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.add_column(sa.Column("duplicate_of", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("published_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_question_duplicate_of"), ["duplicate_of"], unique=False
        )

    op.create_table(
        "answer_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("about_id", sa.Integer(), nullable=True),
        sa.Column("recipient", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("lease_until", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("posted_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("message_ts", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.ForeignKeyConstraint(["about_id"], ["question.id"]),
        sa.ForeignKeyConstraint(["question_id"], ["question.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("answer_notice", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_answer_notice_question_id"), ["question_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_answer_notice_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("answer_notice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answer_notice_status"))
        batch_op.drop_index(batch_op.f("ix_answer_notice_question_id"))
    op.drop_table("answer_notice")
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_duplicate_of"))
        batch_op.drop_column("published_at")
        batch_op.drop_column("duplicate_of")
