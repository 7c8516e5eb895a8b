"""Exercises as use cases (docs/exercises.md): read and validate a plan, screen it in one batch
call, judge its exercise-level duties and find the alternatives; for the API, also file each
activity as a request in the existing workflow.

- `plan_report`: a plan file (CLI `highnorth exercise check|report|calendar`);
- `report_body`: a plan sent as a request body (`POST /exercises/report`), nothing stored;
- `submit_plan`: a plan filed (`POST /exercises`): its activities become requests and the plan is
  stored with them, in one transaction, so `GET /exercises/{id}/report` can rebuild the report
  under the policy the server runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..engine import Screener
from ..exercise.report import ExerciseReport, build_report
from ..formats.activity_geojson import port_names
from ..formats.exercise_plan import load_plan, read_plan
from ..model.errors import NotFoundError
from ..model.exercise import ExercisePlan
from ..model.hashing import content_hash
from ..store import RequestRecord
from ..workflow.access import Principal, may_file, may_see
from .context import Service
from .inputs import parse_json
from .queries import parse_when
from .requests import require

__all__ = ["Filed", "get_report", "plan_report", "read_plan_body", "report_body", "submit_plan"]

Warn = Callable[[str], None]


def plan_report(
    file: Path,
    screener: Screener,
    *,
    at: str | None,
    at_name: str = "--at",
    alternatives: bool = True,
    compare_at: str | None = None,
    warn: Warn,
) -> ExerciseReport:
    """The report of a plan file, judged at `at` (RFC 3339 or a date) when given; with
    `compare_at`, compared with the rules in force then."""
    plan, warnings = load_plan(
        file, known_nations=set(screener.policy.actors.nations), ports=port_names(screener.policy.zones.values())
    )
    for w in warnings:
        warn(w)
    when = parse_when(at, at_name, screener.policy, in_force=True)
    then = parse_when(compare_at, "--compare-at", screener.policy, in_force=True)
    return build_report(
        plan, screener, at=when, with_alternatives=alternatives, warnings=tuple(warnings), compare_at=then
    )


def read_plan_body(service: Service, body: bytes) -> tuple[ExercisePlan, list[str], list[dict[str, Any]]]:
    """A plan sent as JSON, validated against the server's policy, with its features."""
    return _read_doc(service, parse_json(body))


def _read_doc(service: Service, doc: Any) -> tuple[ExercisePlan, list[str], list[dict[str, Any]]]:
    plan, warnings = read_plan(
        doc, known_nations=set(service.policy.actors.nations), ports=port_names(service.policy.zones.values())
    )
    service.activities({"type": "FeatureCollection", "features": doc["features"]})  # the server's limits
    return plan, warnings, list(doc["features"])


def report_body(service: Service, body: bytes, at: str | None, compare_at: str | None = None) -> ExerciseReport:
    """`POST /exercises/report`: the report of a plan in the body; nothing is stored."""
    plan, warnings, _ = read_plan_body(service, body)
    when = parse_when(at, "at", service.policy, in_force=True)
    then = parse_when(compare_at, "compare_at", service.policy, in_force=True)
    return build_report(plan, service.screener, at=when, warnings=tuple(warnings), compare_at=then)


@dataclass(frozen=True)
class Filed:
    """A filed plan: its report and the requests its activities became."""

    report: ExerciseReport
    requests: list[RequestRecord]


def submit_plan(service: Service, who: Principal, body: bytes) -> Filed:
    """`POST /exercises`: file every activity of the plan as a request (each screened now, in the
    state its decision leads to; all or nothing) and keep the plan for its report. The caller must
    be allowed to file for every nation of the plan's activities."""
    doc = parse_json(body)
    plan, warnings, features = _read_doc(service, doc)
    require(may_file(who, (a.actor.nation for a in plan.activities)))
    items = service.new_requests(list(plan.activities), features)
    records = service.store.submit_exercise(
        who.name, plan.id, plan.name, doc, content_hash(doc), service.policy.hash, items
    )
    return Filed(build_report(plan, service.screener, warnings=tuple(warnings)), records)


def get_report(service: Service, who: Principal, exercise_id: str, at: str | None = None) -> ExerciseReport:
    """`GET /exercises/{id}/report`: the report of a filed plan under the server's policy. A
    requester sees it only when every activity of the plan is its own nation's (otherwise, as for
    a request of another nation, it does not exist)."""
    plan, warnings, _ = _read_doc(service, service.store.exercise_plan(exercise_id))
    if not all(may_see(who, a.actor.nation).allowed for a in plan.activities):
        raise NotFoundError(f"no exercise `{exercise_id}`")
    when = parse_when(at, "at", service.policy, in_force=True)
    return build_report(plan, service.screener, at=when, warnings=tuple(warnings))
