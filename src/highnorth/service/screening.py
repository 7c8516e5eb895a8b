"""Screening as a use case: activities in, decisions out, judged by the version in force at a
time when one is asked for. The API screens a request body within its limits; the CLI screens a
file (skipping or repairing what it is told to) and explains one activity."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..engine import Screener
from ..exercise.alternatives import alternatives
from ..formats.activity_geojson import load_activities, port_names
from ..formats.decision_json import decisions_text
from ..model.activity import Activity
from ..model.alternative import Alternatives
from ..model.decision import Decision
from ..model.errors import InputError, did_you_mean
from ..model.rule import Policy
from .context import Service
from .inputs import parse_json
from .notams import notam_screener
from .queries import parse_when

__all__ = ["Explained", "Screened", "explain_one", "screen_body", "screen_file"]

Warn = Callable[[str], None]


@dataclass(frozen=True)
class Screened:
    """What was screened under which policy, the decisions in the same order, and the reader's
    warnings."""

    policy: Policy
    activities: list[Activity]
    decisions: list[Decision]
    warnings: list[str]
    alternatives: Mapping[str, Alternatives] = field(default_factory=dict)


@dataclass(frozen=True)
class Explained:
    """One activity, its decision and, when referred or denied, its alternatives."""

    activity: Activity
    decision: Decision
    alternatives: Alternatives | None


def screen_body(
    service: Service, body: bytes, at: str | None, with_alternatives: bool = False, *, notams: bool = False
) -> str:
    """`POST /screen`: Decision JSON text for an Activity GeoJSON body (the same bytes as
    `highnorth check --format json`, with `--alternatives` when `with_alternatives`). With
    `notams`, the areas active by the NOTAM feed loaded into the service count too (`highnorth
    check --notams`)."""
    when = parse_when(at, "at", service.policy, in_force=True)
    activities, _features, warnings = service.activities(parse_json(body))
    screener = notam_screener(service) if notams and service.notam_feed else service.screener
    decisions = screener.screen(activities, at=when)
    alts = _alternatives(activities, decisions, screener, when) if with_alternatives else None
    return decisions_text(screener.policy, decisions, warnings, alts)


def _read(
    file: Path, screener: Screener, skip_invalid: bool, repair: bool, warn: Warn
) -> tuple[list[Activity], list[str]]:
    result = load_activities(
        file,
        known_nations=set(screener.policy.actors.nations),
        skip_invalid=skip_invalid,
        repair_invalid=repair,
        ports=port_names(screener.policy.zones.values()),
    )
    for w in result.warnings:
        warn(w)
    if result.problems and not result.activities:
        raise InputError(f"{file}: no valid activities to screen ({len(result.problems)} problems, all skipped)")
    return result.activities, result.warnings


def screen_file(
    file: Path,
    screener: Screener,
    *,
    at: str | None,
    at_name: str = "--at",
    skip_invalid: bool = False,
    repair_invalid: bool = True,
    workers: int = 1,
    with_alternatives: bool = False,
    warn: Warn,
) -> Screened:
    """`highnorth check`: the decisions for a file of activities; the reader's warnings go to
    `warn` as they come. With `with_alternatives`, what would change each referred or denied
    decision (the nations of the file's activities tried as actors)."""
    activities, warnings = _read(file, screener, skip_invalid, repair_invalid, warn)
    when = parse_when(at, at_name, screener.policy, in_force=True)
    decisions = screener.screen(activities, at=when, workers=workers)
    alts = _alternatives(activities, decisions, screener, when) if with_alternatives else {}
    return Screened(screener.policy, activities, decisions, warnings, alts)


def _alternatives(
    activities: list[Activity], decisions: list[Decision], screener: Screener, at: dt.datetime | None
) -> dict[str, Alternatives]:
    nations = list(dict.fromkeys(a.actor.nation for a in activities))
    return alternatives(activities, decisions, screener, nations=nations, at=at)


def explain_one(
    file: Path, activity_id: str, screener: Screener, *, at: str | None, at_name: str = "--at", warn: Warn
) -> Explained:
    """`highnorth explain`: one activity of a file, its decision and, when it is referred or
    denied, its alternatives (the nations of the file's activities tried as actors)."""
    activities, _ = _read(file, screener, False, True, warn)
    by_id = {a.id: a for a in activities}
    if activity_id not in by_id:
        raise InputError(f"{file}: no activity `{activity_id}`{did_you_mean(activity_id, by_id)}")
    when = parse_when(at, at_name, screener.policy, in_force=True)
    activity = by_id[activity_id]
    decision = screener.decide(activity, at=when)
    nations = list(dict.fromkeys(a.actor.nation for a in activities))
    found = alternatives([activity], [decision], screener, nations=nations, at=when)
    return Explained(activity, decision, found.get(activity.id))
