"""`/reservations`: reserved requests as 4D volumes, and the conflicts between them."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from shapely.geometry import mapping

from ...formats.activity_geojson import read_activities
from ...model.errors import GeometryError
from ...model.time import format_time
from ...store import RequestRecord
from ...workflow.access import Principal
from ...workflow.reservations import Conflict, Volume, conflicts, volume_of
from ..deps import Allowed, get_service
from ..openapi import ERRORS, GEOJSON, GeoJSONResponse
from ..service import Service

router = APIRouter(prefix="/reservations", tags=["reservations"], responses=ERRORS)
ServiceDep = Annotated[Service, Depends(get_service)]
Reader = Annotated[Principal, Depends(Allowed("reservations.read"))]
RESERVED = "reserved"


@lru_cache(maxsize=4096)
def _volume(request_id: str, version: int, feature_json: str) -> Volume:
    activity = read_activities({"type": "FeatureCollection", "features": [json.loads(feature_json)]}).activities[0]
    return volume_of(activity, request_id)


def volume(record: RequestRecord) -> Volume:
    return _volume(record.id, record.version, json.dumps(record.feature, sort_keys=True))


def volumes(records: list[RequestRecord]) -> tuple[list[Volume], list[str]]:
    """The volumes of the records, and a warning for each record whose volume cannot be built
    (one bad record does not take the list down)."""
    found, warnings = [], []
    for record in records:
        try:
            found.append(volume(record))
        except GeometryError as exc:
            warnings.append(f"request `{record.id}`: {exc}")
    return found, warnings


def _reserved(service: Service) -> list[RequestRecord]:
    found, offset = [], 0
    while batch := service.store.list(state=RESERVED, limit=1000, offset=offset):
        found += batch
        offset += len(batch)
    return found


def _band(value: float) -> float | None:
    return None if abs(value) == float("inf") else value


def conflict_json(c: Conflict) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": mapping(c.overlap),
        "properties": {
            "a": c.a,
            "b": c.b,
            "start": format_time(c.start),
            "end": format_time(c.end),
            "lower_m": _band(c.lower_m),
            "upper_m": _band(c.upper_m),
            "area_km2": round(c.area_km2, 3) if c.area_km2 is not None else None,
        },
    }


def conflicts_with(service: Service, record: RequestRecord) -> list[dict[str, Any]]:
    """The conflicts between one reservation and the others."""
    found, _ = volumes(_reserved(service))
    return [conflict_json(c) for c in conflicts(found, service.screener.frame) if record.id in (c.a, c.b)]


@router.get("", responses=GEOJSON, response_class=GeoJSONResponse)
def list_reservations(service: ServiceDep, _who: Reader) -> dict[str, Any]:
    """Every reservation as a GeoJSON Feature: footprint (tracks as 5 NM corridors, points as 1 NM
    circles), altitude band and time window."""
    features = []
    records = {r.id: r for r in _reserved(service)}
    found, warnings = volumes(list(records.values()))
    for v in found:
        record = records[v.id]
        features.append(
            {
                "type": "Feature",
                "id": record.id,
                "geometry": mapping(v.footprint),
                "properties": {
                    "request": record.id,
                    "activity": record.activity_id,
                    "nation": record.nation,
                    "kind": record.kind,
                    "start": format_time(v.start),
                    "end": format_time(v.end),
                    "lower_m": _band(v.band[0]),
                    "upper_m": _band(v.band[1]),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features, **({"warnings": warnings} if warnings else {})}


@router.get("/conflicts", responses=GEOJSON, response_class=GeoJSONResponse)
def list_conflicts(service: ServiceDep, _who: Reader) -> dict[str, Any]:
    """Every pair of reservations that overlap in 2D, altitude and time, with the shared
    footprint, band and window."""
    volumes = [volume(r) for r in _reserved(service)]
    return {
        "type": "FeatureCollection",
        "features": [conflict_json(c) for c in conflicts(volumes, service.screener.frame)],
    }
