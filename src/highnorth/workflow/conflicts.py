"""Exact conflicts between reserved volumes, and between a volume and the standing airspace.

Two volumes conflict when they share airspace of positive measure in all three dimensions at
once (docs/airspace.md, "Boundary semantics"):

- space: their footprints, in the working frame, overlap in an area thicker than `TOUCH_M`
  (1 mm; two polygons that share an edge, or whose edges are a float's breadth apart, touch);
- band: ``max(lowers) < min(uppers)``, in metres AMSL (`Volume.amsl_band`): a block that ends at
  FL95 and one that starts there are stacked, not in conflict;
- time: some window of one and some window of the other overlap, half-open: ``[08, 10)`` and
  ``[10, 12)`` hand over at 10:00.

Touching is not a conflict because airspace is booked as adjacent blocks (a training area split
in sectors, or vertically, or handed from one user to the next on the hour): calling the seams
conflicts would flag every well-formed plan. Any overlap, however thin (1 cm, 1 s), is a conflict.

Work: a coarse index first (an STRtree of the footprints' boxes in the frame), then the band and
the time envelopes of all candidate pairs at once (numpy), then each pair's windows, and the
exact intersection in the frame only for the pairs left.

>>> import datetime as dt, shapely
>>> from highnorth.geo.zones.projection import Frame
>>> from highnorth.workflow.reservations import Limit, Volume
>>> t = lambda h: dt.datetime(2025, 6, 1, h, tzinfo=dt.UTC)
>>> box = lambda x0, x1: {"type": "polygon", "coordinates": [[x0, 70], [x1, 70], [x1, 70.1], [x0, 70.1], [x0, 70]]}
>>> a = Volume("a", box(25, 25.2), Limit("AMSL", 0), Limit("AMSL", 3000), ((t(8), t(10)),))
>>> b = Volume("b", box(25.1, 25.3), Limit("AMSL", 2000), Limit("AMSL", 5000), ((t(9), t(12)),))
>>> c = Volume("c", box(25.1, 25.3), Limit("AMSL", 2000), Limit("AMSL", 5000), ((t(12), t(14)),))
>>> [(x.a, x.b, x.lower_m, x.upper_m, x.windows == ((t(9), t(10)),)) for x in conflicts([a, b, c], Frame(25, 70))]
[('a', 'b', 2000.0, 3000.0, True)]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from ..geo.zones.projection import Frame
from .reservations import Volume

__all__ = ["TOUCH_M", "Conflict", "Prepared", "conflicts", "prepare", "window_overlaps"]

#: an overlap thinner than this (twice its area over its perimeter, in metres) is a touch
TOUCH_M = 1e-3

Window = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class Conflict:
    """Two volumes that share airspace: where (the overlap in lon/lat, its area), which band and
    which time windows."""

    a: str
    b: str
    owner_a: str
    owner_b: str
    windows: tuple[Window, ...]
    lower_m: float
    upper_m: float
    overlap: BaseGeometry  # lon/lat
    area_km2: float

    @property
    def start(self) -> dt.datetime:
        return self.windows[0][0]

    @property
    def end(self) -> dt.datetime:
        return self.windows[-1][1]


@dataclass(frozen=True)
class Prepared:
    """Volumes made ready to compare: footprints in the frame, bands and time envelopes as arrays."""

    volumes: Sequence[Volume]
    frame: Frame
    shapes: np.ndarray  # frame geometries
    lower: np.ndarray
    upper: np.ndarray
    first: np.ndarray  # POSIX seconds of the first start and the last end
    last: np.ndarray
    standing: np.ndarray  # bool: a standing area, never compared with another standing one


def _seconds(t: dt.datetime) -> float:
    return t.timestamp()


def prepare(volumes: Sequence[Volume], frame: Frame, standing: Sequence[Volume] = ()) -> Prepared:
    """Project every footprint into the frame (one geodesic densification and projection call)."""
    every = [*volumes, *standing]
    shapes = np.array(frame.polygons_to_frame([v.footprint for v in every]), dtype=object)
    bands = np.array([v.amsl_band for v in every], dtype=float).reshape(-1, 2)
    first = np.array([_seconds(v.start) for v in every], dtype=float)
    last = np.array([_seconds(v.end) for v in every], dtype=float)
    flags = np.r_[np.zeros(len(volumes), bool), np.ones(len(standing), bool)]
    return Prepared(every, frame, shapes, bands[:, 0], bands[:, 1], first, last, flags)


def window_overlaps(a: Sequence[Window], b: Sequence[Window]) -> tuple[Window, ...]:
    """The non-empty intersections of two sorted lists of half-open windows, in order.

    >>> t = lambda h: dt.datetime(2025, 6, 1, h, tzinfo=dt.UTC)
    >>> window_overlaps([(t(8), t(10)), (t(12), t(14))], [(t(10), t(13))]) == ((t(12), t(13)),)
    True
    """
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] <= b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def _candidates(p: Prepared) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i < j) whose boxes meet, whose bands overlap and whose time envelopes overlap."""
    tree = shapely.STRtree(p.shapes)
    left, right = tree.query(p.shapes)
    keep = left < right
    left, right = left[keep], right[keep]
    keep = (
        (np.maximum(p.lower[left], p.lower[right]) < np.minimum(p.upper[left], p.upper[right]))
        & (np.maximum(p.first[left], p.first[right]) < np.minimum(p.last[left], p.last[right]))
        & ~(p.standing[left] & p.standing[right])
    )
    return left[keep], right[keep]


def conflicts(volumes: Sequence[Volume], frame: Frame, standing: Sequence[Volume] = ()) -> list[Conflict]:
    """Every conflict among `volumes` and between them and the `standing` areas, ordered by the
    pair's ids (within a pair, `a` < `b`)."""
    return conflicts_prepared(prepare(volumes, frame, standing))


def conflicts_prepared(p: Prepared) -> list[Conflict]:
    left, right = _candidates(p)
    vols = p.volumes
    pairs, shared = [], []
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        a, b = vols[i], vols[j]
        if len(a.windows) == 1 and len(b.windows) == 1:  # the envelope is the window
            windows: tuple[Window, ...] = ((max(a.start, b.start), min(a.end, b.end)),)
        else:
            windows = window_overlaps(a.windows, b.windows)
            if not windows:
                continue
        pairs.append((i, j))
        shared.append(windows)
    if not pairs:
        return []
    index = np.array(pairs)
    overlaps = shapely.intersection(p.shapes[index[:, 0]], p.shapes[index[:, 1]])
    area = shapely.area(overlaps)
    thick = 2 * area > TOUCH_M * np.maximum(shapely.length(overlaps), 1e-300)
    found = []
    for k in np.flatnonzero(thick).tolist():
        i, j = pairs[k]
        x, y = sorted((vols[i], vols[j]), key=lambda v: v.id)
        lower = max(p.lower[i], p.lower[j])
        upper = min(p.upper[i], p.upper[j])
        found.append(
            Conflict(
                x.id,
                y.id,
                x.owner,
                y.owner,
                shared[k],
                float(lower),
                float(upper),
                p.frame.to_lonlat(_polygonal(overlaps[k])),
                float(area[k]) / 1e6,
            )
        )
    return sorted(found, key=lambda c: (c.a, c.b))


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """The areal part of an intersection (a collection may carry touching lines and points)."""
    if geom.geom_type == "GeometryCollection":
        parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
        return shapely.union_all(parts)
    return geom
