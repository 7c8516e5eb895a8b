"""`/zones`: the policy's zones (list, GeoJSON, one zone), and converting OpenAir or GeoJSON zone
files into a zone set a policy can include. Reading is public; importing is for airspace managers.

An import does not change the running policy: policies are versioned and immutable, so imported
zones enter through a new policy version (`highnorth policy validate`, then a restart).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from ...formats.openair import read_openair
from ...formats.zones_geojson import limit_text, read_zones_geojson, write_zones_geojson
from ...formats.zones_yaml import write_zone_set
from ...model.errors import FormatError, InputError, NotFoundError, did_you_mean
from ...model.zone import Zone
from ...workflow.access import Principal
from ..deps import Allowed, get_service
from ..openapi import ERRORS, GEOJSON, ZONE_FILE_BODY, GeoJSONResponse
from ..service import Service, parse_json, query_time

router = APIRouter(prefix="/zones", tags=["zones"], responses=ERRORS)
ServiceDep = Annotated[Service, Depends(get_service)]
Public = Annotated[Principal, Depends(Allowed("public"))]
At = Annotated[str | None, Query(description="Only zones in force at this time or date")]


def _zones(service: Service, at: str | None, tag: str | None = None) -> list[Zone]:
    when = query_time(at, "at", service.policy)
    return [
        z
        for z in service.policy.zones.values()
        if (when is None or z.in_force_at(when)) and (tag is None or tag in z.tags)
    ]


@router.get("")
def list_zones(service: ServiceDep, _who: Public, at: At = None, tag: str | None = None) -> dict[str, Any]:
    """The zones with their vertical limits, tags, basis and source (no geometry)."""
    return {
        "zones": [
            {
                "id": z.id,
                "name": z.name,
                "lower": limit_text(z.lower),
                "upper": limit_text(z.upper),
                "tags": sorted(z.tags),
                "basis": z.basis,
                "source": z.source,
            }
            for z in _zones(service, at, tag)
        ]
    }


@router.get("/geojson", responses=GEOJSON, response_class=GeoJSONResponse)
def zones_geojson(service: ServiceDep, _who: Public, at: At = None, tag: str | None = None) -> dict[str, Any]:
    """The zones as a GeoJSON FeatureCollection."""
    return write_zones_geojson(_zones(service, at, tag))


@router.get("/{zone_id}", responses=GEOJSON, response_class=GeoJSONResponse)
def zone_feature(zone_id: str, service: ServiceDep, _who: Public) -> dict[str, Any]:
    """One zone as a GeoJSON FeatureCollection of one Feature."""
    zones = service.policy.zones
    if zone_id not in zones:
        raise NotFoundError(f"no zone `{zone_id}`{did_you_mean(zone_id, zones)}")
    return write_zones_geojson([zones[zone_id]])


@router.post("/import", openapi_extra=ZONE_FILE_BODY)
async def import_zones(
    request: Request,
    _who: Annotated[Principal, Depends(Allowed("zones.import"))],
    format: Annotated[Literal["openair", "geojson"], Query(description="The format of the body")],
    name: Annotated[str, Query(pattern=r"^[A-Za-z0-9._-]{1,64}$", description="Name of the zone set")] = "imported",
    source: Annotated[str, Query(max_length=500, description="Source recorded on every zone")] = "",
) -> dict[str, Any]:
    """Convert an OpenAir or GeoJSON body into a zone set: the zone file (YAML) and its geometry
    (GeoJSON), with every repair as a warning. The running policy is not changed."""
    body = await request.body()
    return await run_in_threadpool(_import, body, format, name, source or f"{name} ({format})")


def _import(body: bytes, fmt: str, name: str, source: str) -> dict[str, Any]:
    if fmt == "openair":
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = body.decode("latin-1")  # many OpenAir files are Latin-1
        zones, warnings = read_openair(text, source=source)
    else:
        doc = parse_json(body)
        if not isinstance(doc, dict):
            raise InputError("body: expected a GeoJSON FeatureCollection")
        zones, warnings = read_zones_geojson(doc, source=source)
    if not zones:
        raise FormatError(
            f"body: no zones found (read as {fmt}); expected OpenAir AC/AN/DP records or GeoJSON polygons"
        )
    with tempfile.TemporaryDirectory(prefix="highnorth-import-") as tmp:
        path = write_zone_set(zones, Path(tmp), name=name)
        zone_file = path.read_text(encoding="utf-8")
        geometry = json.loads((Path(tmp) / f"{name}.geojson").read_text(encoding="utf-8"))
    return {"zones": len(zones), "warnings": warnings, "zone_file": zone_file, "geometry": geometry}
