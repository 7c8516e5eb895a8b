"""Filed exercise plans.

Revision ID: 0002_exercises
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from highnorth.store.tables import UTCDateTime

revision = "0002_exercises"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exercises",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("plan", sa.JSON, nullable=False),
        sa.Column("input_hash", sa.String(71), nullable=False),
        sa.Column("request_ids", sa.JSON, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("exercises")
