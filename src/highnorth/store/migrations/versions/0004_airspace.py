"""Airspace: each reserved volume its own record, the NOTAMs issued, and the state `reserved`
renamed `allocated` (issue 12; docs/airspace.md "Lifecycle").

Revision ID: 0004_airspace
Revises: 0003_policy_releases

The rename is a data change only; the audit chain keeps the old action and state names it
recorded (its entries are hashed, and `reserve` stays an alias of `allocate`). Downgrading
renames `allocated` back to `reserved`, and turns the states that did not exist before into the
nearest old one (published and activated to reserved, released and expired to completed).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from highnorth.store.tables import UTCDateTime

revision = "0004_airspace"
down_revision = "0003_policy_releases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "volumes",
        sa.Column("id", sa.String(60), primary_key=True),
        sa.Column("request_id", sa.String(40), sa.ForeignKey("requests.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("spec", sa.JSON, nullable=False),
        sa.Column("start", UTCDateTime, nullable=False),
        sa.Column("end", UTCDateTime, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("released_at", UTCDateTime, nullable=True),
    )
    op.create_index("ix_volumes_request_id", "volumes", ["request_id"])
    op.create_index("ix_volumes_start", "volumes", ["start"])
    op.create_table(
        "notams",
        sa.Column("id", sa.String(20), primary_key=True),
        sa.Column("series", sa.String(1), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(1), nullable=False),
        sa.Column("request_id", sa.String(40), sa.ForeignKey("requests.id"), nullable=False),
        sa.Column("volume_id", sa.String(60), sa.ForeignKey("volumes.id"), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("issued_at", UTCDateTime, nullable=False),
        sa.Column("issued_by", sa.String(100), nullable=False),
        sa.UniqueConstraint("series", "number", "year", name="uq_notams_series_number_year"),
    )
    op.create_index("ix_notams_request_id", "notams", ["request_id"])
    op.execute("UPDATE requests SET state = 'allocated' WHERE state = 'reserved'")


def downgrade() -> None:
    op.execute("UPDATE requests SET state = 'reserved' WHERE state IN ('allocated', 'published', 'activated')")
    op.execute("UPDATE requests SET state = 'completed' WHERE state IN ('released', 'expired')")
    op.drop_index("ix_notams_request_id", "notams")
    op.drop_table("notams")
    op.drop_index("ix_volumes_start", "volumes")
    op.drop_index("ix_volumes_request_id", "volumes")
    op.drop_table("volumes")
