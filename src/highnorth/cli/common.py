"""What every command shares: the console, policy loading, option parsing, exit codes.

Exit codes (the same for every command that decides):

| code | meaning                                      |
|------|----------------------------------------------|
| 0    | everything permitted or conditional           |
| 3    | something referred (and nothing denied)       |
| 4    | something denied                              |
| 2    | bad input (activities, policy data, options)  |
| 1    | internal error                                |
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterable
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from rich.console import Console

from ..engine import Screener
from ..model.decision import Decision
from ..model.errors import InputError
from ..model.outcome import Outcome
from ..model.rule import Policy, version_in_force
from ..model.time import parse_time
from ..rules.loading.loader import load_policy
from ..settings import Settings

__all__ = [
    "EXIT_DENIED",
    "EXIT_REFERRED",
    "Format",
    "console",
    "err_console",
    "exit_for",
    "get_policy",
    "get_screener",
    "parse_attrs",
    "parse_when",
    "render",
    "require_when",
    "settings",
    "version_in_force",
]

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_REFERRED, EXIT_DENIED = 0, 1, 2, 3, 4


class Format(StrEnum):
    table = "table"
    json = "json"
    geojson = "geojson"
    markdown = "markdown"


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings.from_env()


@lru_cache(maxsize=1)
def console() -> Console:
    return Console(no_color=settings().no_color, soft_wrap=False, width=200 if not Console().is_terminal else None)


@lru_cache(maxsize=1)
def err_console() -> Console:
    return Console(stderr=True, no_color=settings().no_color)


def warn(message: str) -> None:
    err_console().print(f"[yellow]warning:[/yellow] {message}", highlight=False, markup=True)


@lru_cache(maxsize=4)
def _load(path: str, repair: bool) -> Policy:
    result = load_policy(Path(path), repair_invalid=repair, cache_dir=settings().cache_dir)
    for w in result.warnings:
        warn(w)
    return result.policy


def get_policy(path: Path | None, *, repair: bool = True) -> Policy:
    """The policy at `path`, or the configured default."""
    return _load(str(path or settings().policy_dir), repair)


@lru_cache(maxsize=4)
def _screener(path: str) -> Screener:
    return Screener(_load(path, True))


def get_screener(path: Path | None) -> Screener:
    return _screener(str(path or settings().policy_dir))


def parse_when(value: str | None, option: str, policy: Policy | None = None) -> dt.datetime | None:
    """A time option: RFC 3339 with offset, or a date (midnight in the policy's time zone)."""
    if value is None:
        return None
    try:
        return parse_time(value, local_zone=policy.timezone if policy else "Europe/Oslo")
    except ValueError as exc:
        raise InputError(f"{option}: {exc}") from None


def require_when(value: str, option: str, policy: Policy | None = None) -> dt.datetime:
    """A required time option (see `parse_when`)."""
    when = parse_when(value, option, policy)
    if when is None:
        raise InputError(f"{option}: a time is required")
    return when


def parse_attrs(values: Iterable[str]) -> dict[str, Any]:
    """`key=value` pairs; values are read as JSON when they parse (true, 9000, "x"), else text."""
    out: dict[str, Any] = {}
    for item in values:
        if "=" not in item:
            raise InputError(f"--attr: expected `key=value`, got `{item}`")
        key, raw = item.split("=", 1)
        try:
            out[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            out[key.strip()] = raw
    return out


def exit_for(decisions: Iterable[Decision]) -> int:
    """0 when all are permitted or conditional, 3 when any is referred, 4 when any is denied."""
    match Outcome.most_severe(d.outcome for d in decisions):
        case Outcome.DENIED:
            return EXIT_DENIED
        case Outcome.REFERRED:
            return EXIT_REFERRED
        case _:
            return EXIT_OK


def write_or_print(text: str, output: Path | None) -> None:
    """Print `text`, or write it to `output` (an unwritable path is bad input, exit 2)."""
    if output is None:
        console().out(text, end="", highlight=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"--output: cannot write `{output}`: {exc.strerror or exc}") from None
    err_console().print(f"wrote {output}", highlight=False)


def render(renderable: object) -> str:
    """A Rich renderable as plain text (for files)."""
    buffer = io.StringIO()
    Console(file=buffer, width=200, no_color=True).print(renderable)
    return buffer.getvalue()
