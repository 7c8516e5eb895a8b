"""`/decision-maps`: what a nation's activity of a kind may do where at a time, and where that
changed between two times (the 2025 amendment's before/after). Public: every role may read them."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from ...formats.decision_map_geojson import diff_geojson, map_geojson
from ...model.activity import KINDS
from ...model.errors import InputError, did_you_mean
from ...rules.deciding.decision_map import decision_map, diff_maps
from ...workflow.access import Principal
from ..deps import Allowed, get_service
from ..openapi import ERRORS, GEOJSON, GeoJSONResponse
from ..service import Service, parse_json, query_time

router = APIRouter(prefix="/decision-maps", tags=["decision maps"], responses=ERRORS)
ServiceDep = Annotated[Service, Depends(get_service)]
Public = Annotated[Principal, Depends(Allowed("public"))]
Actor = Annotated[str, Query(min_length=3, max_length=3, description="Nation, ISO 3166-1 alpha-3, e.g. USA")]
Kind = Annotated[str, Query(description=f"Activity kind: {', '.join(KINDS)}")]
Attributes = Annotated[
    str | None, Query(description='Attributes of the hypothetical activity as JSON, e.g. {"troops": 500}')
]


def _check(service: Service, actor: str, kind: str, attributes: str | None) -> dict[str, Any]:
    if kind not in KINDS:
        raise InputError(f"kind: unknown kind `{kind}`{did_you_mean(kind, KINDS)}; expected one of {', '.join(KINDS)}")
    if actor not in service.policy.actors:
        raise InputError(f"actor: unknown nation `{actor}`{did_you_mean(actor, service.policy.actors.nations)}")
    if attributes is None:
        return {}
    attrs = parse_json(attributes.encode(), "attributes")
    if not isinstance(attrs, dict):
        raise InputError("attributes: expected a JSON object of attribute names and values")
    return attrs


@lru_cache(maxsize=64)
def _map(service: Service, actor: str, kind: str, at: str, attrs: str):
    when = query_time(at, "at", service.policy, in_force=True)
    assert when is not None
    return decision_map(service.policy, actor=actor, kind=kind, at=when, attributes=json.loads(attrs))  # type: ignore[arg-type]


@router.get("", responses=GEOJSON, response_class=GeoJSONResponse)
def get_map(
    service: ServiceDep, _who: Public, actor: Actor, kind: Kind, at: str, attributes: Attributes = None
) -> dict[str, Any]:
    """The region partitioned by outcome, one Feature per outcome with its km² and rules."""
    attrs = _check(service, actor, kind, attributes)
    return map_geojson(_map(service, actor, kind, at, json.dumps(attrs, sort_keys=True)))


@router.get("/diff", responses=GEOJSON, response_class=GeoJSONResponse)
def get_diff(
    service: ServiceDep,
    _who: Public,
    actor: Actor,
    kind: Kind,
    from_: Annotated[str, Query(alias="from", description="The earlier time or date")],
    to: Annotated[str, Query(description="The later time or date")],
    attributes: Attributes = None,
) -> dict[str, Any]:
    """Where the outcome changed between two times, one Feature per (before, after) pair."""
    attrs = json.dumps(_check(service, actor, kind, attributes), sort_keys=True)
    before, after = _map(service, actor, kind, from_, attrs), _map(service, actor, kind, to, attrs)
    default = service.policy.default_effect.outcome
    return diff_geojson(before, after, diff_maps(before, after, default))
