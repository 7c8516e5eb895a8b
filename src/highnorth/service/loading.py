"""Loading policies for a one-shot process (a CLI command, a script): each policy directory is
loaded once per process, with its zone cache, and its warnings reported once."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from ..engine import Screener
from ..model.rule import Policy
from ..rules.loading.loader import load_policy
from .config import Settings

__all__ = ["policy_at", "screener_at"]

Warn = Callable[[str], None]


@lru_cache(maxsize=4)
def _load(path: str, repair: bool, cache_dir: Path | None, warn: Warn) -> Policy:
    result = load_policy(Path(path), repair_invalid=repair, cache_dir=cache_dir)
    for w in result.warnings:
        warn(w)
    return result.policy


def policy_at(path: Path | None, settings: Settings, warn: Warn, *, repair: bool = True) -> Policy:
    """The policy at `path`, or the configured one (`settings.policy_dir`)."""
    return _load(str(path or settings.policy_dir), repair, settings.cache_dir, warn)


@lru_cache(maxsize=4)
def _screener(path: str, cache_dir: Path | None, warn: Warn) -> Screener:
    return Screener(_load(path, True, cache_dir, warn))


def screener_at(path: Path | None, settings: Settings, warn: Warn) -> Screener:
    """A screener for the policy at `path`, or the configured one."""
    return _screener(str(path or settings.policy_dir), settings.cache_dir, warn)
