"""The database schema (SQLAlchemy Core). Alembic migrations in `migrations/` create it; a test
checks that the migrations and these tables agree."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

__all__ = [
    "UTCDateTime",
    "audit",
    "audit_head",
    "events",
    "exercises",
    "metadata",
    "notams",
    "policy_releases",
    "rejudge_jobs",
    "request_flags",
    "requests",
    "tokens",
    "users",
    "volumes",
    "webhook_deliveries",
    "webhooks",
]


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every database (SQLite keeps no offset: stored as UTC)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


metadata = sa.MetaData()

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("nation", sa.String(3), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

tokens = sa.Table(
    "tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("token_hash", sa.String(71), nullable=False, unique=True),
    sa.Column("label", sa.String(100), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("revoked_at", UTCDateTime, nullable=True),
)

requests = sa.Table(
    "requests",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("activity_id", sa.String(200), nullable=False),
    sa.Column("nation", sa.String(3), nullable=False, index=True),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("state", sa.String(20), nullable=False, index=True),
    sa.Column("outcome", sa.String(20), nullable=False),
    sa.Column("start", UTCDateTime, nullable=False),
    sa.Column("end", UTCDateTime, nullable=False),
    sa.Column("feature", sa.JSON, nullable=False),
    sa.Column("input_hash", sa.String(71), nullable=False),
    sa.Column("decision", sa.JSON, nullable=False),
    sa.Column("policy_hash", sa.String(71), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

# a filed exercise plan (docs/exercises.md): the plan as sent, and the requests its activities became
exercises = sa.Table(
    "exercises",
    metadata,
    sa.Column("id", sa.String(100), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("plan", sa.JSON, nullable=False),
    sa.Column("input_hash", sa.String(71), nullable=False),
    sa.Column("request_ids", sa.JSON, nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

audit = sa.Table(
    "audit",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("request_id", sa.String(40), nullable=True, index=True),
    sa.Column("input_hash", sa.String(71), nullable=True),
    sa.Column("policy_hash", sa.String(71), nullable=True),
    sa.Column("detail", sa.JSON, nullable=False),
    sa.Column("prev_hash", sa.String(71), nullable=False),
    sa.Column("hash", sa.String(71), nullable=False),
)

# one row: the newest entry of the audit chain (locked by every writer, so appends are serial)
audit_head = sa.Table(
    "audit_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("hash", sa.String(71), nullable=False),
)

# policy releases (docs/policy-releases.md): a whole policy folder as uploaded, its lifecycle
# proposed -> approved -> published (rejected; superseded by a later published one)
policy_releases = sa.Table(
    "policy_releases",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("policy_id", sa.String(100), nullable=False),
    sa.Column("policy_hash", sa.String(71), nullable=False),
    sa.Column("state", sa.String(20), nullable=False, index=True),
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

# the re-judging of stored requests after a release is published: resumable by its cursor (the
# last request id done, requests in id order), claimed with a lease so a crashed process's job
# is taken over
rejudge_jobs = sa.Table(
    "rejudge_jobs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("release_id", sa.String(40), nullable=False, index=True),
    sa.Column("from_hash", sa.String(71), nullable=False),
    sa.Column("to_hash", sa.String(71), nullable=False),
    sa.Column("changed_from", UTCDateTime, nullable=True),
    sa.Column("state", sa.String(20), nullable=False, index=True),
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

# an approval the rules of a newly published release no longer support, for the approver to see
# (the machine never withdraws an approval); cleared when someone acts on the request
request_flags = sa.Table(
    "request_flags",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("request_id", sa.String(40), nullable=False, index=True),
    sa.Column("release_id", sa.String(40), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("detail", sa.JSON, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("cleared_at", UTCDateTime, nullable=True),
    sa.Column("cleared_by", sa.String(100), nullable=True),
)

# what happened that people should hear of, written in the transaction of the change it reports;
# the id is the feed's cursor
events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("nation", sa.String(3), nullable=True, index=True),
    sa.Column("request_id", sa.String(40), nullable=True),
    sa.Column("release_id", sa.String(40), nullable=True),
    sa.Column("data", sa.JSON, nullable=False),
)

webhooks = sa.Table(
    "webhooks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("url", sa.String(2000), nullable=False),
    sa.Column("nation", sa.String(3), nullable=True),
    sa.Column("secret", sa.String(200), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

# one row per (event, webhook), written with the event: its id is stable across retries, so a
# receiver that saw it before can drop the repeat
webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    sa.Column("id", sa.String(80), primary_key=True),
    sa.Column("webhook_id", sa.Integer, sa.ForeignKey("webhooks.id"), nullable=False, index=True),
    sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id"), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", UTCDateTime, nullable=True, index=True),
    sa.Column("lease_until", UTCDateTime, nullable=True),
    sa.Column("delivered_at", UTCDateTime, nullable=True),
    sa.Column("last_status", sa.Integer, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

# each reserved 4D volume is its own record (docs/airspace.md); `spec` is its JSON (shape, band,
# windows or schedule); `start` and `end` are its first start and last end, for the daily plan
volumes = sa.Table(
    "volumes",
    metadata,
    sa.Column("id", sa.String(60), primary_key=True),
    sa.Column("request_id", sa.String(40), sa.ForeignKey("requests.id"), nullable=False, index=True),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("spec", sa.JSON, nullable=False),
    sa.Column("start", UTCDateTime, nullable=False, index=True),
    sa.Column("end", UTCDateTime, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("released_at", UTCDateTime, nullable=True),  # withdrawn from the plan (released, cancelled, ...)
)

# the NOTAMs highnorth issued: one per volume when its request is published (N), and the
# cancellation (C) of each when a published request is released or cancelled
notams = sa.Table(
    "notams",
    metadata,
    sa.Column("id", sa.String(20), primary_key=True),  # series, number and year: A0001/26
    sa.Column("series", sa.String(1), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(1), nullable=False),  # N, R or C
    sa.Column("request_id", sa.String(40), sa.ForeignKey("requests.id"), nullable=False, index=True),
    sa.Column("volume_id", sa.String(60), sa.ForeignKey("volumes.id"), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("issued_at", UTCDateTime, nullable=False),
    sa.Column("issued_by", sa.String(100), nullable=False),
    sa.UniqueConstraint("series", "number", "year", name="uq_notams_series_number_year"),
)
