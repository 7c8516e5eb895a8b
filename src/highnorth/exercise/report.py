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

__all__ = ["Deadline", "ExerciseReport", "build_report"]


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
) -> ExerciseReport:
    """Screen the plan (one batch call), judge its exercise-level duties, find the alternatives
    and collect the deadlines."""
    decisions = tuple(screener.screen(plan.activities, at=at))
    duties = exercise_duties(plan, screener, at=at)
    alts = alternatives(plan.activities, decisions, screener, nations=plan.nations, at=at) if with_alternatives else {}
    return ExerciseReport(
        plan, screener.policy, at, decisions, duties, alts, _deadlines(plan, decisions, duties), warnings
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
