"""indexes that read one page of a list, and its count, without the rest of history

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 09:00:00

A requirement's history now reads by requirement_code alone (requirement events
already carry their own code; older rows that do not get it here), newest first
from (requirement_code, at, id); a pledge's or question's by (entity_ref, at, id).
Pledge lists read a page in id order within a requirement or a delegation, and
count from narrow indexes that hold every column the count looks at.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "UPDATE event SET requirement_code = entity_ref "
        "WHERE entity = 'requirement' AND requirement_code = ''"
    )
    with op.batch_alter_table("event") as batch:
        batch.drop_index("ix_event_requirement_code")
        batch.drop_index("ix_event_entity_ref")
        batch.create_index("ix_event_requirement_code_at", ["requirement_code", "at", "id"])
        batch.create_index("ix_event_entity_ref_at", ["entity_ref", "at", "id"])
    with op.batch_alter_table("pledge") as batch:
        batch.drop_index("ix_pledge_requirement_id")
        batch.drop_index("ix_pledge_delegation_id")
        batch.create_index("ix_pledge_requirement_page", ["requirement_id", "id"])
        batch.create_index("ix_pledge_delegation_page", ["delegation_id", "id"])
        batch.create_index(
            "ix_pledge_requirement_count",
            ["requirement_id", "status", "restricted", "delegation_id"],
        )
        batch.create_index(
            "ix_pledge_delegation_count",
            ["delegation_id", "status", "restricted", "condition_kind"],
        )


def downgrade() -> None:
    with op.batch_alter_table("pledge") as batch:
        for name in (
            "ix_pledge_delegation_count",
            "ix_pledge_requirement_count",
            "ix_pledge_delegation_page",
            "ix_pledge_requirement_page",
        ):
            batch.drop_index(name)
        batch.create_index("ix_pledge_delegation_id", ["delegation_id"])
        batch.create_index("ix_pledge_requirement_id", ["requirement_id"])
    with op.batch_alter_table("event") as batch:
        batch.drop_index("ix_event_entity_ref_at")
        batch.drop_index("ix_event_requirement_code_at")
        batch.create_index("ix_event_entity_ref", ["entity_ref"])
        batch.create_index("ix_event_requirement_code", ["requirement_code"])
