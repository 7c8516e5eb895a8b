"""`/decision-maps`: what a nation's activity of a kind may do where at a time, and where that
changed between two times (the 2025 amendment's before/after). Public: every role may read them.
Use cases: `service.maps.decision_map_at` and `service.maps.map_diff` on a checked `map_query`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from ...model.activity import KINDS
from ...service.context import Service
from ...service.maps import TimeField, decision_map_at, map_diff, map_document, map_query
from ...service.queries import API
from ...workflow.access import Principal
from ..deps import Allowed, get_service
from ..openapi import ERRORS, GEOJSON, PUBLIC_VIEW, GeoJSONResponse

router = APIRouter(prefix="/decision-maps", tags=["decision maps"], responses=ERRORS)
ServiceDep = Annotated[Service, Depends(get_service)]
Public = Annotated[Principal, Depends(Allowed("public"))]
Actor = Annotated[str, Query(min_length=3, max_length=3, description="Nation, ISO 3166-1 alpha-3, e.g. USA")]
Kind = Annotated[str, Query(description=f"Activity kind: {', '.join(KINDS)}")]
Attributes = Annotated[
    str | None, Query(description='Attributes of the hypothetical activity as JSON, e.g. {"troops": 500}')
]
LowerM = Annotated[
    float | None,
    Query(description="Lower limit of the hypothetical activity's altitude band, metres AMSL (none: the surface)"),
]
UpperM = Annotated[
    float | None,
    Query(description="Upper limit of the hypothetical activity's altitude band, metres AMSL (none: unlimited)"),
]


@router.get("", responses=GEOJSON, response_class=GeoJSONResponse, openapi_extra=PUBLIC_VIEW)
def get_map(
    service: ServiceDep,
    _who: Public,
    actor: Actor,
    kind: Kind,
    at: str,
    attributes: Attributes = None,
    lower_m: LowerM = None,
    upper_m: UpperM = None,
    simplify: Annotated[
        Literal["display"] | None,
        Query(
            description="`display`: the outcome areas simplified together to 250 m (shared boundaries kept) "
            "for drawing; without it the exact map"
        ),
    ] = None,
) -> dict[str, Any]:
    """The region partitioned by outcome, one Feature per outcome with its km² and rules."""
    query = map_query(
        service.policy, API, actor=actor, kind=kind, attributes=attributes, lower_m=lower_m, upper_m=upper_m
    )
    found = decision_map_at(service.policy, query, TimeField(at, "at"), service.map_cache())
    return map_document(found, simplify, service.map_cache())


@router.get("/diff", responses=GEOJSON, response_class=GeoJSONResponse, openapi_extra=PUBLIC_VIEW)
def get_diff(
    service: ServiceDep,
    _who: Public,
    actor: Actor,
    kind: Kind,
    from_: Annotated[str, Query(alias="from", description="The earlier time or date")],
    to: Annotated[str, Query(description="The later time or date")],
    attributes: Attributes = None,
    lower_m: LowerM = None,
    upper_m: UpperM = None,
) -> dict[str, Any]:
    """Where the outcome changed between two times, one Feature per (before, after) pair."""
    query = map_query(
        service.policy, API, actor=actor, kind=kind, attributes=attributes, lower_m=lower_m, upper_m=upper_m
    )
    # both times are named `at` in messages, as they always were
    diff = map_diff(service.policy, query, TimeField(from_, "at"), TimeField(to, "at"), service.map_cache())
    return diff.geojson()
