"""Scenario folders: golden tests that double as documentation (`highnorth policy test DIR`).

A scenario is a folder with::

    README.md            why the outcome is right (one line is enough)
    activities.geojson   Activity GeoJSON
    expected.yaml        what must come out

`expected.yaml`::

    at: 2025-06-01T00:00:00Z          # optional: judge by the rules in force then
    policy: ../my-policy              # optional: a policy directory relative to the scenario
    error: "naive"                    # optional: the input must be rejected with this text
    decisions:
      flight-1:
        outcome: referred             # required
        rules: [fm2025-east-case-by-case]   # each must be among the reasons
        not_rules: [fm24-air]         # none may be among the reasons
        obligations: [diplomatic_clearance]
        exposures:                    # entry/exit times within 1 s
          - {zone: finnmark-east-24, enter: "2025-06-01T08:27:44Z", exit: "2025-06-01T09:00:00Z"}
    exercise:                         # optional: activities.geojson is an exercise plan
      outcome: conditional            # the exercise-level judgement (docs/exercises.md)
      rules: [vienna-notification-troops]
      not_rules: [vienna-observation-troops]
      obligations: [osce_notification]
      not_obligations: [osce_observation]
      counts: {troops: 9000}          # the peak on the host's territory
      due: {osce_notification: "2024-01-21T23:00:00Z"}   # within 1 s
      versions: ["2022.1", "2025.1"]  # the versions the judgement used

A folder of scenarios is every subfolder holding an `expected.yaml`, in name order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .engine import Screener
from .exercise.duties import exercise_duties
from .formats.activity_geojson import load_activities, port_names
from .formats.exercise_plan import load_plan
from .model.errors import HighnorthError, InputError, did_you_mean
from .model.outcome import Outcome
from .model.rule import Policy
from .model.time import parse_time
from .rules.loading.yamlio import load_yaml

__all__ = ["ScenarioResult", "find_scenarios", "run_scenario"]

TOLERANCE_S = 1.0


@dataclass
class ScenarioResult:
    name: str
    path: Path
    why: str
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def find_scenarios(root: Path) -> list[Path]:
    """Scenario folders under `root` (or `root` itself when it is one)."""
    if (root / "expected.yaml").is_file():
        return [root]
    return sorted(p.parent for p in root.rglob("expected.yaml"))


def _why(folder: Path) -> str:
    readme = folder / "README.md"
    if not readme.is_file():
        return ""
    lines = [ln.strip("# ").strip() for ln in readme.read_text(encoding="utf-8").splitlines() if ln.strip()]
    return lines[-1] if lines else ""


def run_scenario(folder: Path, screener_for: Callable[[Path | None], Screener]) -> ScenarioResult:
    """Run one scenario; `screener_for(policy_dir_or_None)` gives the screener to use."""
    result = ScenarioResult(folder.name, folder, _why(folder))
    fail = result.failures.append
    if not (folder / "README.md").is_file():
        fail("README.md is missing: say why the outcome is right")
    try:
        expected: dict[str, Any] = load_yaml(folder / "expected.yaml") or {}
        problems = _shape_problems(expected)
        if problems:
            for problem in problems:
                fail(f"expected.yaml: {problem}")
            return result
        policy_dir = (folder / expected["policy"]).resolve() if expected.get("policy") else None
        screener = screener_for(policy_dir)
        policy: Policy = screener.policy
        at = parse_time(expected["at"], local_zone=policy.timezone) if expected.get("at") else None
    except (HighnorthError, ValueError, KeyError) as exc:
        fail(f"cannot set up: {exc}")
        return result
    want_error = expected.get("error")
    try:
        read = load_activities(
            folder / "activities.geojson",
            known_nations=set(policy.actors.nations),
            ports=port_names(policy.zones.values()),
        )
    except InputError as exc:
        if want_error and str(want_error) in str(exc):
            return result
        fail(f"input rejected unexpectedly: {exc}" if not want_error else f"error text `{want_error}` not in: {exc}")
        return result
    if want_error:
        fail(f"expected the input to be rejected with `{want_error}`, but it was accepted")
        return result
    if expected.get("exercise"):
        _check_exercise(folder, expected["exercise"], screener, at, fail)
    activities = {a.id: a for a in read.activities}
    for ident, want in (expected.get("decisions") or {}).items():
        if ident not in activities:
            fail(f"activity `{ident}` is not in activities.geojson")
            continue
        activity = activities[ident]
        decision = screener.decide(activity, at=at)
        fired = {r.rule for r in decision.reasons}
        if decision.outcome != want.get("outcome"):
            fail(
                f"`{ident}`: outcome {decision.outcome}, expected {want.get('outcome')} (rules fired: {', '.join(sorted(fired))})"
            )
        for rule in want.get("rules", []):
            if rule not in fired:
                fail(f"`{ident}`: rule `{rule}` did not fire (fired: {', '.join(sorted(fired))})")
        for rule in want.get("not_rules", []):
            if rule in fired:
                fail(f"`{ident}`: rule `{rule}` fired but should not")
        obligations = {o.obligation.type for o in decision.obligations}
        for ob in want.get("obligations", []):
            if ob not in obligations:
                fail(f"`{ident}`: obligation `{ob}` missing (got: {', '.join(sorted(obligations)) or 'none'})")
        if want.get("exposures"):
            found = screener.exposures(activity)
            for exp in want["exposures"]:
                _check_exposure(ident, exp, found, fail)
    return result


_TOP_KEYS = ("at", "policy", "error", "decisions", "exercise")
_EXERCISE_KEYS = ("outcome", "rules", "not_rules", "obligations", "not_obligations", "counts", "due", "versions")
_DECISION_KEYS = ("outcome", "rules", "not_rules", "obligations", "exposures")
_OUTCOMES = tuple(Outcome)


def _shape_problems(expected: Any) -> list[str]:
    """What is wrong with the shape of expected.yaml (unknown keys would silently check nothing)."""
    if not isinstance(expected, dict):
        return [f"expected a mapping with {', '.join(_TOP_KEYS)}, got `{type(expected).__name__}`"]
    out = [f"unknown key `{k}`{did_you_mean(str(k), _TOP_KEYS)}" for k in expected if k not in _TOP_KEYS]
    exercise = expected.get("exercise")
    if exercise is not None:
        if not isinstance(exercise, dict):
            out.append("`exercise` must be a mapping")
        else:
            out += [
                f"`exercise`: unknown key `{k}`{did_you_mean(str(k), _EXERCISE_KEYS)}"
                for k in exercise
                if k not in _EXERCISE_KEYS
            ]
    decisions = expected.get("decisions") or {}
    if not isinstance(decisions, dict):
        return [*out, "`decisions` must map activity ids to expectations"]
    for ident, want in decisions.items():
        if not isinstance(want, dict):
            out.append(f"`decisions.{ident}` must be a mapping with at least `outcome`")
            continue
        out += [
            f"`decisions.{ident}`: unknown key `{k}`{did_you_mean(str(k), _DECISION_KEYS)}"
            for k in want
            if k not in _DECISION_KEYS
        ]
        if want.get("outcome") not in _OUTCOMES:
            out.append(
                f"`decisions.{ident}.outcome`: expected one of {', '.join(_OUTCOMES)}, got `{want.get('outcome')}`"
            )
    return out


def _check_exposure(ident: str, want: dict[str, Any], found: list, fail: Callable[[str], None]) -> None:
    zone = want["zone"]
    candidates = [e for e in found if e.zone == zone]
    if not candidates:
        fail(f"`{ident}`: no exposure to zone `{zone}`")
        return
    best = None
    for e in candidates:
        err = 0.0
        for key in ("enter", "exit"):
            if key in want:
                err = max(err, abs((getattr(e, key) - parse_time(want[key], allow_date=False)).total_seconds()))
        if best is None or err < best[0]:
            best = (err, e)
    assert best is not None
    if best[0] > TOLERANCE_S:
        e = best[1]
        fail(
            f"`{ident}`: exposure to `{zone}` is {e.enter.isoformat()} .. {e.exit.isoformat()}, "
            f"expected {want.get('enter')} .. {want.get('exit')} within {TOLERANCE_S:g} s"
        )


def _check_exercise(
    folder: Path, want: dict[str, Any], screener: Screener, at: Any, fail: Callable[[str], None]
) -> None:
    """The exercise-level duties of the plan in `activities.geojson` against `want`."""
    try:
        plan, _ = load_plan(
            folder / "activities.geojson",
            known_nations=set(screener.policy.actors.nations),
            ports=port_names(screener.policy.zones.values()),
        )
    except InputError as exc:
        fail(f"exercise plan rejected: {exc}")
        return
    duties = exercise_duties(plan, screener, at=at)
    decision = duties.decision
    fired = {r.rule for r in decision.reasons}
    if "outcome" in want and decision.outcome != want["outcome"]:
        fail(f"exercise: outcome {decision.outcome}, expected {want['outcome']} (rules: {', '.join(sorted(fired))})")
    for rule in want.get("rules", []):
        if rule not in fired:
            fail(f"exercise: rule `{rule}` did not fire (fired: {', '.join(sorted(fired))})")
    for rule in want.get("not_rules", []):
        if rule in fired:
            fail(f"exercise: rule `{rule}` fired but should not")
    obligations = {o.obligation.type: o for o in decision.obligations}
    for ob in want.get("obligations", []):
        if ob not in obligations:
            fail(f"exercise: obligation `{ob}` missing (got: {', '.join(sorted(obligations)) or 'none'})")
    for ob in want.get("not_obligations", []):
        if ob in obligations:
            fail(f"exercise: obligation `{ob}` is there but should not be")
    counts = {c.name: c.host for c in duties.counts}
    for name, value in (want.get("counts") or {}).items():
        if counts.get(name) != value:
            fail(f"exercise: count `{name}` is {counts.get(name)}, expected {value}")
    for ob, when in (want.get("due") or {}).items():
        due = obligations[ob].due if ob in obligations else None
        if due is None or abs((due - parse_time(when, allow_date=False)).total_seconds()) > TOLERANCE_S:
            fail(f"exercise: `{ob}` due {due.isoformat() if due else 'never'}, expected {when}")
    if "versions" in want and list(decision.versions) != list(want["versions"]):
        fail(f"exercise: versions {list(decision.versions)}, expected {want['versions']}")
