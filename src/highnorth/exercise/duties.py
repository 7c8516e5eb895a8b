"""Exercise-level duties: the OSCE Vienna Document counts the troops, tanks and sorties of one
activity under one command, so an exercise whose parts are each below a threshold can be above it
together. This module sums the parts that overlap in time on the host's territory and judges the
sum with the policy's own rules (docs/exercises.md §2):

- *which rules*: those of the version in force whose obligations include a type the policy lists
  in its parameter `exercise_duty_obligations` (the default dataset: the Vienna rules);
- *the host's territory*: the zones those rules name (`norway-land`); an activity counts while
  the geometry stage finds it inside them, in full, and only within the exercise's dates (an
  activity of the plan wholly outside them, a follow-up, is not part of the exercise's sums);
- *the counts*: `troops`, `battle_tanks`, `acv`, `artillery` and `amphibious_troops` (or the
  `troops` of an activity marked `amphibious` or `airborne`) at the peak of their sum over time;
  `sorties` summed over the exercise (a flight without `sorties` is one). A count that is not a
  number cannot be summed: the rules then fail closed to refer, as for any activity;
- *the judgement*: one made-up land exercise of the lead nation, from the first to the last
  moment an activity is on the host's territory, carrying the peaks; the decision stage judges it
  like any other activity, so its obligations have due dates and its reasons rules, versions,
  basis and source. The whole-exercise figures (every activity, wherever it is) are shown beside.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import shapely

from ..engine import Screener
from ..geo.exposures.stage import cut_exposures
from ..model.activity import Activity
from ..model.actor import Actor
from ..model.decision import Decision, Exposure, Reason
from ..model.exercise import ExercisePlan
from ..model.outcome import Effect, Outcome
from ..model.rule import Policy
from ..model.time import Interval
from ..rules.deciding.evaluate import decide, timeline_cuts

__all__ = ["PEAK_COUNTS", "Count", "ExerciseDuties", "duty_policy", "duty_zones", "exercise_duties"]

#: counts taken at the peak of their sum over time; `sorties` is summed over the whole exercise
PEAK_COUNTS = ("troops", "battle_tanks", "acv", "artillery", "amphibious_troops")
TOTAL_COUNTS = ("sorties",)


@dataclass(frozen=True, slots=True)
class Count:
    """One count: its peak (or total) on the host's territory, when that is reached and by which
    activities; the same for the whole exercise; and what the participants declare."""

    name: str
    host: float
    host_at: dt.datetime | None
    host_activities: tuple[str, ...]
    whole: float
    whole_at: dt.datetime | None
    declared: int | None = None
    unknown: tuple[str, ...] = ()  # activities whose value is not a number


@dataclass(frozen=True, slots=True)
class ExerciseDuties:
    """The exercise-level judgement: the counts and the decision on the sum (its obligations are
    the exercise's duties, its reasons say which rules and versions gave them)."""

    exercise: str
    territory: tuple[str, ...]
    window: Interval | None  # first to last moment on the host's territory
    counts: tuple[Count, ...]
    decision: Decision
    obligation_types: tuple[str, ...]


def _types(policy: Policy) -> tuple[str, ...]:
    value = policy.parameters.get("exercise_duty_obligations", [])
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def duty_policy(policy: Policy) -> Policy:
    """The policy with only its exercise-level rules (those with an obligation of a type in
    `exercise_duty_obligations`)."""
    cached = _DUTY_POLICIES.get(id(policy))
    if cached is not None and cached[0] is policy:
        return cached[1]
    types = set(_types(policy))
    versions = tuple(
        replace(v, rules=tuple(r for r in v.rules if any(o.type in types for o in r.obligations)))
        for v in policy.versions
    )
    result = replace(policy, versions=versions)
    if len(_DUTY_POLICIES) > 8:
        _DUTY_POLICIES.clear()
    _DUTY_POLICIES[id(policy)] = (policy, result)
    return result


_DUTY_POLICIES: dict[int, tuple[Policy, Policy]] = {}


def duty_zones(policy: Policy) -> tuple[str, ...]:
    """The host's territory for exercise-level duties: the zones the duty rules name."""
    return tuple(sorted({z for v in duty_policy(policy).versions for r in v.rules for z in r.zones}))


def _value(activity: Activity, name: str) -> Any:
    """An activity's contribution to a count (0 when it has none)."""
    attrs = activity.attributes
    if name == "amphibious_troops" and "amphibious_troops" not in attrs:
        return attrs.get("troops", 0) if (attrs.get("amphibious") is True or attrs.get("airborne") is True) else 0
    if name == "sorties" and "sorties" not in attrs:
        return 1 if activity.kind == "flight" else 0
    return attrs.get(name, 0) if attrs.get(name) is not None else 0


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value >= 0


def _peak(spans: Sequence[tuple[Interval, float, str]]) -> tuple[float, dt.datetime | None, tuple[str, ...]]:
    """The highest sum of values over time (intervals half-open: one ending as another starts
    does not overlap it), when it is first reached and the activities that make it up."""
    events = sorted(
        [(s.start, 1, v, i) for s, v, i in spans if v] + [(s.end, 0, v, i) for s, v, i in spans if v],
        key=lambda e: (e[0], e[1]),  # ends before starts at the same time
    )
    best, level = 0.0, 0.0
    when: dt.datetime | None = None
    live: dict[str, int] = {}
    members: tuple[str, ...] = ()
    for t, is_start, v, ident in events:
        if is_start:
            level += v
            live[ident] = live.get(ident, 0) + 1
            if level > best:
                best, when, members = level, t, tuple(sorted(live))
        else:
            level -= v
            live[ident] -= 1
            if not live[ident]:
                del live[ident]
    return best, when, members


def exercise_duties(plan: ExercisePlan, screener: Screener, *, at: dt.datetime | None = None) -> ExerciseDuties:
    """The exercise-level duties of a plan under the screener's policy (at `at` when given)."""
    policy = screener.policy
    zones = duty_zones(policy)
    on_host: dict[str, list[Interval]] = {}
    dates = plan.window
    counted = [
        a
        for a in plan.activities
        if a.window.overlaps(dates) and any(_value(a, n) for n in (*PEAK_COUNTS, *TOTAL_COUNTS))
    ]
    where: dict[str, tuple[float, float]] = {}
    for activity, found in zip(counted, screener.exposures_in(counted, zones), strict=True):
        inside = [Interval(e.enter, e.exit) & dates for e in found]
        on_host[activity.id] = _union([iv for iv in inside if iv is not None])
        if on_host[activity.id]:
            where[activity.id] = next(e.where for e in found if e.exit > dates.start and e.enter < dates.end)
    declared = {
        n: sum(p.contributions.get(n, 0) for p in plan.participants)
        for n in (*PEAK_COUNTS, *TOTAL_COUNTS)
        if any(n in p.contributions for p in plan.participants)
    }
    counts, attributes = [], {}
    for name in (*PEAK_COUNTS, *TOTAL_COUNTS):
        values = [(a, _value(a, name)) for a in counted]
        unknown = tuple(a.id for a, v in values if not _number(v))
        good = [(a, float(v)) for a, v in values if _number(v) and v]
        host_spans = [(iv, v, a.id) for a, v in good for iv in on_host.get(a.id, [])]
        whole_spans = [(iv, v, a.id) for a, v in good if (iv := a.window & dates) is not None]
        if name in TOTAL_COUNTS:
            host_ids = tuple(sorted({i for _, _, i in host_spans}))
            host: tuple[float, dt.datetime | None, tuple[str, ...]] = (
                sum(v for a, v in good if a.id in host_ids),
                None,
                host_ids,
            )
            whole: tuple[float, dt.datetime | None, tuple[str, ...]] = (sum(v for _, v, _ in whole_spans), None, ())
        else:
            host, whole = _peak(host_spans), _peak(whole_spans)
        counts.append(Count(name, host[0], host[1], host[2], whole[0], whole[1], declared.get(name), unknown))
        attributes[name] = _attribute(host[0]) if not unknown else f"not a number in {', '.join(unknown)}"
    spans = sorted(iv for ivs in on_host.values() for iv in ivs)
    window = Interval(min(s.start for s in spans), max(s.end for s in spans)) if spans else None
    decision = _judge(plan, policy, zones, window, attributes, where, at)
    return ExerciseDuties(plan.id, zones, window, tuple(counts), decision, _types(policy))


def _attribute(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _union(intervals: list[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for iv in sorted(intervals, key=lambda i: i.start):
        if out and iv.start <= out[-1].end:
            out[-1] = Interval(out[-1].start, max(out[-1].end, iv.end))
        else:
            out.append(iv)
    return out


def _judge(
    plan: ExercisePlan,
    policy: Policy,
    zones: tuple[str, ...],
    window: Interval | None,
    attributes: Mapping[str, Any],
    where: Mapping[str, tuple[float, float]],
    at: dt.datetime | None,
) -> Decision:
    """The decision stage on the exercise as one land exercise of the lead nation on the host's
    territory, carrying the counts: the rules say which duties the sums give."""
    if window is None:  # nothing on the host's territory: no exercise-level duty can arise
        territory = ", ".join(f"`{z}`" for z in zones) or "none: the policy names no exercise-level rule"
        reason = Reason(
            rule="no-exercise-duty",
            effect=Effect.PERMIT,
            title=f"no activity of the plan is on the host's territory ({territory}) within the exercise's dates",
            zone=None,
            enter=plan.start,
            exit=plan.end,
            where=None,
            basis="assumption",
            source="exercise-level duties count the parts on the host's territory (docs/exercises.md §2)",
            version="",
        )
        return Decision(activity=plan.id, outcome=Outcome.PERMITTED, reasons=(reason,), versions=())
    point = next(iter(where.values()), (0.0, 0.0))
    synthetic = Activity(
        id=plan.id,
        kind="land_exercise",
        actor=Actor(plan.lead_nation),
        start=window.start,
        end=window.end,
        geometry=shapely.Point(point),
        attributes=dict(attributes),
        name=plan.name,
    )
    inf = math.inf
    whole = [Exposure(z, window.start, window.end, point, point, -inf, inf) for z in zones]
    found = cut_exposures(synthetic, whole, timeline_cuts(policy, plan.lead_nation))
    return decide(synthetic, found, duty_policy(policy), at=at)
