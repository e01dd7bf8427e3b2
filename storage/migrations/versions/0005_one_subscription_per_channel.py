"""one subscription of each kind per channel; alert watermark; whole audit references

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 02:00:00

Racing `subscribe` commands could create several rows for one channel, and each
posted. Duplicates are merged into the row that was changed last: its claims are
kept, the others' claims move to it unless it already holds the same key.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _merge_duplicate_subscriptions()
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.alter_column(
            "entity_ref", existing_type=sa.String(length=16), type_=sa.String(length=64)
        )
    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("alerts_checked_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index("uq_subscription_kind_channel", ["kind", "channel"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.drop_index("uq_subscription_kind_channel")
        batch_op.drop_column("alerts_checked_at")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.alter_column(
            "entity_ref", existing_type=sa.String(length=64), type_=sa.String(length=16)
        )


def _merge_duplicate_subscriptions() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT id, kind, channel FROM subscription "
            "ORDER BY kind, channel, active DESC, updated_at DESC, id DESC"
        )
    ).all()
    keeper: dict[tuple[str, str], int] = {}
    for sub_id, kind, channel in rows:
        keep = keeper.setdefault((kind, channel), sub_id)
        if keep == sub_id:
            continue
        conn.execute(
            sa.text(
                "DELETE FROM postclaim WHERE subscription_id = :gone AND key IN "
                "(SELECT key FROM postclaim WHERE subscription_id = :keep)"
            ),
            {"gone": sub_id, "keep": keep},
        )
        conn.execute(
            sa.text("UPDATE postclaim SET subscription_id = :keep WHERE subscription_id = :gone"),
            {"gone": sub_id, "keep": keep},
        )
        conn.execute(sa.text("DELETE FROM subscription WHERE id = :gone"), {"gone": sub_id})
