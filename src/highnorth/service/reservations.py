"""Reservations as a use case: the volumes held (allocated, published, activated) as GeoJSON,
and their conflicts with each other and with the standing airspace (`service.airspace` does the
work; these are the names the faces call)."""

from __future__ import annotations

from typing import Any

from ..store import RequestRecord
from ..workflow.access import Principal
from .airspace import conflicts_document as _conflicts
from .airspace import request_volumes, volumes_document
from .context import Service

__all__ = ["conflicts_document", "conflicts_with", "reservations_document", "volume"]


def volume(service: Service, record: RequestRecord) -> None:
    """Check that the volumes a request books can be built (GeometryError otherwise)."""
    request_volumes(service, record)


def conflicts_with(service: Service, record: RequestRecord) -> list[dict[str, Any]]:
    """The conflicts of one request's volumes with the others and with the standing airspace."""
    return list(_conflicts(service, request_id=record.id)["features"])


def reservations_document(service: Service, who: Principal | None = None) -> dict[str, Any]:
    """Every held volume as a GeoJSON Feature (a requester: its own nation's)."""
    return volumes_document(service, who)


def conflicts_document(service: Service, who: Principal | None = None, *, standing: bool = True) -> dict[str, Any]:
    """Every conflict among the held volumes (and with the standing airspace)."""
    return _conflicts(service, who, standing=standing)
