"""`/reservations`: reserved requests as 4D volumes, and the conflicts between them. Use cases:
`service.reservations` (`reservations_document`, `conflicts_document`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from ...service.context import Service
from ...service.reservations import conflicts_document, reservations_document
from ...workflow.access import Principal
from ..deps import Allowed, get_service
from ..openapi import ERRORS, GEOJSON, GeoJSONResponse

router = APIRouter(prefix="/reservations", tags=["reservations"], responses=ERRORS)
ServiceDep = Annotated[Service, Depends(get_service)]
Reader = Annotated[Principal, Depends(Allowed("reservations.read"))]


@router.get("", responses=GEOJSON, response_class=GeoJSONResponse)
def list_reservations(service: ServiceDep, _who: Reader) -> dict[str, Any]:
    """Every reservation as a GeoJSON Feature: footprint (tracks as 5 NM corridors, points as 1 NM
    circles), altitude band and time window."""
    return reservations_document(service)


@router.get("/conflicts", responses=GEOJSON, response_class=GeoJSONResponse)
def list_conflicts(service: ServiceDep, _who: Reader) -> dict[str, Any]:
    """Every pair of reservations that overlap in 2D, altitude and time, with the shared
    footprint, band and window."""
    return conflicts_document(service)
