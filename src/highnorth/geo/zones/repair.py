"""Validation and repair of input geometry: repaired with a warning, or rejected, per a flag."""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from ...model.errors import GeometryError

__all__ = ["as_area", "check_lonlat", "repair"]


def check_lonlat(geom: BaseGeometry) -> str | None:
    """A message when a coordinate is outside lon [-180, 180] or lat [-90, 90], else None."""
    coords = shapely.get_coordinates(geom)
    if len(coords) == 0:
        return None
    finite = np.isfinite(coords).all(axis=1)
    if not finite.all():
        i = int((~finite).argmax())
        return f"coordinate {i}: `{coords[i].tolist()}` is not a finite number"
    bad_lon = (coords[:, 0] < -180) | (coords[:, 0] > 180)
    bad_lat = (coords[:, 1] < -90) | (coords[:, 1] > 90)
    for mask, what, lo, hi in ((bad_lon, "longitude", -180, 180), (bad_lat, "latitude", -90, 90)):
        if mask.any():
            i = int(mask.argmax())
            value = coords[i, 0 if what == "longitude" else 1]
            swapped = what == "latitude" and -90 <= coords[i, 0] <= 90 and -180 <= coords[i, 1] <= 180
            hint = "; are longitude and latitude swapped?" if swapped else ""
            return f"coordinate {i}: {what} `{value:g}` is outside [{lo}, {hi}]{hint}"
    return None


def as_area(geom: BaseGeometry) -> BaseGeometry:
    """The polygonal part of a geometry (what `make_valid` may have mixed with lines and points)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return shapely.MultiPolygon()
    return shapely.union_all(parts)


def repair(geom: BaseGeometry, what: str, *, allow: bool = True) -> tuple[BaseGeometry, str | None]:
    """`geom` if valid; else its repair (`make_valid`, keeping the polygonal part) and a warning.

    With `allow` false an invalid geometry raises GeometryError naming `what` and the defect.

    >>> bowtie = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    >>> fixed, warning = repair(bowtie, "zone `x`")
    >>> fixed.geom_type, round(fixed.area, 2), warning.split(":")[0]
    ('MultiPolygon', 0.5, 'zone `x`')
    """
    if geom.is_valid:
        return geom, None
    reason = explain_validity(geom)
    if not allow:
        raise GeometryError(f"{what}: invalid geometry ({reason}); repair was not allowed")
    before = geom.area
    fixed = (
        as_area(shapely.make_valid(geom))
        if geom.area or geom.geom_type.endswith("Polygon")
        else shapely.make_valid(geom)
    )
    if fixed.is_empty:
        raise GeometryError(f"{what}: invalid geometry ({reason}) could not be repaired")
    change = f"; area {before:.6g} -> {fixed.area:.6g} deg²" if before else ""
    return fixed, f"{what}: repaired invalid geometry ({reason}){change}"
