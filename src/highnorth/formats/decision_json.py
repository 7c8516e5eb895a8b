"""Decision JSON (DESIGN.md §4) and the decision as GeoJSON, deterministic to the byte."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from shapely.geometry import mapping

from ..model.activity import Activity
from ..model.alternative import Alternatives
from ..model.decision import Decision, DueObligation, Part, Reason
from ..model.rule import Policy
from ..model.time import format_time

__all__ = [
    "alternatives_json",
    "decisions_document",
    "decisions_geojson",
    "decisions_text",
    "dumps",
    "obligation_json",
    "part_json",
    "reason_json",
]


def dumps(doc: Any) -> str:
    """The canonical text of a document: the same input gives the same bytes.

    A document with a list of `decisions` or `features` puts one item on each line (compact,
    grep-friendly, and written by the C encoder: ten times faster than indenting); the rest is
    indented.
    """
    if isinstance(doc, dict) and any(isinstance(doc.get(k), list) for k in _ITEM_LISTS):
        return _lines(
            (key, map(_compact, value) if key in _ITEM_LISTS and isinstance(value, list) else _compact(value))
            for key, value in doc.items()
        )
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


_ITEM_LISTS = ("decisions", "features")


def _lines(members: Iterable[tuple[str, str | Iterable[str]]]) -> str:
    """The layout of `dumps` for a document's members, each a compact value or the encoded items
    of a list (one a line)."""
    parts = []
    for key, value in members:
        if isinstance(value, str):
            parts.append(f"{json.dumps(key)}: {value}")
        else:
            items = ",\n".join(value)
            parts.append(f"{json.dumps(key)}: [\n{items}\n]" if items else f"{json.dumps(key)}: []")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _alt(value: float | None) -> float | None:
    """An altitude limit in metres, to the decimetre; None (JSON null) when unbounded."""
    return None if value is None or math.isinf(value) else round(value, 1)


def part_json(part: Part) -> dict[str, Any]:
    """Which part of the geometry: `{"kind": "track", "from": 1.25, "to": 3.0}` (input vertex
    parameters, to 1e-3), `{"kind": "area", "share": 37.0}` (percent inside, to 0.1; no share
    for an area of no size) or `{"kind": "point"}`."""
    if part.kind == "track":
        return {"kind": "track", "from": round(part.start or 0.0, 3), "to": round(part.end or 0.0, 3)}
    if part.kind == "area" and part.share is not None:
        return {"kind": "area", "share": round(part.share, 1)}
    return {"kind": part.kind}


def _exposure_json(reason: Reason) -> dict[str, Any]:
    """The optional fields of a reason about a zone (added in Decision JSON v1, docs/formats.md):
    where the activity leaves the zone, its altitude band there (null: unbounded) and which part
    of its geometry is inside."""
    if reason.exit_where is None:
        return {}
    out: dict[str, Any] = {
        "exit_where": list(reason.exit_where),
        "altitude": {"lower_m": _alt(reason.lower), "upper_m": _alt(reason.upper)},
    }
    if reason.part is not None:
        out["part"] = part_json(reason.part)
    return out


def reason_json(reason: Reason) -> dict[str, Any]:
    return {
        "rule": reason.rule,
        "effect": reason.effect,
        "title": reason.title,
        "zone": reason.zone,
        "enter": format_time(reason.enter),
        "exit": format_time(reason.exit),
        "where": list(reason.where) if reason.where else None,
        "basis": reason.basis,
        "source": reason.source,
        "version": reason.version,
        **({"detail": reason.detail} if reason.detail else {}),
        **_exposure_json(reason),
    }


def obligation_json(due: DueObligation) -> dict[str, Any]:
    ob = due.obligation
    return {
        "type": ob.type,
        "authority": ob.authority,
        "notice_days": ob.notice_days,
        "due": format_time(due.due) if due.due else None,
        "text": ob.text,
        "rules": list(due.rules),
        **({"due_on": dict(zip(("month", "day", "years_before"), ob.due_on, strict=True))} if ob.due_on else {}),
    }


def decision_json(decision: Decision, alternatives: Alternatives | None = None) -> dict[str, Any]:
    """One decision; with `alternatives` (a referred or denied activity), the optional
    `alternatives` field (added in v1, docs/formats.md)."""
    return {
        "activity": decision.activity,
        "outcome": decision.outcome,
        "obligations": [obligation_json(o) for o in decision.obligations],
        "reasons": [reason_json(r) for r in decision.reasons],
        "versions": list(decision.versions),
        **({"warnings": list(decision.warnings)} if decision.warnings else {}),
        **({"alternatives": alternatives_json(alternatives)} if alternatives is not None else {}),
    }


def alternatives_json(alt: Alternatives) -> dict[str, Any]:
    """What would change a referred or denied decision (docs/exercises.md §4): the earliest
    cleared start (`time`, null when none), the restricting parts and the cleared portion of a
    track (`place`), and the participating nations that would be cleared (`actors`)."""
    time = alt.time
    place = alt.place
    portion = None
    if place.outcome is not None and place.stop is not None and place.stop_time is not None:
        portion = {
            "until": list(place.stop),
            "at": format_time(place.stop_time),
            "to": round(place.stop_parameter or 0.0, 3),
            "length_km": place.length_km,
            "outcome": place.outcome,
            "obligations": [obligation_json(o) for o in place.obligations],
        }
    return {
        "time": None
        if time is None
        else {
            "start": format_time(time.start),
            "end": format_time(time.end),
            "outcome": time.outcome,
            "because": time.because,
            "obligations": [obligation_json(o) for o in time.obligations],
        },
        "place": {
            "restrictions": [
                {
                    "rule": r.rule,
                    "effect": r.effect,
                    "zone": r.zone,
                    "enter": format_time(r.enter),
                    "exit": format_time(r.exit),
                    "duration_s": round(r.duration.total_seconds(), 3),
                    **({"length_km": r.length_km} if r.length_km is not None else {}),
                    **({"area_km2": r.area_km2} if r.area_km2 is not None else {}),
                }
                for r in place.restrictions
            ],
            "cleared_portion": portion,
        },
        "actors": [
            {"nation": a.nation, "outcome": a.outcome, "obligations": [obligation_json(o) for o in a.obligations]}
            for a in alt.actors
        ],
        "nations_tried": list(alt.nations_tried),
    }


def policy_json(policy: Policy, decisions: Sequence[Decision]) -> dict[str, Any]:
    """The policy block: the newest version any decision used, and the hash of the whole policy
    (every version, zone and actor), plus each version used with its own hash."""
    used = sorted({v for d in decisions for v in d.versions}, key=lambda name: policy.version(name).effective)
    newest = used[-1] if used else ""  # no version was in force for any decision
    return {
        "id": policy.id,
        "version": newest,
        "hash": policy.hash,
        "versions_used": [{"version": v, "hash": policy.version_hash(v)} for v in used],
    }


def decisions_document(
    policy: Policy,
    decisions: Sequence[Decision],
    warnings: Sequence[str] = (),
    alternatives: Mapping[str, Alternatives] | None = None,
) -> dict[str, Any]:
    """The Decision JSON document (with `alternatives` for the decisions that have them)."""
    alts = alternatives or {}
    doc: dict[str, Any] = {
        "policy": policy_json(policy, decisions),
        "decisions": [decision_json(d, alts.get(d.activity)) for d in decisions],
    }
    if warnings:
        doc["warnings"] = list(warnings)
    return doc


def decisions_text(
    policy: Policy,
    decisions: Sequence[Decision],
    warnings: Sequence[str] = (),
    alternatives: Mapping[str, Alternatives] | None = None,
) -> str:
    """`dumps(decisions_document(policy, decisions, warnings, alternatives))`, the same bytes, with
    each decision encoded as soon as it is built: the dictionaries of a large batch are never
    alive at once (W3 writes 10,000 decisions in two thirds of the time)."""
    alts = alternatives or {}
    members: list[tuple[str, str | Iterable[str]]] = [
        ("policy", _compact(policy_json(policy, decisions))),
        ("decisions", (_compact(decision_json(d, alts.get(d.activity))) for d in decisions)),
    ]
    if warnings:
        members.append(("warnings", _compact(list(warnings))))
    return _lines(members)


def decisions_geojson(policy: Policy, activities: Sequence[Activity], decisions: Sequence[Decision]) -> dict[str, Any]:
    """Each activity as a Feature with its decision, and each reason's entry point as a Point."""
    features: list[dict[str, Any]] = []
    for activity, decision in zip(activities, decisions, strict=True):
        features.append(
            {
                "type": "Feature",
                "id": activity.id,
                "geometry": mapping(activity.geometry),
                "properties": {
                    "role": "activity",
                    "kind": activity.kind,
                    "nation": activity.actor.nation,
                    "outcome": decision.outcome,
                    "obligations": [o.obligation.type for o in decision.obligations],
                    "rules": sorted({r.rule for r in decision.reasons}),
                },
            }
        )
        for reason in decision.reasons:
            if reason.where is None:
                continue
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": list(reason.where)},
                    "properties": {"role": "reason", "activity": activity.id, **reason_json(reason)},
                }
            )
    return {"type": "FeatureCollection", "policy": policy_json(policy, decisions), "features": features}
