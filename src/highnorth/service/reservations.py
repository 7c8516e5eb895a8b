"""Reservations as a use case: reserved requests as 4D volumes (GeoJSON), and the conflicts
between them. The reserved requests come from one store query; a volume is built from the stored
activity once per (request id, version) and kept in the service's cache, so listing reservations
reads no activity that was read before."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shapely.geometry import mapping

from ..formats.activity_geojson import read_activities
from ..model.errors import GeometryError
from ..model.time import format_time
from ..store import RequestRecord, ReservedRequest
from ..workflow.reservations import Conflict, Volume, conflicts, volume_of
from .context import Service

__all__ = ["conflicts_document", "conflicts_with", "reservations_document", "volume"]


def volume(
    service: Service, record: RequestRecord | ReservedRequest, feature: Mapping[str, Any] | None = None
) -> Volume:
    """The volume a request reserves (built once per submitted activity, which its input hash
    names: the version changes with every action, the activity never; GeometryError when its
    footprint cannot be built)."""

    def make() -> Volume:
        source = feature if feature is not None else getattr(record, "feature", None)
        if source is None:
            source = service.store.features([record.id])[record.id]
        activity = read_activities({"type": "FeatureCollection", "features": [source]}).activities[0]
        return volume_of(activity, record.id)

    return service.volumes.get_or_make((record.id, record.input_hash), make)


def _unread(service: Service, records: Sequence[ReservedRequest]) -> dict[str, Mapping[str, Any]]:
    """The stored activities of the records whose volume is not cached yet, in one query."""
    missing = [r.id for r in records if (r.id, r.input_hash) not in service.volumes]
    return service.store.features(missing) if missing else {}


def _volumes(service: Service, records: Sequence[ReservedRequest]) -> tuple[list[Volume], list[str]]:
    """The volumes of the records, and a warning for each record whose volume cannot be built
    (one bad record does not take the list down)."""
    features = _unread(service, records)
    found, warnings = [], []
    for record in records:
        try:
            found.append(volume(service, record, features.get(record.id)))
        except GeometryError as exc:
            warnings.append(f"request `{record.id}`: {exc}")
    return found, warnings


def _band(value: float) -> float | None:
    return None if abs(value) == float("inf") else value


def conflict_feature(c: Conflict) -> dict[str, Any]:
    """One conflict as a GeoJSON Feature: the shared footprint, band and window."""
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
    """The conflicts between one reservation and the others, as GeoJSON Features."""
    found, _ = _volumes(service, service.store.reserved())
    return [conflict_feature(c) for c in conflicts(found, service.screener.frame) if record.id in (c.a, c.b)]


def reservations_document(service: Service) -> dict[str, Any]:
    """Every reservation as a GeoJSON Feature: footprint (tracks as 5 NM corridors, points as 1 NM
    circles), altitude band and time window; a warning for each that cannot be built."""
    records = {r.id: r for r in service.store.reserved()}
    found, warnings = _volumes(service, list(records.values()))
    features = []
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


def conflicts_document(service: Service) -> dict[str, Any]:
    """Every pair of reservations that overlap in 2D, altitude and time."""
    records = service.store.reserved()
    features = _unread(service, records)
    found = [volume(service, r, features.get(r.id)) for r in records]  # unlike the list, raises for a bad one
    return {
        "type": "FeatureCollection",
        "features": [conflict_feature(c) for c in conflicts(found, service.screener.frame)],
    }
