"""The one configuration of highnorth: the CLI, the server and its worker processes read the same
typed, frozen `Settings`, built once at start-up from the environment and the command's options
(never at import time).

| variable                 | field            | meaning                                              | default                          |
|--------------------------|------------------|------------------------------------------------------|----------------------------------|
| HIGHNORTH_POLICY         | `policy_dir`     | the policy directory used when --policy is not given | the packaged default dataset     |
| HIGHNORTH_CACHE_DIR      | `cache_dir`      | where derived zone geometry is cached                | $XDG_CACHE_HOME/highnorth or ~/.cache/highnorth |
| HIGHNORTH_NO_CACHE       | `cache_dir=None` | set to anything to derive zones afresh every time    | unset                            |
| HIGHNORTH_NO_COLOR       | `no_color`       | set to anything to print without colour              | unset                            |
| HIGHNORTH_DATABASE_URL   | `database_url`   | SQLAlchemy URL of the database (or a SQLite file)    | SQLite at `./highnorth.db`       |
| HIGHNORTH_MAX_BODY_BYTES | `max_body_bytes` | largest request body (413 above)                     | 10,000,000                       |
| HIGHNORTH_MAX_FEATURES   | `max_features`   | most activities in one request (422 above)           | 1,000                            |
| HIGHNORTH_MAX_VERTICES   | `max_vertices`   | most vertices in one activity (422 above)            | 100,000                          |
| HIGHNORTH_PUBLIC_VIEWS   | `public_views`   | serve the public read-only views (decision maps and their diff, zones, policy versions) without a token; `0`, `false`, `no` or `off` to require one | on |
| HIGHNORTH_POLICY_TWO_PERSON | `policy_two_person` | a policy release must be approved by someone other than its proposer (`0` to allow self-approval, for a one-person installation) | on |
| HIGHNORTH_RELEASE_MAX_FILES | `release_max_files` | most files in an uploaded policy archive | 2,000 |
| HIGHNORTH_RELEASE_MAX_BYTES | `release_max_bytes` | most bytes of an uploaded policy archive once uncompressed | 100,000,000 |
| HIGHNORTH_RELOAD_INTERVAL   | `reload_interval_s` | seconds between a server process's checks for a newly published release | 1.0 |
| HIGHNORTH_REJUDGE_BATCH     | `rejudge_batch`     | requests re-judged per batch (one transaction each) after a release is published | 200 |
| HIGHNORTH_WEBHOOK_BACKOFF   | `webhook_backoff_s` | first retry delay of a failed webhook delivery; doubled per attempt up to 1 hour | 5.0 |
| HIGHNORTH_WEBHOOK_TIMEOUT   | `webhook_timeout_s` | seconds a webhook receiver has to answer | 10.0 |

`highnorth serve --workers N` hands the settings to its worker processes serialised once
(`to_json`, read back by `from_json` in `highnorth.api.main`), so a worker never rebuilds them from
the scattered variables above.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..model.errors import InputError
from ..store.db import sqlite_url

__all__ = ["SERVER_SETTINGS_ENV", "Settings", "database_url", "default_policy_dir"]

#: the variable that carries the serialised settings from `highnorth serve` to its workers
SERVER_SETTINGS_ENV = "HIGHNORTH_SERVER_SETTINGS"

DEFAULT_DATABASE = "highnorth.db"
DEFAULT_MAX_BODY_BYTES = 10_000_000
DEFAULT_MAX_FEATURES = 1_000
DEFAULT_MAX_VERTICES = 100_000
DEFAULT_RELEASE_MAX_FILES = 2_000
DEFAULT_RELEASE_MAX_BYTES = 100_000_000


def default_policy_dir() -> Path:
    """The packaged default High North dataset."""
    return Path(str(resources.files("highnorth") / "data" / "default"))


def database_url(value: str | None) -> str:
    """A SQLAlchemy URL from an option or variable: a URL as it is, a plain path as SQLite, nothing
    as SQLite at `./highnorth.db`."""
    if not value:
        return sqlite_url(DEFAULT_DATABASE)
    return value if "://" in value else sqlite_url(value)


@dataclass(frozen=True)
class Settings:
    """Every setting of highnorth (the module docstring's table says where each comes from)."""

    policy_dir: Path
    cache_dir: Path | None
    no_color: bool = False
    database_url: str = ""  # "" until built by `from_env`: SQLite at ./highnorth.db
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_features: int = DEFAULT_MAX_FEATURES
    max_vertices: int = DEFAULT_MAX_VERTICES
    public_views: bool = True
    policy_two_person: bool = True
    release_max_files: int = DEFAULT_RELEASE_MAX_FILES
    release_max_bytes: int = DEFAULT_RELEASE_MAX_BYTES
    reload_interval_s: float = 1.0
    rejudge_batch: int = 200
    webhook_backoff_s: float = 5.0
    webhook_timeout_s: float = 10.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, limits: bool = True, **options: object) -> Settings:
        """The settings from the environment, with the options a command was given (an option of
        None is not given) taking precedence. Without `limits` the server's request limits keep
        their defaults and their variables are not read (commands that serve nothing)."""
        env = os.environ if env is None else env
        if not limits:
            env = {k: v for k, v in env.items() if k not in _LIMIT_VARIABLES}
        settings = cls(
            policy_dir=Path(env["HIGHNORTH_POLICY"]) if env.get("HIGHNORTH_POLICY") else default_policy_dir(),
            cache_dir=None if env.get("HIGHNORTH_NO_CACHE") else _cache_dir(env),
            no_color=bool(env.get("HIGHNORTH_NO_COLOR")),
            database_url=env.get("HIGHNORTH_DATABASE_URL") or "",
            max_body_bytes=_positive(env, "HIGHNORTH_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
            max_features=_positive(env, "HIGHNORTH_MAX_FEATURES", DEFAULT_MAX_FEATURES),
            max_vertices=_positive(env, "HIGHNORTH_MAX_VERTICES", DEFAULT_MAX_VERTICES),
            public_views=_switch(env, "HIGHNORTH_PUBLIC_VIEWS", default=True),
            policy_two_person=_switch(env, "HIGHNORTH_POLICY_TWO_PERSON", default=True),
            release_max_files=_positive(env, "HIGHNORTH_RELEASE_MAX_FILES", DEFAULT_RELEASE_MAX_FILES),
            release_max_bytes=_positive(env, "HIGHNORTH_RELEASE_MAX_BYTES", DEFAULT_RELEASE_MAX_BYTES),
            reload_interval_s=_seconds(env, "HIGHNORTH_RELOAD_INTERVAL", 1.0),
            rejudge_batch=_positive(env, "HIGHNORTH_REJUDGE_BATCH", 200),
            webhook_backoff_s=_seconds(env, "HIGHNORTH_WEBHOOK_BACKOFF", 5.0),
            webhook_timeout_s=_seconds(env, "HIGHNORTH_WEBHOOK_TIMEOUT", 10.0),
        )
        settings = settings.but(**options)
        return settings.but(database_url=database_url(settings.database_url))

    def but(self, **options: object) -> Settings:
        """These settings with the given options (None: not given) in place of their values."""
        given = {k: v for k, v in options.items() if v is not None}
        if "policy_dir" in given:
            given["policy_dir"] = Path(str(given["policy_dir"]))
        return dataclasses.replace(self, **given)  # type: ignore[arg-type]

    def to_json(self) -> str:
        """The settings as one JSON text, for worker processes (`from_json` reads it back)."""
        data = dataclasses.asdict(self)
        data["policy_dir"] = str(self.policy_dir)
        data["cache_dir"] = None if self.cache_dir is None else str(self.cache_dir)
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Settings:
        data = json.loads(text)
        data["policy_dir"] = Path(data["policy_dir"])
        data["cache_dir"] = None if data["cache_dir"] is None else Path(data["cache_dir"])
        return cls(**data)


_LIMIT_VARIABLES = ("HIGHNORTH_MAX_BODY_BYTES", "HIGHNORTH_MAX_FEATURES", "HIGHNORTH_MAX_VERTICES")


def _cache_dir(env: Mapping[str, str]) -> Path:
    if env.get("HIGHNORTH_CACHE_DIR"):
        return Path(env["HIGHNORTH_CACHE_DIR"])
    base = Path(env["XDG_CACHE_HOME"]) if env.get("XDG_CACHE_HOME") else Path.home() / ".cache"
    return base / "highnorth"


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise InputError(f"{name}: expected a whole number, got `{value}`") from None
    if number <= 0:
        raise InputError(f"{name}: expected a positive number, got `{value}`")
    return number


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    value = env.get(name)
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        raise InputError(f"{name}: expected a number of seconds, got `{value}`") from None
    if not number > 0:
        raise InputError(f"{name}: expected a positive number of seconds, got `{value}`")
    return number


_ON, _OFF = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _switch(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    value = env.get(name, "").strip().lower()
    if not value:
        return default
    if value in _ON or value in _OFF:
        return value in _ON
    raise InputError(f"{name}: expected one of {', '.join(_ON + _OFF)}, got `{env[name]}`")
