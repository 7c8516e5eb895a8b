"""`/reservations`: the volumes held (allocated, published, activated), and the conflicts between them. Use cases:
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
def list_reservations(
    service: ServiceDep, who: Annotated[Principal, Depends(Allowed("request.read"))]
) -> dict[str, Any]:
    """Every held volume (allocated, published, activated) as a GeoJSON Feature: footprint, band
    (as given and in metres AMSL), windows, request, state. A requester sees its own nation's."""
    return reservations_document(service, who)


@router.get("/conflicts", responses=GEOJSON, response_class=GeoJSONResponse)
def list_conflicts(service: ServiceDep, who: Reader) -> dict[str, Any]:
    """Every pair of held volumes that share airspace, and every held volume that shares it with
    the standing airspace: the overlap and its area, the shared band and windows."""
    return conflicts_document(service, who)
