"""What every command shares: the settings, the console, the policy a command names, exit codes.
The use cases themselves are in `highnorth.service`.

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

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from rich.console import Console

from ..engine import Screener
from ..model.decision import Decision
from ..model.errors import InputError
from ..model.outcome import Outcome
from ..model.rule import Policy
from ..service.config import Settings
from ..service.loading import policy_at, screener_at

__all__ = [
    "EXIT_DENIED",
    "EXIT_REFERRED",
    "Format",
    "announce_after",
    "console",
    "err_console",
    "exit_for",
    "get_policy",
    "get_screener",
    "settings",
    "warn",
    "write_or_print",
]

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_REFERRED, EXIT_DENIED = 0, 1, 2, 3, 4


class Format(StrEnum):
    table = "table"
    json = "json"
    geojson = "geojson"
    markdown = "markdown"


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The settings of this process, built from the environment when a command first needs them."""
    return Settings.from_env(limits=False)  # the request limits are `serve`'s (cli/server.py)


@lru_cache(maxsize=1)
def console() -> Console:
    return Console(no_color=settings().no_color, soft_wrap=False, width=200 if not Console().is_terminal else None)


@lru_cache(maxsize=1)
def err_console() -> Console:
    return Console(stderr=True, no_color=settings().no_color)


def warn(message: str) -> None:
    err_console().print(f"[yellow]warning:[/yellow] {message}", highlight=False, markup=True)


@contextmanager
def announce_after(seconds: float, message: str) -> Iterator[None]:
    """Say `message` on stderr if the work inside takes longer than `seconds` (a terminal only):
    the first run derives the zones and compiles the fast kernel, and says so instead of
    staying silent."""
    if not err_console().is_terminal:
        yield
        return
    timer = threading.Timer(seconds, lambda: err_console().print(f"[dim]{message}[/dim]", highlight=False))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


FIRST_RUN = "(the first run with a policy derives its zones, about 3 s, and caches them in `{cache}`)"


def get_policy(path: Path | None, *, repair: bool = True) -> Policy:
    """The policy at `path`, or the configured default (loaded once per process)."""
    with announce_after(1.0, "loading the policy… " + FIRST_RUN.format(cache=settings().cache_dir)):
        return policy_at(path, settings(), warn, repair=repair)


def get_screener(path: Path | None) -> Screener:
    with announce_after(1.0, "loading the policy… " + FIRST_RUN.format(cache=settings().cache_dir)):
        return screener_at(path, settings(), warn)


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
