"""What a policy release would change, before it is published: the rule-level diff (rules and
zones added, removed and changed, by id, comparing canonical content hashes), the area diff (the
decision maps of the running and the proposed policy at one time, for one actor and kind, with
km² per before→after pair), and the stored requests whose outcome or obligations would change.

It also finds the changed period: the earliest time at which the two policies can judge anything
differently (`changed_from`), which bounds the re-judging after publishing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import shapely

from ..formats.decision_json import decision_json, policy_json
from ..geo.zones.projection import Frame
from ..model.hashing import content_hash
from ..model.rule import Policy
from ..model.time import format_time
from ..rules.deciding.decision_map import DecisionMap, decision_map, diff_maps
from ..workflow.states import OPEN_STATES, rejected_by_rules
from .policies import rule_json
from .queries import API, check_kind, check_nation, parse_attributes, require_when

if TYPE_CHECKING:
    from ..store import RequestRecord
    from .context import Running, Service

__all__ = ["affected", "area_diff", "changed_from", "judge_again", "rule_diff"]

#: the beginning of time for the changed period when zones or actors changed (every time)
_BEGINNING = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)


def _rules(policy: Policy) -> dict[str, str]:
    """Each rule id -> the content hash of the rule (which versions hold it is the versions' diff)."""
    out: dict[str, Any] = {}
    for version in policy.versions:
        for rule in version.rules:
            out.setdefault(rule.id, rule_json(rule))
    return {k: content_hash(v, default=str) for k, v in out.items()}


def _zone_hash(zone: Any) -> str:
    return content_hash(
        {
            "geometry": shapely.to_wkb(zone.geometry, hex=True, output_dimension=2),
            "lower": repr(zone.lower),
            "upper": repr(zone.upper),
            "tags": sorted(zone.tags),
            "validity": repr(zone.validity),
            "basis": zone.basis,
            "source": zone.source,
        }
    )


def _zones(policy: Policy) -> dict[str, str]:
    return {z.id: _zone_hash(z) for z in policy.zones.values()}


def _diff(before: Mapping[str, str], after: Mapping[str, str]) -> dict[str, list[str]]:
    return {
        "added": sorted(after.keys() - before.keys()),
        "removed": sorted(before.keys() - after.keys()),
        "changed": sorted(k for k in before.keys() & after.keys() if before[k] != after[k]),
    }


def rule_diff(before: Policy, after: Policy) -> dict[str, dict[str, list[str]]]:
    """Versions (by name: their rule ids and effective time), rules (by id, across every version:
    their content) and zones (by id) added, removed and changed."""
    versions = {v.version: content_hash([r.id for r in v.rules]) + str(v.effective) for v in before.versions}
    versions_after = {v.version: content_hash([r.id for r in v.rules]) + str(v.effective) for v in after.versions}
    return {
        "versions": _diff(versions, versions_after),
        "rules": _diff(_rules(before), _rules(after)),
        "zones": _diff(_zones(before), _zones(after)),
    }


def _in_force(policy: Policy, at: dt.datetime) -> str:
    version = policy.version_at(at)
    return content_hash([rule_json(r) for r in version.rules], default=str) if version else ""


def changed_from(before: Policy, after: Policy) -> dt.datetime | None:
    """The earliest time the two policies may judge differently: every time when zones, actors or
    parameters changed; else the first version boundary (of either) where the rules in force
    differ. None when they judge everything alike."""
    if (
        _zones(before) != _zones(after)
        or repr(before.actors) != repr(after.actors)
        or dict(before.parameters) != dict(after.parameters)
        or before.default_effect != after.default_effect
    ):
        return _BEGINNING
    cuts = sorted({v.effective for v in (*before.versions, *after.versions)})
    for at in cuts:
        if _in_force(before, at) != _in_force(after, at):
            return at
    return None


def area_diff(
    before: Policy, after: Policy, *, actor: str, kind: str, at: str, attributes: Any = None
) -> dict[str, Any]:
    """Where the outcome for `kind` by `actor` at `at` differs between the two policies, in km²
    per before→after pair (both maps in the running policy's frame)."""
    checked_kind = check_kind(kind, API)
    check_nation(actor, after, API)
    attrs = parse_attributes(attributes, API)
    when = require_when(at, "at", after)
    frame = Frame.of(before.frame)
    maps: list[DecisionMap | None] = []
    for policy in (before, after):
        if policy.version_at(when) is None:
            maps.append(None)
            continue
        maps.append(decision_map(policy, actor=actor, kind=checked_kind, at=when, attributes=attrs, frame=frame))
    if maps[0] is None or maps[1] is None:
        return {"actor": actor, "kind": kind, "at": format_time(when), "changes": [], "note": "no version in force"}
    changes = diff_maps(maps[0], maps[1], after.default_effect.outcome)
    return {
        "actor": actor,
        "kind": kind,
        "at": format_time(when),
        "changes": [{"before": c.before, "after": c.after, "area_km2": round(c.area_km2, 1)} for c in changes],
    }


def _summary(decision: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "outcome": decision["outcome"],
        "obligations": sorted({o["type"] for o in decision.get("obligations", [])}),
        "rules": sorted({r["rule"] for r in decision.get("reasons", []) if r.get("rule")}),
    }


def judge_again(
    service: Service, running: Running, records: Sequence[RequestRecord]
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Stored requests judged under `running`, in one batch: for each, the new Decision JSON (with
    the policy block that names its hash) and the before/after summary."""
    pinned = service.pinned()
    pinned._running = running  # this judgment only, never the process's
    activities = [
        pinned.activities({"type": "FeatureCollection", "features": [record.feature]})[0][0] for record in records
    ]
    out = []
    for record, decided in zip(records, running.screener.screen(activities), strict=True):
        decision = {
            **decision_json(decided),
            "policy": policy_json(running.policy, [decided]),
        }  # its hash says who decided
        out.append((decision, {"before": _summary(record.decision), "after": _summary(decision)}))
    return out


def affected(service: Service, running: Running, start: dt.datetime | None, limit: int = 1000) -> list[dict[str, Any]]:
    """Stored requests (open or approved, reaching into the changed period) whose outcome or
    obligations would differ under `running`, with before and after."""
    if start is None:
        return []
    out: list[dict[str, Any]] = []
    offset = 0
    while len(out) < limit:
        page = service.store.list(start=start, limit=500, offset=offset)
        if not page:
            break
        offset += len(page)
        chosen = [r for r in page if r.state in OPEN_STATES or rejected_by_rules(r.state, r.outcome)]
        for record, (_decision, change) in zip(chosen, judge_again(service, running, chosen), strict=True):
            before, after = change["before"], change["after"]
            if (before["outcome"], before["obligations"]) != (after["outcome"], after["obligations"]):
                out.append({"request": record.id, "nation": record.nation, "state": record.state, **change})
    return out[:limit]
