"""Policy releases, their re-judging jobs and flags, the event feed, webhooks and deliveries
(issue 13, docs/policy-releases.md).

Revision ID: 0003_policy_releases
Revises: 0002_exercises
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from highnorth.store.tables import UTCDateTime

revision = "0003_policy_releases"
down_revision = "0002_exercises"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_releases",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("policy_id", sa.String(100), nullable=False),
        sa.Column("policy_hash", sa.String(71), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("summary", sa.JSON, nullable=False),
        sa.Column("archive", sa.LargeBinary, nullable=False),
        sa.Column("archive_hash", sa.String(71), nullable=False),
        sa.Column("proposed_by", sa.String(100), nullable=False),
        sa.Column("proposed_at", UTCDateTime, nullable=False),
        sa.Column("approved_by", sa.String(100), nullable=True),
        sa.Column("approved_at", UTCDateTime, nullable=True),
        sa.Column("rejected_by", sa.String(100), nullable=True),
        sa.Column("rejected_at", UTCDateTime, nullable=True),
        sa.Column("published_by", sa.String(100), nullable=True),
        sa.Column("published_at", UTCDateTime, nullable=True),
        sa.Column("superseded_at", UTCDateTime, nullable=True),
    )
    op.create_index("ix_policy_releases_state", "policy_releases", ["state"])
    op.create_table(
        "rejudge_jobs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("release_id", sa.String(40), nullable=False),
        sa.Column("from_hash", sa.String(71), nullable=False),
        sa.Column("to_hash", sa.String(71), nullable=False),
        sa.Column("changed_from", UTCDateTime, nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("cursor", sa.String(40), nullable=False),
        sa.Column("processed", sa.Integer, nullable=False),
        sa.Column("changed", sa.Integer, nullable=False),
        sa.Column("flagged", sa.Integer, nullable=False),
        sa.Column("lease_owner", sa.String(100), nullable=True),
        sa.Column("lease_until", UTCDateTime, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("finished_at", UTCDateTime, nullable=True),
    )
    op.create_index("ix_rejudge_jobs_release_id", "rejudge_jobs", ["release_id"])
    op.create_index("ix_rejudge_jobs_state", "rejudge_jobs", ["state"])
    op.create_table(
        "request_flags",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("request_id", sa.String(40), nullable=False),
        sa.Column("release_id", sa.String(40), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("cleared_at", UTCDateTime, nullable=True),
        sa.Column("cleared_by", sa.String(100), nullable=True),
    )
    op.create_index("ix_request_flags_request_id", "request_flags", ["request_id"])
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("nation", sa.String(3), nullable=True),
        sa.Column("request_id", sa.String(40), nullable=True),
        sa.Column("release_id", sa.String(40), nullable=True),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_index("ix_events_nation", "events", ["nation"])
    op.create_table(
        "webhooks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("nation", sa.String(3), nullable=True),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("webhook_id", sa.Integer, sa.ForeignKey("webhooks.id"), nullable=False),
        sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id"), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", UTCDateTime, nullable=True),
        sa.Column("lease_until", UTCDateTime, nullable=True),
        sa.Column("delivered_at", UTCDateTime, nullable=True),
        sa.Column("last_status", sa.Integer, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_webhook_deliveries_webhook_id", "webhook_deliveries", ["webhook_id"])
    op.create_index("ix_webhook_deliveries_next_attempt_at", "webhook_deliveries", ["next_attempt_at"])


def downgrade() -> None:
    for table in ("webhook_deliveries", "webhooks", "events", "request_flags", "rejudge_jobs", "policy_releases"):
        op.drop_table(table)
