"""The geometry stage: exact exposures of activities to zones.

Semantics (docs/semantics.md has the full statement):

- Zones are closed sets, widened by the tolerance: a point within `TOL_M` (1 m) of a zone's
  boundary is on it. A track that only grazes a boundary (never strictly inside, along it for
  less than the band's width and for less than `TOL_S`) is not exposed; a track running along
  the boundary is.
- Tracks: see track.py. Time varies linearly along each input segment (per-vertex `times`), or
  with geodesic distance over `[start, end]` when there are none; altitude linearly too.
- Areas are exposed to the zones they overlap (each overlapping part at least 1 m wide on
  average), points to the zones that contain them (boundary included), for the whole window.
- Exposures are cut at the zone's validity and at any times the caller gives (the decision
  stage's version boundaries); a track's cut pieces get their own exact entry points.
- For the decision stage, `exposed` (one activity) and `exposed_chunks` (many, a chunk of
  about `CHUNK_SEGMENTS` track vertices at a time, tracks through one kernel call) give each
  activity's exposures and its whole window cut at its timeline cuts, with its start point
  (`model.decision.Exposed`): the decision stage cuts nothing and reads no coordinates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from ...model.activity import Activity
from ...model.decision import Exposed, Exposure, Part
from ...model.time import UTC, Interval
from ..kernels import FastKernel, Kernel, ReferenceKernel, Segments
from ..tolerance import TOL_M
from ..zones.repair import as_area
from .index import ZoneIndex
from .track import Track, bands_overlap

__all__ = [
    "CHUNK_SEGMENTS",
    "cut_exposures",
    "exposed",
    "exposed_chunks",
    "exposures",
    "exposures_many",
    "start_point",
]

#: segments the fast kernel takes at once: bounds the working memory (about 150 bytes a segment)
CHUNK_SEGMENTS = 50_000

POINT = Part("point")


def exposures(activity: Activity, index: ZoneIndex, cuts: Iterable[dt.datetime] = ()) -> list[Exposure]:
    """Every exposure of one activity to the zones of `index`, cut at the zones' validity and at
    `cuts`, ordered by entry time and zone."""
    cuts = sorted(set(cuts))
    match activity.geometry.geom_type:
        case "LineString":
            found = _track(activity, index, cuts)
        case "Polygon" | "MultiPolygon" | "Point":
            found = _static(activity, index, cuts)
        case other:
            raise ValueError(f"activity `{activity.id}`: unsupported geometry type `{other}`")
    return _ordered(found)


def _at_seconds(start: dt.datetime, seconds: float) -> dt.datetime:
    """`start` plus `seconds`, rounded to the millisecond (tolerance is 1 s)."""
    return (start + dt.timedelta(milliseconds=round(seconds * 1000))).astimezone(UTC)


def _pieces(interval: Interval, validity: Interval | None, cuts: list[dt.datetime]) -> list[Interval]:
    """`interval` limited to `validity` and cut at `cuts`."""
    if validity is not None:
        limited = interval & validity
        if limited is None:
            return []
        interval = limited
    return interval.split(cuts)


def _track(activity: Activity, index: ZoneIndex, cuts: list[dt.datetime]) -> list[Exposure]:
    track = Track.of(activity, index.frame)
    found = ReferenceKernel(index).intervals(Segments.of([track], [activity.altitude]))
    return _track_exposures(activity, track, found.zone, found.ga, found.gb, index, cuts)


def exposed(activity: Activity, index: ZoneIndex, cuts: Iterable[dt.datetime]) -> Exposed:
    """What the decision stage needs of one activity: its exposures and its window, both cut at
    `cuts` (the activity's timeline cuts), and its start point."""
    cuts = sorted(set(cuts))
    return Exposed(tuple(exposures(activity, index, cuts)), tuple(activity.window.split(cuts)), start_point(activity))


def cut_exposures(activity: Activity, whole: Iterable[Exposure], cuts: Iterable[dt.datetime]) -> Exposed:
    """`exposed` from exposures found without cuts (`Screener.exposures`), or made up (decision
    maps): each cut at `cuts` keeping its places (the stage itself gives each piece of a track
    its own exact entry point)."""
    cuts = sorted(set(cuts))
    found = tuple(
        replace(e, enter=part.start, exit=part.end) for e in whole for part in Interval(e.enter, e.exit).split(cuts)
    )
    return Exposed(found, tuple(activity.window.split(cuts)), start_point(activity))


def start_point(activity: Activity) -> tuple[float, float]:
    """Where reasons about the activity as a whole point: a track's first vertex, an area's
    representative point, the point (lon, lat, rounded to 1e-7 degrees)."""
    geom = activity.geometry
    if geom.geom_type == "Point":
        pt = geom
    elif geom.geom_type.endswith("Polygon"):
        pt = geom.representative_point()
    else:
        x, y = geom.coords[0][:2]
        return (round(x, 7), round(y, 7))
    return (round(pt.x, 7), round(pt.y, 7))


def exposed_chunks(
    activities: Sequence[Activity],
    index: ZoneIndex,
    kernel: Kernel,
    cuts_of: Callable[[Activity], Iterable[dt.datetime]],
    *,
    chunk_segments: int = CHUNK_SEGMENTS,
) -> Iterator[list[tuple[Activity, Exposed]]]:
    """`exposed` for many activities, a chunk at a time in input order: each chunk ends at the
    activity where its tracks reach `chunk_segments` vertices, and its tracks go through
    `kernel` (over `index`) at once. A caller that handles each chunk before asking for the
    next keeps the memory bounded: the exposures of the whole input are never alive at once."""
    start, size = 0, 0
    for i, activity in enumerate(activities):
        if activity.geometry.geom_type == "LineString":
            size += len(activity.geometry.coords)
            if size >= chunk_segments:
                yield _chunk(activities[start : i + 1], index, kernel, cuts_of)
                start, size = i + 1, 0
    if start < len(activities):
        yield _chunk(activities[start:], index, kernel, cuts_of)


def exposures_many(
    activities: Sequence[Activity],
    index: ZoneIndex,
    cuts_of: Callable[[Activity], Iterable[dt.datetime]] = lambda a: (),
    *,
    kernel: Kernel | None = None,
    chunk_segments: int = CHUNK_SEGMENTS,
) -> list[list[Exposure]]:
    """Exposures of many activities, in input order, by `exposed_chunks` (with the fast kernel
    unless another is given): the same as `exposures` one by one."""
    kernel = kernel or FastKernel(index)
    chunks = exposed_chunks(activities, index, kernel, cuts_of, chunk_segments=chunk_segments)
    return [list(found.exposures) for chunk in chunks for _, found in chunk]


def _chunk(
    acts: Sequence[Activity], index: ZoneIndex, kernel: Kernel, cuts_of: Callable[[Activity], Iterable[dt.datetime]]
) -> list[tuple[Activity, Exposed]]:
    """Exposures of a chunk of activities: its tracks through the kernel at once, its areas
    projected at once, points one by one."""
    cuts = [sorted(set(cuts_of(a))) for a in acts]
    out: list[list[Exposure]] = [[] for _ in acts]
    kinds = [a.geometry.geom_type for a in acts]
    lines = [i for i, kind in enumerate(kinds) if kind == "LineString"]
    if lines:
        tracks = Track.many([acts[i] for i in lines], index.frame)
        found = kernel.intervals(Segments.of(tracks, [acts[i].altitude for i in lines]))
        order = np.argsort(found.track, kind="stable")
        bounds = np.searchsorted(found.track[order], np.arange(len(lines) + 1))
        for k, i in enumerate(lines):
            rows = order[bounds[k] : bounds[k + 1]]
            out[i] = _track_exposures(
                acts[i], tracks[k], found.zone[rows], found.ga[rows], found.gb[rows], index, cuts[i]
            )
    areas = [i for i, kind in enumerate(kinds) if kind in ("Polygon", "MultiPolygon")]
    for i, frame_geom in zip(areas, index.frame.polygons_to_frame([acts[i].geometry for i in areas]), strict=True):
        out[i] = _static(acts[i], index, cuts[i], frame_geom)
    for i, kind in enumerate(kinds):
        if kind not in ("LineString", "Polygon", "MultiPolygon"):
            out[i] = exposures(acts[i], index, cuts[i])
    return [
        (a, Exposed(tuple(_ordered(found)), tuple(a.window.split(c)), start_point(a)))
        for a, found, c in zip(acts, out, cuts, strict=True)
    ]


def _ordered(found: list[Exposure]) -> list[Exposure]:
    return sorted(found, key=lambda e: (e.enter, e.zone, e.exit))


def _track_exposures(
    activity: Activity,
    track: Track,
    zi: np.ndarray,
    ga: np.ndarray,
    gb: np.ndarray,
    index: ZoneIndex,
    cuts: list[dt.datetime],
) -> list[Exposure]:
    """Exposures from a track's intervals, cut at the zones' validity and at `cuts`."""
    if not len(zi):
        return []
    secs = track.sample(np.concatenate([ga, gb]))[2]
    pieces = []  # (zone, piece, start parameter, end parameter)
    for z, a, b, sa, sb in zip(zi, ga, gb, secs[: len(ga)], secs[len(ga) :], strict=True):
        zone = index.zones[z]
        enter, exit_ = _at_seconds(activity.start, sa), _at_seconds(activity.start, sb)
        for piece in _pieces(Interval(enter, exit_), zone.validity, cuts):
            # the piece's own parameters: exact entry and exit points after a time cut
            pa = a if piece.start == enter else max(a, track.param_at((piece.start - activity.start).total_seconds()))
            pb = b if piece.end == exit_ else min(b, track.param_at((piece.end - activity.start).total_seconds()))
            pieces.append((zone, piece, pa, pb))
    if not pieces:
        return []
    params = np.array([(pa, pb) for _, _, pa, pb in pieces]).T.ravel()
    lon, lat, _, alt, orig = track.sample(params)
    n = len(pieces)
    found = []
    for k, (zone, piece, pa, pb) in enumerate(pieces):
        if track.z is not None:
            lower, upper = track.altitudes(pa, pb, float(alt[k]), float(alt[n + k]))
        else:
            lower, upper = _band(activity)
        found.append(
            Exposure(
                zone=zone.id,
                enter=piece.start,
                exit=piece.end,
                where=(float(lon[k]), float(lat[k])),
                exit_where=(float(lon[n + k]), float(lat[n + k])),
                lower=lower,
                upper=upper,
                part=Part("track", float(orig[k]), float(orig[n + k])),
            )
        )
    return found


def _band(activity: Activity) -> tuple[float, float]:
    return activity.altitude if activity.altitude is not None else (-np.inf, np.inf)


def _static(
    activity: Activity, index: ZoneIndex, cuts: list[dt.datetime], area: BaseGeometry | None = None
) -> list[Exposure]:
    """Exposures of a point or an area (`area`: its geometry in the frame, when known): the
    whole window, for every zone it is in."""
    lower, upper = _band(activity)
    found = []
    hits = _point(activity, index) if activity.geometry.geom_type == "Point" else _area(activity, index, area)
    for zone_i, where, part in hits:
        if not bands_overlap((lower, upper), index.lower[zone_i : zone_i + 1], index.upper[zone_i : zone_i + 1])[0]:
            continue
        zone = index.zones[zone_i]
        for piece in _pieces(activity.window, zone.validity, cuts):
            found.append(
                Exposure(
                    zone=zone.id,
                    enter=piece.start,
                    exit=piece.end,
                    where=where,
                    exit_where=where,
                    lower=lower,
                    upper=upper,
                    part=part,
                )
            )
    return found


def _point(activity: Activity, index: ZoneIndex) -> list[tuple[int, tuple[float, float], Part]]:
    lon, lat = activity.geometry.x, activity.geometry.y
    x, y = index.frame.fwd(np.array([lon]), np.array([lat]))
    pt = shapely.Point(float(x[0]), float(y[0]))
    # inside a (prepared) zone, or within TOL_M of one of its edges
    boxed = index.tree.query(pt)
    inside = boxed[shapely.intersects_xy(index.geoms[boxed], x[0], y[0])]
    near = index.edge_zone[index.edge_tree.query(pt, predicate="dwithin", distance=TOL_M)]
    return [(int(i), (lon, lat), POINT) for i in np.unique(np.concatenate([inside, near]))]


def _area(
    activity: Activity, index: ZoneIndex, area: BaseGeometry | None = None
) -> list[tuple[int, tuple[float, float], Part]]:
    area = area if area is not None else index.frame.to_frame(activity.geometry)
    total = area.area
    found = []
    boxed = index.tree.query(area)
    hits = boxed[shapely.intersects(index.geoms[boxed], area)]  # the zones are prepared
    within = shapely.contains(index.geoms[hits], area)
    for i, whole in zip(hits, within, strict=True):
        # the overlap, computed against the zone clipped to the area's box (zones can have tens
        # of thousands of vertices); kept when at least TOL_M wide on average (not a sliver
        # along a shared boundary)
        if whole:
            overlap = area
        else:
            x0, y0, x1, y1 = area.bounds
            clipped = shapely.clip_by_rect(index.geoms[i], x0 - TOL_M, y0 - TOL_M, x1 + TOL_M, y1 + TOL_M)
            overlap = shapely.intersection(area, clipped)
        parts = [g for g in shapely.get_parts(as_area(overlap)) if g.area > 0 and 2 * g.area / g.length >= TOL_M]
        if not parts:
            continue
        overlap = parts[0] if len(parts) == 1 else shapely.union_all(parts)
        rp = overlap.representative_point()
        lon, lat = index.frame.inv(np.array([rp.x]), np.array([rp.y]))
        share = Part("area", share=100 * overlap.area / total) if total else Part("area")
        found.append((int(i), (round(float(lon[0]), 7), round(float(lat[0]), 7)), share))
    return found
