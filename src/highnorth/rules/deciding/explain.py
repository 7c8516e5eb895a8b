"""Explanations as prose: the same reasons every interface shows, written for a person."""

from __future__ import annotations

from ...model.activity import Activity
from ...model.decision import Decision, Reason
from ...model.rule import Policy
from ...model.time import format_time

__all__ = ["BASIS_NOTE", "explain", "place", "reason_sentence"]

BASIS_NOTE = {
    "official": "official (a government or legal text says it)",
    "reported": "reported (a press or research source reports it; not official)",
    "assumption": "ASSUMPTION (a modelling choice where the public record is silent; change it in the policy data)",
}
_VERB = {
    "permit": "permits",
    "condition": "permits with conditions",
    "refer": "refers for a case-by-case decision",
    "deny": "denies",
}


def place(where: tuple[float, float] | None) -> str:
    """A position as degrees north/east.

    >>> place((30.0456, 69.7269))
    '69.72690°N 30.04560°E'
    """
    if where is None:
        return "somewhere"
    lon, lat = where
    return f"{abs(lat):.5f}°{'N' if lat >= 0 else 'S'} {abs(lon):.5f}°{'E' if lon >= 0 else 'W'}"


def reason_sentence(reason: Reason, policy: Policy) -> str:
    """One reason as a sentence: rule, effect, zone, times, place, basis and source."""
    zone = policy.zones.get(reason.zone) if reason.zone else None
    where = (
        f"inside zone `{reason.zone}` ({zone.name}) from {format_time(reason.enter)} to "
        f"{format_time(reason.exit)}, entering at {place(reason.where)}"
        if zone is not None
        else f"for the activity from {format_time(reason.enter)} to {format_time(reason.exit)}"
    )
    version = f" (version {reason.version})" if reason.version else ""
    text = f"rule `{reason.rule}`{version} {_VERB[reason.effect]}: {reason.title}; {where}"
    if reason.detail:
        text += f"; {reason.detail}"
    text += f". Basis: {BASIS_NOTE[reason.basis]}. Source: {reason.source.rstrip('.')}"
    if zone is not None and zone.basis == "assumption":
        text += f". The zone itself is an assumption: {zone.source.rstrip('.')}"
    return text


def explain(activity: Activity, decision: Decision, policy: Policy) -> str:
    """The decision for one activity, with every reason and obligation, as prose."""
    lines = [
        f"Activity `{activity.id}`{' (' + activity.name + ')' if activity.name else ''}: "
        f"{activity.kind.replace('_', ' ')} by {activity.actor.label()}, "
        f"{format_time(activity.start)} to {format_time(activity.end)}.",
        f"Outcome: {decision.outcome.upper()} under policy `{policy.id}` "
        f"(versions {', '.join(decision.versions) or 'none in force'}; hash {policy.hash[:19]}).",
        "",
        "Why:",
    ]
    for i, reason in enumerate(decision.reasons, 1):
        lines.append(f"  {i}. {reason_sentence(reason, policy)}.")
    if decision.obligations:
        lines += ["", "Obligations:"]
        for due in decision.obligations:
            ob = due.obligation
            when = f", due by {format_time(due.due)} ({ob.notice_days} days' notice)" if due.due else ""
            lines.append(
                f"  - {ob.type.replace('_', ' ')} from {ob.authority or 'the host nation'}{when}: {ob.text} [{', '.join(due.rules)}]"
            )
    if decision.warnings:
        lines += ["", "Warnings:"] + [f"  - {w}" for w in decision.warnings]
    return "\n".join(lines)
