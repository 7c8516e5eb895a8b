"""The decision stage: rules over exposures, combined by one truth table, with reasons.

The rule evaluator never touches coordinates: it takes what the geometry stage found
(`model.decision.Exposed`: exposures and the activity's window, already cut at the timeline
cuts, and its start point) and copies places into the reasons.

Combination (the same table is in docs/semantics.md)::

    deny  > refer > condition > permit
    any deny                      -> denied
    else any refer                -> referred     (case by case; also every unevaluable rule)
    else any condition            -> conditional  (permit with obligations)
    else any permit               -> permitted
    no rule matched anywhere      -> the policy's default effect

Obligations accumulate over every rule that fired, except when the outcome is denied (there is
nothing to fulfil). An activity's outcome is the most severe over its exposures.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
from dataclasses import dataclass, replace
from typing import Any

from ...model.activity import Activity
from ...model.decision import Decision, DueObligation, Exposed, Exposure, Reason
from ...model.errors import EvaluationError
from ...model.outcome import Effect
from ...model.rule import Condition, Policy, PolicyVersion, Rule
from ...model.time import Interval, format_time
from ..selectors import matches

__all__ = ["combine", "decide", "timeline_cuts"]

_MISSING = object()


def combine(a: Effect, b: Effect) -> Effect:
    """Combine two effects by the truth table; commutative and associative.

    >>> combine(Effect.PERMIT, Effect.CONDITION), combine(Effect.REFER, Effect.DENY)
    (<Effect.CONDITION: 'condition'>, <Effect.DENY: 'deny'>)
    """
    match (a, b):
        case (Effect.DENY, _) | (_, Effect.DENY):
            return Effect.DENY  # a prohibition holds whatever else applies
        case (Effect.REFER, _) | (_, Effect.REFER):
            return Effect.REFER  # case by case: a human decides, whatever permits apply
        case (Effect.CONDITION, _) | (_, Effect.CONDITION):
            return Effect.CONDITION  # a permit with obligations is still conditional
        case _:
            return Effect.PERMIT  # only permits fired


_OPS = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
    "in": lambda a, b: a in b,
    "not_in": lambda a, b: a not in b,
}


def _kind_of(value: Any) -> str:
    """The kind of a value for comparisons: boolean, number, text or other."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    return "other"


def _holds(condition: Condition, attributes: dict[str, Any]) -> bool:
    """Whether the condition holds; EvaluationError when it cannot be decided (missing attribute,
    null, a value of another kind than the rule compares with, a number that is not finite)."""
    value = attributes.get(condition.attr, _MISSING)
    if value is _MISSING or value is None:
        if not condition.has_default:
            raise EvaluationError(f"attribute `{condition.attr}` is {'missing' if value is _MISSING else 'null'}")
        value = condition.default
    expected = condition.value if condition.op not in ("in", "not_in") else (condition.value or [None])
    kinds = {_kind_of(v) for v in (expected if isinstance(expected, list) else [expected])}
    if _kind_of(value) not in kinds:
        raise EvaluationError(
            f"attribute `{condition.attr}` is `{value!r}`; the rule compares it with a {' or '.join(sorted(kinds))} "
            f"(`{condition.attr} {condition.op} {condition.value!r}`)"
        )
    if isinstance(value, float) and not math.isfinite(value):
        raise EvaluationError(f"attribute `{condition.attr}` is `{value!r}`, not a finite number")
    try:
        return bool(_OPS[condition.op](value, condition.value))
    except TypeError:
        raise EvaluationError(
            f"attribute `{condition.attr}` is `{value!r}`, which cannot be compared "
            f"({condition.op}) with `{condition.value!r}`"
        ) from None


@dataclass(frozen=True, slots=True)
class _Piece:
    """A part of an exposure (or of the activity's window: `exposure` None) during which the
    version, rules and memberships are constant."""

    zone: str | None
    interval: Interval
    where: tuple[float, float] | None
    exposure: Exposure | None = None


def timeline_cuts(policy: Policy, nation: str) -> list[dt.datetime]:
    """Every time at which what applies to `nation` can change: version starts, rule validity
    bounds and the nation's membership changes."""
    cuts = {v.effective for v in policy.versions}
    for version in policy.versions:
        for rule in version.rules:
            if rule.validity is not None:
                cuts |= {rule.validity.start, rule.validity.end}
    actor = policy.actors.get(nation)
    if actor is not None:
        cuts |= set(actor.membership_changes())
    return sorted(cuts)


def _pieces(found: Exposed) -> list[_Piece]:
    """The pieces to judge: every exposure, then every piece of the activity's window (as the
    geometry stage cut them)."""
    out = [_Piece(e.zone, Interval(e.enter, e.exit), e.where, e) for e in found.exposures]
    out += [_Piece(None, part, found.start) for part in found.window]
    return out


def _fires(
    rule: Rule, activity: Activity, piece: _Piece, policy: Policy, exposed: frozenset[str], memo: dict[tuple, bool]
) -> str | None:
    """None when the rule does not apply to the piece, "" when it fires, or the cause why it
    cannot be evaluated (it then fails closed to refer). `exposed` holds every zone the activity
    is exposed to at any time (for `also_in`)."""
    if rule.kinds is not None and activity.kind not in rule.kinds:
        return None
    if rule.also_in and not exposed.issuperset(rule.also_in):
        return None
    if rule.zones:
        if piece.zone not in rule.zones:
            return None
    elif piece.zone is not None:
        return None
    key = (id(rule.actor), piece.interval.start)  # one nation per call: selectors by time
    if key not in memo:
        memo[key] = matches(rule.actor, activity.actor.nation, policy, piece.interval.start)
    if not memo[key]:
        return None
    try:
        if all(_holds(c, dict(activity.attributes)) for c in rule.conditions):
            return ""
    except EvaluationError as exc:
        return str(exc)
    return None


def decide(
    activity: Activity,
    found: Exposed,
    policy: Policy,
    *,
    at: dt.datetime | None = None,
    context_zones: frozenset[str] = frozenset(),
) -> Decision:
    """The decision for one activity from what the geometry stage found, cut at the activity's
    timeline cuts under `policy` (`timeline_cuts`).

    Each piece of an exposure is judged by the version and rules in force during it, or at `at`
    when given (to ask "what would the rules of that date say"). Memberships are always judged at
    the piece's own time. `context_zones` counts as exposed for `also_in` (decision maps use it
    to say where a hypothetical activity comes from).
    """
    exposed = frozenset(e.zone for e in found.exposures) | context_zones
    fired: list[tuple[Reason, Rule | None]] = []
    versions_used: set[str] = set()
    memo: dict[tuple, bool] = {}
    for piece in _pieces(found):
        when = at or piece.interval.start
        version = policy.version_at(when)
        if version is None:
            if piece.zone is None:  # once per piece of the activity's window
                fired.append((_no_version_reason(piece, policy), None))
            continue
        versions_used.add(version.version)
        for rule in version.rules_for(piece.zone, activity.kind):
            if not rule.in_force(when):
                continue
            cause = _fires(rule, activity, piece, policy, exposed, memo)
            if cause is None:
                continue
            effect = rule.effect if cause == "" else Effect.REFER
            detail = f"cannot evaluate: {cause}; fails closed to refer" if cause else ""
            fired.append((_reason(rule, effect, piece, version, detail), rule))
    reasons = _merge([r for r, _ in fired])
    obligations, late = _obligations(activity, found.start, fired, policy.timezone)
    reasons += late
    if not reasons:
        reasons = [_default_reason(activity, found.start, policy)]
    outcome = Effect.PERMIT
    for reason in reasons:
        outcome = combine(outcome, reason.effect)
    return Decision(
        activity=activity.id,
        outcome=outcome.outcome,
        obligations=tuple(obligations) if outcome != Effect.DENY else (),  # nothing to fulfil when denied
        reasons=tuple(sorted(reasons, key=lambda r: (r.enter, r.rule, r.zone or "", r.exit))),
        versions=tuple(sorted(versions_used)),
    )


def _reason(rule: Rule, effect: Effect, piece: _Piece, version: PolicyVersion, detail: str) -> Reason:
    e = piece.exposure
    return Reason(
        rule=rule.id,
        effect=effect,
        title=rule.title,
        zone=piece.zone,
        enter=piece.interval.start,
        exit=piece.interval.end,
        where=piece.where,
        basis=rule.basis,
        source=rule.source,
        version=version.version,
        detail=detail,
        exit_where=e.exit_where if e else None,
        lower=e.lower if e else None,
        upper=e.upper if e else None,
        part=e.part if e else None,
    )


def _merge(reasons: list[Reason]) -> list[Reason]:
    """Join reasons of the same rule, zone, version and effect that follow each other in time:
    the joined reason exits where the one that exits last does, spans the union of the altitude
    bands and the parts from the first to the last."""
    reasons = sorted(reasons, key=lambda r: (r.rule, r.zone or "", r.version, r.effect, r.enter))
    out: list[Reason] = []
    for r in reasons:
        last = out[-1] if out else None
        if (
            last
            and (last.rule, last.zone, last.version, last.effect, last.detail)
            == (r.rule, r.zone, r.version, r.effect, r.detail)
            and r.enter <= last.exit
        ):
            out[-1] = _joined(last, r)
        else:
            out.append(r)
    return out


def _joined(a: Reason, b: Reason) -> Reason:
    """Reason `a` extended by `b`, which follows it (`b.enter <= a.exit`)."""
    last = b if b.exit >= a.exit else a
    return replace(
        a,
        exit=last.exit,
        exit_where=last.exit_where,
        lower=_lowest(a.lower, b.lower),
        upper=_highest(a.upper, b.upper),
        part=a.part.joined(b.part) if a.part is not None and b.part is not None else a.part,
    )


def _lowest(a: float | None, b: float | None) -> float | None:
    return a if b is None else b if a is None else min(a, b)


def _highest(a: float | None, b: float | None) -> float | None:
    return a if b is None else b if a is None else max(a, b)


def _obligations(
    activity: Activity, start: tuple[float, float], fired: list[tuple[Reason, Rule | None]], timezone: str
) -> tuple[list[DueObligation], list[Reason]]:
    """Obligations of every rule that fired, deduplicated; a late submission is a reason to refer."""
    by_key: dict[tuple, tuple[Any, set[str]]] = {}
    for reason, rule in fired:
        if rule is None or (reason.effect == Effect.REFER and reason.detail):
            continue
        for ob in rule.obligations:
            entry = by_key.setdefault(ob.key(), (ob, set()))
            entry[1].add(rule.id)
    out, late = [], []
    for key in sorted(by_key):
        ob, rules = by_key[key]
        due = ob.due(activity.start, timezone)
        out.append(DueObligation(ob, tuple(sorted(rules)), due))
        if due is not None and activity.submitted is not None and activity.submitted > due:
            late.append(
                _whole_activity_reason(
                    activity,
                    start,
                    rule=f"{sorted(rules)[0]}:notice",
                    effect=Effect.REFER,
                    title=f"{ob.type} needs {ob.notice_days} days' notice"
                    if ob.due_on is None
                    else f"{ob.type} is due by {format_time(due)}",
                    source="late submission is referred (docs/semantics.md)",
                    detail=f"due {format_time(due)}, submitted {format_time(activity.submitted)}",
                )
            )
    return out, late


def _no_version_reason(piece: _Piece, policy: Policy) -> Reason:
    first = min((v.effective for v in policy.versions), default=None)
    return Reason(
        rule="no-version",
        effect=Effect.REFER,
        title=f"no version of policy `{policy.id}` is in force (the first takes effect {format_time(first) if first else 'never'})",
        zone=None,
        enter=piece.interval.start,
        exit=piece.interval.end,
        where=piece.where,
        basis="assumption",
        source="an activity the rules do not cover is referred (docs/semantics.md)",
        version="",
    )


def _default_reason(activity: Activity, start: tuple[float, float], policy: Policy) -> Reason:
    return _whole_activity_reason(
        activity,
        start,
        rule="default",
        effect=policy.default_effect,
        title=f"no rule matched: the default effect of policy `{policy.id}`",
        source=f"{policy.id} policy.yaml `default_effect`",
    )


def _whole_activity_reason(
    activity: Activity,
    start: tuple[float, float],
    *,
    rule: str,
    effect: Effect,
    title: str,
    source: str,
    detail: str = "",
) -> Reason:
    """A reason about the activity as a whole (not one zone), from the policy's own mechanics."""
    return Reason(
        rule=rule,
        effect=effect,
        title=title,
        zone=None,
        enter=activity.start,
        exit=activity.end,
        where=start,
        basis="assumption",
        source=source,
        version="",
        detail=detail,
    )
