"""Settings, built once at start-up from the environment (never at import time).

| variable            | meaning                                            | default                      |
|---------------------|----------------------------------------------------|------------------------------|
| HIGHNORTH_POLICY    | the policy directory used when --policy is not given | the packaged default dataset |
| HIGHNORTH_NO_COLOR  | set to anything to print without colour             | unset                        |
| HIGHNORTH_CACHE_DIR | where derived zone geometry is cached               | $XDG_CACHE_HOME/highnorth or ~/.cache/highnorth |
| HIGHNORTH_NO_CACHE  | set to anything to derive zones afresh every time   | unset                        |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

__all__ = ["Settings", "default_policy_dir"]


def default_policy_dir() -> Path:
    """The packaged default High North dataset."""
    return Path(str(resources.files("highnorth") / "data" / "default"))


@dataclass(frozen=True)
class Settings:
    policy_dir: Path
    no_color: bool
    cache_dir: Path | None

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        return cls(
            policy_dir=Path(env["HIGHNORTH_POLICY"]) if env.get("HIGHNORTH_POLICY") else default_policy_dir(),
            no_color=bool(env.get("HIGHNORTH_NO_COLOR")),
            cache_dir=None if env.get("HIGHNORTH_NO_CACHE") else _cache_dir(env),
        )


def _cache_dir(env: os._Environ[str] | dict[str, str]) -> Path:
    if env.get("HIGHNORTH_CACHE_DIR"):
        return Path(env["HIGHNORTH_CACHE_DIR"])
    base = Path(env["XDG_CACHE_HOME"]) if env.get("XDG_CACHE_HOME") else Path.home() / ".cache"
    return base / "highnorth"
