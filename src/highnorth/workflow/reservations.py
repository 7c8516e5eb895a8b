"""Reservations: approved activities as 4D volumes, and the conflicts between them.

A volume is a footprint (WGS84), an altitude band (metres AMSL, ``[lower, upper]``) and a time
window (half-open ``[start, end)``). Two volumes conflict when their footprints share area, their
bands overlap by more than nothing, and their windows overlap (DESIGN.md §2).

Footprints: an area is itself; a track or route is a corridor `CORRIDOR_M` either side of it; a
point (a port call, a fixed site) is a circle of `POINT_RADIUS_M`. Both widths are the
deconfliction buffers an airspace manager would apply by default (5 NM lateral separation; one
nautical mile around a berth or site), chosen here and stated in docs/api.md.

>>> import datetime as dt, shapely
>>> t = lambda h: dt.datetime(2025, 6, 1, h, tzinfo=dt.UTC)
>>> a = Volume("a", shapely.box(25, 70, 26, 71), (0, 3000), t(8), t(10))
>>> b = Volume("b", shapely.box(25.5, 70.5, 27, 72), (2000, 5000), t(9), t(12))
>>> c = Volume("c", shapely.box(25.5, 70.5, 27, 72), (2000, 5000), t(12), t(14))  # after b: half-open
>>> [(x.a, x.b, x.lower_m, x.upper_m) for x in conflicts([a, b, c], frame=None)]
[('a', 'b', 2000.0, 3000.0)]
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from ..geo.zones.projection import Frame, geodesic_buffer, geodesic_circle
from ..model.activity import Activity
from ..model.errors import GeometryError

__all__ = ["CORRIDOR_M", "POINT_RADIUS_M", "Conflict", "Volume", "conflicts", "volume_of"]

CORRIDOR_M = 9_260.0  # 5 NM either side of a track or route
POINT_RADIUS_M = 1_852.0  # 1 NM around a point


@dataclass(frozen=True)
class Volume:
    """One reservation's 4D volume."""

    id: str
    footprint: BaseGeometry
    band: tuple[float, float]
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class Conflict:
    """Two reservations that overlap in 2D, altitude and time; what they share."""

    a: str
    b: str
    start: dt.datetime
    end: dt.datetime
    lower_m: float
    upper_m: float
    overlap: BaseGeometry  # WGS84
    area_km2: float | None


def volume_of(activity: Activity, reservation_id: str) -> Volume:
    """The volume an activity reserves; GeometryError when its footprint cannot be built (a track
    across the antimeridian or over a pole, which highnorth's regional frames do not handle)."""
    geom = activity.geometry
    try:
        if geom.geom_type == "Point":
            footprint = geodesic_circle(geom.x, geom.y, POINT_RADIUS_M)
        elif geom.geom_type == "LineString":
            footprint = geodesic_buffer(shapely.force_2d(geom), CORRIDOR_M)
        else:
            footprint = shapely.force_2d(geom)
        valid = footprint.is_valid and not footprint.is_empty
    except (shapely.errors.GEOSException, ValueError) as exc:
        raise GeometryError(f"activity `{activity.id}`: its footprint cannot be built: {exc}") from None
    if not valid:
        raise GeometryError(
            f"activity `{activity.id}`: its footprint is not a valid area (across the antimeridian or a pole?)"
        )
    return Volume(reservation_id, footprint, _band(activity), activity.start, activity.end)


def _band(activity: Activity) -> tuple[float, float]:
    if activity.altitude is not None:
        return (float(activity.altitude[0]), float(activity.altitude[1]))
    geom = activity.geometry
    if geom.geom_type == "LineString" and geom.has_z:
        z = np.asarray(geom.coords)[:, 2]
        return (float(z.min()), float(z.max()))
    return (-math.inf, math.inf)  # surface to unlimited


def conflicts(volumes: Sequence[Volume], frame: Frame | None) -> list[Conflict]:
    """Every pair of volumes that conflict, ordered by the pair's ids. Areas are measured in
    `frame` (km²); without a frame they are not measured."""
    if len(volumes) < 2:
        return []
    tree = shapely.STRtree([v.footprint for v in volumes])
    left, right = tree.query([v.footprint for v in volumes], predicate="intersects")
    found = []
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j:
            continue
        a, b = volumes[i], volumes[j]
        start, end = max(a.start, b.start), min(a.end, b.end)
        lower, upper = max(a.band[0], b.band[0]), min(a.band[1], b.band[1])
        if start >= end or lower >= upper:
            continue
        overlap = shapely.intersection(a.footprint, b.footprint)
        if overlap.is_empty or overlap.area == 0:
            continue  # touching footprints share no airspace
        area = frame.area_km2(overlap) if frame is not None else None
        x, y = sorted((a, b), key=lambda v: v.id)
        found.append(Conflict(x.id, y.id, start, end, float(lower), float(upper), overlap, area))
    return sorted(found, key=lambda c: (c.a, c.b))
