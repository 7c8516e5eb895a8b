"""Server settings, built once at start-up from the environment and the `serve` options.

| variable                      | meaning                                   | default                          |
|-------------------------------|-------------------------------------------|----------------------------------|
| HIGHNORTH_DATABASE_URL        | SQLAlchemy URL of the database             | SQLite at `./highnorth.db`       |
| HIGHNORTH_POLICY              | the policy directory                       | the packaged default dataset     |
| HIGHNORTH_MAX_BODY_BYTES      | largest request body (413 above)           | 10,000,000                       |
| HIGHNORTH_MAX_FEATURES        | most activities in one request (422 above) | 1,000                            |
| HIGHNORTH_MAX_VERTICES        | most vertices in one activity (422 above)  | 100,000                          |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..settings import Settings
from ..store.db import sqlite_url

__all__ = ["ServerConfig"]


@dataclass(frozen=True)
class ServerConfig:
    database_url: str
    policy_dir: Path
    cache_dir: Path | None
    max_body_bytes: int = 10_000_000
    max_features: int = 1_000
    max_vertices: int = 100_000

    @classmethod
    def from_env(cls, **overrides: object) -> ServerConfig:
        env = os.environ
        base = Settings.from_env()
        config = cls(
            database_url=env.get("HIGHNORTH_DATABASE_URL") or sqlite_url("highnorth.db"),
            policy_dir=base.policy_dir,
            cache_dir=base.cache_dir,
            max_body_bytes=_int(env, "HIGHNORTH_MAX_BODY_BYTES", 10_000_000),
            max_features=_int(env, "HIGHNORTH_MAX_FEATURES", 1_000),
            max_vertices=_int(env, "HIGHNORTH_MAX_VERTICES", 100_000),
        )
        return cls(**{**config.__dict__, **{k: v for k, v in overrides.items() if v is not None}})  # type: ignore[arg-type]


def _int(env: os._Environ[str], name: str, default: int) -> int:
    value = env.get(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{name}: expected a whole number, got `{value}`") from None
    if number <= 0:
        raise ValueError(f"{name}: expected a positive number, got `{value}`")
    return number
