"""The plan's report as data: every activity's decision (the whole plan screened in one batch
call of the engine), the exercise-level duties, the alternatives for what is referred or denied,
and the deadline calendar. Faces render it (Markdown, JSON, HTML, iCalendar); they decide
nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from ..engine import Screener
from ..model.alternative import Alternatives
from ..model.decision import Decision
from ..model.exercise import ExercisePlan
from ..model.outcome import Outcome
from ..model.rule import Policy
from .alternatives import alternatives
from .duties import ExerciseDuties, exercise_duties

__all__ = ["Comparison", "Deadline", "ExerciseReport", "build_report"]


@dataclass(frozen=True, slots=True)
class Deadline:
    """An obligation falling due: what, to whom, when, for which activities (or the exercise as a
    whole: `level` "exercise") and by which rules."""

    due: dt.datetime
    type: str
    authority: str
    text: str
    activities: tuple[str, ...]
    rules: tuple[str, ...]
    level: str  # "exercise" or "activity"


@dataclass(frozen=True, slots=True)
class Comparison:
    """The same plan judged by the rules in force at `at`: the activities whose outcome differs
    (id, outcome in the report, outcome then) and the exercise-level duties then."""

    at: dt.datetime
    changed: tuple[tuple[str, Outcome, Outcome], ...]
    duties: tuple[str, ...]
    versions: tuple[str, ...]


@dataclass(frozen=True)
class ExerciseReport:
    """Everything the report shows, under one policy (judged at `at` when given)."""

    plan: ExercisePlan
    policy: Policy
    at: dt.datetime | None
    decisions: tuple[Decision, ...]
    duties: ExerciseDuties
    alternatives: Mapping[str, Alternatives]
    deadlines: tuple[Deadline, ...]
    warnings: tuple[str, ...] = ()
    comparison: Comparison | None = None

    @property
    def outcome(self) -> Outcome:
        """The most severe outcome over the activities and the exercise-level judgement."""
        return Outcome.most_severe([*(d.outcome for d in self.decisions), self.duties.decision.outcome])

    def counts(self) -> dict[Outcome, int]:
        return {o: sum(d.outcome == o for d in self.decisions) for o in Outcome}


def build_report(
    plan: ExercisePlan,
    screener: Screener,
    *,
    at: dt.datetime | None = None,
    with_alternatives: bool = True,
    warnings: tuple[str, ...] = (),
    compare_at: dt.datetime | None = None,
) -> ExerciseReport:
    """Screen the plan (one batch call), judge its exercise-level duties, find the alternatives
    and collect the deadlines; with `compare_at`, judge it again by the rules in force then (one
    more batch) and say what differs (what an amendment changes for this exercise)."""
    decisions = tuple(screener.screen(plan.activities, at=at))
    duties = exercise_duties(plan, screener, at=at)
    alts = alternatives(plan.activities, decisions, screener, nations=plan.nations, at=at) if with_alternatives else {}
    comparison = None
    if compare_at is not None:
        then = screener.screen(plan.activities, at=compare_at)
        then_duties = exercise_duties(plan, screener, at=compare_at)
        changed = tuple(
            (d.activity, d.outcome, t.outcome) for d, t in zip(decisions, then, strict=True) if d.outcome != t.outcome
        )
        comparison = Comparison(
            compare_at,
            changed,
            tuple(o.obligation.type for o in then_duties.decision.obligations),
            tuple(sorted({v for d in then for v in d.versions})),
        )
    return ExerciseReport(
        plan, screener.policy, at, decisions, duties, alts, _deadlines(plan, decisions, duties), warnings, comparison
    )


def _deadlines(plan: ExercisePlan, decisions: tuple[Decision, ...], duties: ExerciseDuties) -> tuple[Deadline, ...]:
    """The exercise-level duties, then every activity's obligations with a due date, the same
    obligation due at the same time grouped over activities. Obligations of the types judged on
    the exercise are listed once, at exercise level (an activity above a threshold on its own is
    in the exercise's sum too)."""
    out = [
        Deadline(d.due, d.obligation.type, d.obligation.authority, d.obligation.text, (plan.id,), d.rules, "exercise")
        for d in duties.decision.obligations
        if d.due is not None
    ]
    grouped: dict[tuple, tuple[list[str], set[str]]] = {}
    for decision in decisions:
        for d in decision.obligations:
            if d.due is None or d.obligation.type in duties.obligation_types:
                continue
            key = (d.due, d.obligation.type, d.obligation.authority, d.obligation.text)
            ids, rules = grouped.setdefault(key, ([], set()))
            ids.append(decision.activity)
            rules.update(d.rules)
    for (due, type_, authority, text), (ids, rules) in grouped.items():
        out.append(Deadline(due, type_, authority, text, tuple(ids), tuple(sorted(rules)), "activity"))
    return tuple(sorted(out, key=lambda d: (d.due, d.level != "exercise", d.type, d.activities)))
