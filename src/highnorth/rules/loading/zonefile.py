"""The policy zone file (`<name>.zones.yaml`), both ways: an entry read into a `Zone` and a
`Zone` written as an entry. The shape is `schema.ZonesFile`; deriving and repairing the geometry
is zoneset.py's, writing the files formats/zones_yaml.py's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from shapely.geometry.base import BaseGeometry

from ...model.errors import FormatError
from ...model.time import EPOCH, FAR_FUTURE, Interval, format_time
from ...model.zone import VerticalLimit, Zone
from . import schema

__all__ = ["zone_entries", "zone_of"]


def zone_of(spec: schema.ZoneSpec, geometry: BaseGeometry, validity: Interval | None) -> Zone:
    """The zone an entry describes, with its geometry (lon/lat) and validity already read."""
    return Zone(
        id=spec.id,
        name=spec.name or spec.id,
        geometry=geometry,
        lower=VerticalLimit(spec.lower.value, spec.lower.ref) if spec.lower else VerticalLimit(0, "SFC"),
        upper=VerticalLimit(spec.upper.value, spec.upper.ref) if spec.upper else VerticalLimit(0, "UNL"),
        tags=frozenset(spec.tags),
        validity=validity,
        basis=spec.basis,
        source=spec.source,
        note=spec.note,
    )


def zone_entries(zones: Sequence[Zone], geometry_file: str) -> dict[str, Any]:
    """The zone file of `zones` whose geometry is feature `id` of `geometry_file`, checked against
    the schema: a zone id that is not a policy identifier, or a zone without a source, raises
    FormatError naming it."""
    data = {"zones": [_entry(z, geometry_file) for z in zones]}
    try:
        schema.ZonesFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        index = err["loc"][1] if len(err["loc"]) > 1 else 0
        zone_id = zones[index].id if isinstance(index, int) and index < len(zones) else "?"
        field = ".".join(str(p) for p in err["loc"][2:])
        raise FormatError(
            f"zone `{zone_id}`: `{field}`: {err['msg'][0].lower()}{err['msg'][1:]}, got `{err['input']}`"
        ) from None
    return data


def _limit(limit: VerticalLimit) -> dict[str, Any]:
    if limit.reference in ("SFC", "UNL"):
        return {"ref": limit.reference}
    return {"value": limit.value, "ref": limit.reference}


def _entry(zone: Zone, geometry_file: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": zone.id,
        "name": zone.name,
        "geometry": {"file": geometry_file, "select": {"id": zone.id}},
        "lower": _limit(zone.lower),
        "upper": _limit(zone.upper),
        "tags": sorted(zone.tags),
    }
    if zone.validity is not None:
        valid = {}
        if zone.validity.start > EPOCH:
            valid["from"] = format_time(zone.validity.start)
        if zone.validity.end < FAR_FUTURE:
            valid["until"] = format_time(zone.validity.end)
        entry["valid"] = valid
    entry["basis"] = zone.basis
    entry["source"] = zone.source
    if zone.note:
        entry["note"] = zone.note
    return entry
