"""Persistence: SQLite by default, PostgreSQL by URL (SQLAlchemy 2 Core, Alembic migrations)."""

from .airspace import Effects, NewVolume, NotamRecord, VolumeRecord
from .db import connect, sqlite_url, upgrade
from .store import NewRequest, RequestRecord, ReservedRequest, Store, Verification, hash_token

__all__ = [
    "Effects",
    "NewRequest",
    "NewVolume",
    "NotamRecord",
    "RequestRecord",
    "ReservedRequest",
    "Store",
    "Verification",
    "VolumeRecord",
    "connect",
    "hash_token",
    "sqlite_url",
    "upgrade",
]
