"""`/zones`: the policy's zones (list, GeoJSON, one zone), and converting OpenAir or GeoJSON zone
files into a zone set a policy can include. Reading is public; importing is for airspace managers.

An import does not change the running policy: policies are versioned and immutable, so imported
zones enter through a new policy version (`highnorth policy validate`, then a restart). Use cases:
`service.zones`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from ...service.context import Service
from ...service.zones import export_zones, import_zone_body, zone_document, zone_list, zones_at
from ...workflow.access import Principal
from ..deps import Allowed, get_service
from ..openapi import ERRORS, GEOJSON, PUBLIC_VIEW, ZONE_FILE_BODY, GeoJSONResponse

router = APIRouter(prefix="/zones", tags=["zones"], responses=ERRORS)
ServiceDep = Annotated[Service, Depends(get_service)]
Public = Annotated[Principal, Depends(Allowed("public"))]
At = Annotated[str | None, Query(description="Only zones in force at this time or date")]


@router.get("", openapi_extra=PUBLIC_VIEW)
def list_zones(service: ServiceDep, _who: Public, at: At = None, tag: str | None = None) -> dict[str, Any]:
    """The zones with their vertical limits, tags, basis and source (no geometry)."""
    return zone_list(zones_at(service.policy, at, "at", tag))


@router.get("/geojson", responses=GEOJSON, response_class=GeoJSONResponse, openapi_extra=PUBLIC_VIEW)
def zones_geojson(
    service: ServiceDep,
    _who: Public,
    at: At = None,
    tag: str | None = None,
    format: Annotated[Literal["geojson", "ed318"], Query(description="GeoJSON, or ED-318 GeoZones")] = "geojson",
) -> dict[str, Any]:
    """The zones as a GeoJSON FeatureCollection, or as ED-318 GeoZones (`format=ed318`)."""
    return export_zones(zones_at(service.policy, at, "at", tag), format)


@router.get("/{zone_id}", responses=GEOJSON, response_class=GeoJSONResponse, openapi_extra=PUBLIC_VIEW)
def zone_feature(zone_id: str, service: ServiceDep, _who: Public) -> dict[str, Any]:
    """One zone as a GeoJSON FeatureCollection of one Feature."""
    return zone_document(service.policy, zone_id)


@router.post("/import", openapi_extra=ZONE_FILE_BODY)
async def import_zones(
    request: Request,
    _who: Annotated[Principal, Depends(Allowed("zones.import"))],
    format: Annotated[Literal["openair", "geojson", "ed269", "ed318"], Query(description="The format of the body")],
    name: Annotated[str, Query(pattern=r"^[A-Za-z0-9._-]{1,64}$", description="Name of the zone set")] = "imported",
    source: Annotated[str, Query(max_length=500, description="Source recorded on every zone")] = "",
) -> dict[str, Any]:
    """Convert an OpenAir, GeoJSON, ED-269 or ED-318 body into a zone set: the zone file (YAML) and its geometry
    (GeoJSON), with every repair as a warning. The running policy is not changed."""
    body = await request.body()
    return await run_in_threadpool(import_zone_body, body, format, name, source or f"{name} ({format})")
