"""Opening a database: SQLite (WAL, synchronous=FULL, one writer at a time) or PostgreSQL by URL,
with the schema brought to the newest migration.

SQLite: a write transaction starts with ``BEGIN IMMEDIATE``, so it holds the write lock from its
first statement (two writers never both read the same audit head); readers are never blocked (WAL).
``synchronous=FULL`` makes a commit durable before it is acknowledged, even on power loss.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import event

__all__ = ["connect", "sqlite_url", "upgrade"]


def sqlite_url(path: Path | str) -> str:
    return f"sqlite+pysqlite:///{Path(path).resolve()}"


def connect(url: str) -> sa.Engine:
    """An engine for `url` (``sqlite+pysqlite:///path`` or ``postgresql+psycopg://...``)."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return sa.create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None  # transactions are begun by `_sqlite_begin`
    cur = dbapi_conn.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=30000"):
        cur.execute(f"PRAGMA {pragma}")
    cur.close()


def _sqlite_begin(conn: sa.Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")


@contextmanager
def write_transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A transaction that writes: committed when the block ends, rolled back on an exception."""
    with engine.connect().execution_options(write=True) as conn, conn.begin():
        yield conn


def upgrade(engine: sa.Engine) -> None:
    """Bring the schema to the newest migration (idempotent)."""
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with write_transaction(engine) as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
