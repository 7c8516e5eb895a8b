"""Alembic environment: migrations run on the connection `highnorth.store.db.upgrade` passes in
(`config.attributes["connection"]`), or on `sqlalchemy.url` when run from the alembic command."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from highnorth.store.tables import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - the alembic command line
    engine = sa.create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
