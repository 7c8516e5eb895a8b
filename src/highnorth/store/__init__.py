"""Persistence: SQLite by default, PostgreSQL by URL (SQLAlchemy 2 Core, Alembic migrations)."""

from .db import connect, sqlite_url, upgrade
from .store import NewRequest, RequestRecord, ReservedRequest, Store, Verification, hash_token

__all__ = [
    "NewRequest",
    "RequestRecord",
    "ReservedRequest",
    "Store",
    "Verification",
    "connect",
    "hash_token",
    "sqlite_url",
    "upgrade",
]
