"""The geometry stage: exact exposures of activities to zones, vectorised over segments.

Semantics (docs/semantics.md has the full statement):

- Zones are closed sets. A track that only touches a zone's boundary at one instant is not
  exposed to it; a track running along the boundary is.
- Track crossings are exact per segment: every segment is intersected with every zone edge near
  it (an STRtree over edges), the segment is cut at the crossing parameters, and each piece is
  tested at its midpoint. A segment whose ends are both outside a zone but which passes through
  it is caught.
- Altitude varies linearly along a segment, so the vertical limits cut the piece exactly.
- Time varies linearly along each input segment (per-vertex `times`), or with geodesic distance
  over `[start, end]` when there are none.
- Areas are exposed to the zones they overlap with positive area, points to the zones that
  contain them (boundary included); both for the whole activity window.
- Tolerance: a point within `TOL_M` (1 m) of a zone's boundary is on it, so inside. An
  exposure that is never strictly inside and is shorter than 1 m and 1 s only touches the
  boundary and is dropped; an area overlap thinner than 1 m on average is a shared edge.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from ..model.activity import Activity
from ..model.decision import Exposure
from ..model.time import UTC, Interval
from ..model.zone import Zone
from .projection import Frame, densify_lonlat, geodesic_length_m

__all__ = ["ZoneIndex", "exposures", "track_times"]

EPS = 1e-12
#: horizontal tolerance in metres: points this close to a zone's boundary are on it
TOL_M = 1.0
#: time tolerance in seconds
TOL_S = 1.0


@dataclass
class ZoneIndex:
    """Zones prepared for the geometry stage: projected, indexed, with their edges as arrays."""

    zones: Sequence[Zone]
    frame: Frame
    geoms: np.ndarray = field(init=False)
    tree: shapely.STRtree = field(init=False)
    edges: np.ndarray = field(init=False)  # (n, 4): x1 y1 x2 y2
    edge_zone: np.ndarray = field(init=False)
    edge_tree: shapely.STRtree = field(init=False)
    lower: np.ndarray = field(init=False)
    upper: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.geoms = np.array([self.frame.to_frame(z.geometry) for z in self.zones], dtype=object)
        shapely.prepare(self.geoms)
        self.tree = shapely.STRtree(self.geoms)
        edges, owners = [], []
        for i, geom in enumerate(self.geoms):
            for ring in _rings(geom):
                xy = shapely.get_coordinates(ring)
                if len(xy) >= 2:
                    edges.append(np.column_stack([xy[:-1], xy[1:]]))
                    owners.append(np.full(len(xy) - 1, i))
        self.edges = np.concatenate(edges) if edges else np.zeros((0, 4))
        self.edge_zone = np.concatenate(owners) if owners else np.zeros(0, dtype=int)
        self.edge_tree = shapely.STRtree(shapely.linestrings(self.edges.reshape(-1, 2, 2)) if len(self.edges) else [])
        self.lower = np.array([z.band[0] for z in self.zones])
        self.upper = np.array([z.band[1] for z in self.zones])

    def ids(self) -> list[str]:
        return [z.id for z in self.zones]


def _rings(geom: BaseGeometry) -> list[BaseGeometry]:
    out = []
    for poly in shapely.get_parts(geom):
        if poly.geom_type != "Polygon":
            continue
        out.append(poly.exterior)
        out.extend(poly.interiors)
    return out


def track_times(activity: Activity, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Seconds since the activity's start at each vertex: the given `times`, or constant speed."""
    if activity.times is not None:
        return np.array([(t - activity.start).total_seconds() for t in activity.times])
    total = (activity.end - activity.start).total_seconds()
    lengths = geodesic_length_m(lon, lat)
    run = np.concatenate([[0.0], np.cumsum(lengths)])
    if run[-1] <= 0:
        return np.linspace(0.0, total, len(lon))
    return run / run[-1] * total


def exposures(activity: Activity, index: ZoneIndex) -> list[Exposure]:
    """Every exposure of one activity to the zones of `index`, ordered by entry time and zone."""
    geom = activity.geometry
    match geom.geom_type:
        case "LineString":
            found = _track(activity, index)
        case "Polygon" | "MultiPolygon":
            found = _area(activity, index)
        case "Point":
            found = _point(activity, index)
        case other:
            raise ValueError(f"activity `{activity.id}`: unsupported geometry type `{other}`")
    validity = {z.id: z.validity for z in index.zones if z.validity is not None}
    if validity:
        found = [c for e in found if (c := _within_validity(e, validity.get(e.zone)))]
    return sorted(found, key=lambda e: (e.enter, e.zone, e.exit))


def _within_validity(exposure: Exposure, validity: Interval | None) -> Exposure | None:
    """The exposure cut to the zone's validity; None when they do not overlap.

    A cut exposure keeps its entry point; its times are the cut times.
    """
    if validity is None:
        return exposure
    cut = Interval(exposure.enter, exposure.exit) & validity
    if cut is None:
        return None
    return replace(exposure, enter=cut.start, exit=cut.end)


def _band(activity: Activity) -> tuple[float, float]:
    return activity.altitude if activity.altitude is not None else (-np.inf, np.inf)


def _bands_overlap(a: tuple[float, float], b_lower: np.ndarray, b_upper: np.ndarray) -> np.ndarray:
    """Positive overlap of vertical bands; a band of one altitude needs only to lie within."""
    lo = np.maximum(a[0], b_lower)
    hi = np.minimum(a[1], b_upper)
    if a[0] == a[1]:
        return lo <= hi
    return lo < hi


def _point(activity: Activity, index: ZoneIndex) -> list[Exposure]:
    lon, lat = activity.geometry.x, activity.geometry.y
    x, y = index.frame.fwd(np.array([lon]), np.array([lat]))
    pt = shapely.Point(float(x[0]), float(y[0]))
    # inside a (prepared) zone, or within TOL_M of one of its edges
    boxed = index.tree.query(pt)
    inside = boxed[shapely.intersects_xy(index.geoms[boxed], x[0], y[0])]
    near = index.edge_zone[index.edge_tree.query(pt, predicate="dwithin", distance=TOL_M)]
    hits = np.unique(np.concatenate([inside, near])).astype(int)
    hits = hits[_bands_overlap(_band(activity), index.lower[hits], index.upper[hits])]
    lower, upper = _band(activity)
    return [
        Exposure(
            zone=index.zones[i].id,
            enter=activity.start,
            exit=activity.end,
            where=(lon, lat),
            exit_where=(lon, lat),
            lower=lower,
            upper=upper,
            part="point",
        )
        for i in hits
    ]


def _area(activity: Activity, index: ZoneIndex) -> list[Exposure]:
    area = index.frame.to_frame(activity.geometry)
    hits = index.tree.query(area, predicate="intersects")
    hits = hits[_bands_overlap(_band(activity), index.lower[hits], index.upper[hits])]
    lower, upper = _band(activity)
    found = []
    total = area.area
    for i in hits:
        part = shapely.intersection(area, index.geoms[i])
        if part.area <= 0 or 2 * part.area / part.length < TOL_M:
            continue  # no overlap, or only a sliver along a shared boundary (mean width < TOL_M)
        rp = part.representative_point()
        lon, lat = index.frame.inv(np.array([rp.x]), np.array([rp.y]))
        where = (round(float(lon[0]), 7), round(float(lat[0]), 7))
        found.append(
            Exposure(
                zone=index.zones[i].id,
                enter=activity.start,
                exit=activity.end,
                where=where,
                exit_where=where,
                lower=lower,
                upper=upper,
                part=f"area {100 * part.area / total:.1f}%" if total else "area",
            )
        )
    return found


def _track(activity: Activity, index: ZoneIndex) -> list[Exposure]:
    coords = np.asarray(activity.geometry.coords, dtype=float)
    lon0, lat0 = coords[:, 0], coords[:, 1]
    seconds0 = track_times(activity, lon0, lat0)
    has_z = coords.shape[1] == 3
    lon, lat, param = densify_lonlat(lon0, lat0)
    seconds = np.interp(param, np.arange(len(lon0)), seconds0)
    if has_z:
        z = np.interp(param, np.arange(len(lon0)), coords[:, 2])
    x, y = index.frame.fwd(lon, lat)
    n = len(x) - 1
    if n < 1:
        return []
    p = np.column_stack([x[:-1], y[:-1]])
    q = np.column_stack([x[1:], y[1:]])
    segs = shapely.linestrings(np.stack([p, q], axis=1))

    # 1. candidate (segment, zone) pairs: bounding boxes meet (cheap), or an edge is near
    seg_i, zone_i = index.tree.query(segs)
    es, ee = index.edge_tree.query(segs, predicate="dwithin", distance=TOL_M)
    nz = len(index.zones)
    near_key = es * nz + index.edge_zone[ee]
    pair_key = np.unique(np.concatenate([seg_i * nz + zone_i, near_key]))
    if len(pair_key) == 0:
        return []

    # 2. crossing parameters of segments with the zone edges near them
    ts_row, ts_val = _crossings(p[es], q[es], index.edges[ee])
    keys = near_key[ts_row]

    # 3. cut each candidate pair at 0, 1 and its crossings; test each piece at its midpoint:
    #    inside the (prepared) polygon, or within TOL_M of one of the zone's edges near the segment
    all_key = np.concatenate([pair_key, pair_key, keys])
    all_t = np.concatenate([np.zeros(len(pair_key)), np.ones(len(pair_key)), np.clip(ts_val, 0.0, 1.0)])
    order = np.lexsort((all_t, all_key))
    all_key, all_t = all_key[order], all_t[order]
    same = all_key[1:] == all_key[:-1]
    a_t, b_t, k = all_t[:-1][same], all_t[1:][same], all_key[:-1][same]
    piece = b_t - a_t > EPS
    a_t, b_t, k = a_t[piece], b_t[piece], k[piece]
    s, zi = k // nz, k % nz
    mid = (a_t + b_t) / 2
    mx = p[s, 0] + (q[s, 0] - p[s, 0]) * mid
    my = p[s, 1] + (q[s, 1] - p[s, 1]) * mid
    on_edge = _near_edges(k, mx, my, near_key, index.edges[ee])
    strict = shapely.intersects_xy(index.geoms[zi], mx, my) & ~on_edge
    inside = strict | on_edge
    a_t, b_t, s, zi, strict = a_t[inside], b_t[inside], s[inside], zi[inside], strict[inside]

    # 4. vertical limits: altitude is linear along the segment
    if has_z:
        z0, z1 = z[s], z[s + 1]
        lo_t, hi_t = _vertical_cut(z0, z1, index.lower[zi], index.upper[zi])
        a_t, b_t = np.maximum(a_t, lo_t), np.minimum(b_t, hi_t)
        ok = b_t - a_t > EPS
    else:
        ok = _bands_overlap(_band(activity), index.lower[zi], index.upper[zi])
    a_t, b_t, s, zi, strict = a_t[ok], b_t[ok], s[ok], zi[ok], strict[ok]

    # 5. merge touching pieces per zone into exposures, in global parameter; drop the ones that
    #    only touch the boundary (never strictly inside, shorter than TOL_M and than TOL_S)
    ga, gb = s + a_t, s + b_t
    seg_len = np.hypot(q[:, 0] - p[:, 0], q[:, 1] - p[:, 1])
    length = seg_len[s] * (b_t - a_t)
    duration = (seconds[s + 1] - seconds[s]) * (b_t - a_t)
    order = np.lexsort((ga, zi))
    ga, gb, zi, strict, length, duration = (v[order] for v in (ga, gb, zi, strict, length, duration))
    found: list[Exposure] = []
    i = 0
    while i < len(ga):
        j = i
        end = gb[i]
        while j + 1 < len(ga) and zi[j + 1] == zi[i] and ga[j + 1] <= end + 1e-9:
            j += 1
            end = max(end, gb[j])
        real = strict[i : j + 1].any() or length[i : j + 1].sum() >= TOL_M or duration[i : j + 1].sum() >= TOL_S
        if real:
            found.append(_exposure(activity, index, int(zi[i]), ga[i], end, x, y, seconds, param, z if has_z else None))
        i = j + 1
    return found


def _near_edges(keys: np.ndarray, x: np.ndarray, y: np.ndarray, edge_keys: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """For each point (x, y) with its (segment, zone) key, whether it lies within TOL_M of one of
    the edges listed for the same key (`edge_keys`, `edges` as x1 y1 x2 y2)."""
    out = np.zeros(len(keys), dtype=bool)
    if len(edge_keys) == 0 or len(keys) == 0:
        return out
    order = np.argsort(edge_keys, kind="stable")
    sk, se = edge_keys[order], edges[order]
    lo = np.searchsorted(sk, keys, side="left")
    hi = np.searchsorted(sk, keys, side="right")
    counts = hi - lo
    has = counts > 0
    if not has.any():
        return out
    owner = np.repeat(np.nonzero(has)[0], counts[has])
    starts = np.repeat(lo[has], counts[has])
    offset = np.arange(len(owner)) - np.repeat(np.cumsum(counts[has]) - counts[has], counts[has])
    e = se[starts + offset]
    ax, ay, bx, by = e[:, 0], e[:, 1], e[:, 2], e[:, 3]
    px, py = x[owner], y[owner]
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.clip(np.where(length2 > 0, ((px - ax) * dx + (py - ay) * dy) / length2, 0.0), 0.0, 1.0)
    dist = np.hypot(ax + t * dx - px, ay + t * dy - py)
    near = np.zeros(len(keys), dtype=bool)
    np.logical_or.at(near, owner, dist <= TOL_M)
    return near


def _crossings(p: np.ndarray, q: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Parameters t on segments p->q where they meet edges e (x1, y1, x2, y2).

    Returns (row, t) for every meeting: proper and touching crossings, and for collinear
    overlaps the parameters of the overlap's ends.
    """
    r = q - p
    a = e[:, 0:2]
    sv = e[:, 2:4] - a
    denom = r[:, 0] * sv[:, 1] - r[:, 1] * sv[:, 0]
    ap = a - p
    cross_ap_s = ap[:, 0] * sv[:, 1] - ap[:, 1] * sv[:, 0]
    cross_ap_r = ap[:, 0] * r[:, 1] - ap[:, 1] * r[:, 0]
    scale = np.hypot(r[:, 0], r[:, 1]) * np.hypot(sv[:, 0], sv[:, 1])
    parallel = np.abs(denom) <= 1e-12 * np.maximum(scale, 1e-300)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(parallel, np.nan, cross_ap_s / denom)
        u = np.where(parallel, np.nan, cross_ap_r / denom)
    tol = 1e-9
    proper = (~parallel) & (t >= -tol) & (t <= 1 + tol) & (u >= -tol) & (u <= 1 + tol)
    rows = [np.nonzero(proper)[0]]
    vals = [t[proper]]
    # collinear overlaps: project both edge ends onto the segment
    rr = np.einsum("ij,ij->i", r, r)
    line_dist = np.abs(cross_ap_r) / np.sqrt(np.maximum(rr, 1e-300))
    collinear = parallel & (line_dist <= 1e-6) & (rr > 0)
    if collinear.any():
        idx = np.nonzero(collinear)[0]
        for end in (a[idx], e[idx, 2:4]):
            tt = np.einsum("ij,ij->i", end - p[idx], r[idx]) / rr[idx]
            within = (tt >= 0) & (tt <= 1)
            rows.append(idx[within])
            vals.append(tt[within])
    return np.concatenate(rows), np.concatenate(vals)


def _vertical_cut(
    z0: np.ndarray, z1: np.ndarray, lower: np.ndarray, upper: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Parameter interval on each segment where lower <= z(t) <= upper, z linear from z0 to z1."""
    dz = z1 - z0
    flat = np.abs(dz) < 1e-12
    with np.errstate(divide="ignore", invalid="ignore"):
        t_lo = (lower - z0) / dz
        t_hi = (upper - z0) / dz
    lo = np.where(dz > 0, t_lo, t_hi)
    hi = np.where(dz > 0, t_hi, t_lo)
    inside_flat = (z0 >= lower) & (z0 <= upper)
    lo = np.where(flat, np.where(inside_flat, 0.0, 2.0), np.nan_to_num(lo, nan=0.0, neginf=-1.0, posinf=2.0))
    hi = np.where(flat, np.where(inside_flat, 1.0, -1.0), np.nan_to_num(hi, nan=1.0, neginf=-1.0, posinf=2.0))
    return lo, hi


def _exposure(
    activity: Activity,
    index: ZoneIndex,
    zi: int,
    ga: float,
    gb: float,
    x: np.ndarray,
    y: np.ndarray,
    seconds: np.ndarray,
    param: np.ndarray,
    z: np.ndarray | None,
) -> Exposure:
    """An exposure for the global parameter interval [ga, gb] of the densified track."""

    def at(g: float) -> tuple[tuple[float, float], float, float, float]:
        s = min(int(np.floor(g)), len(x) - 2)
        t = g - s
        px = x[s] + (x[s + 1] - x[s]) * t
        py = y[s] + (y[s + 1] - y[s]) * t
        lon, lat = index.frame.inv(np.array([px]), np.array([py]))
        sec = seconds[s] + (seconds[s + 1] - seconds[s]) * t
        alt = (z[s] + (z[s + 1] - z[s]) * t) if z is not None else np.nan
        orig = param[s] + (param[s + 1] - param[s]) * t
        return (round(float(lon[0]), 7), round(float(lat[0]), 7)), sec, alt, orig

    where_a, sec_a, alt_a, orig_a = at(ga)
    where_b, sec_b, alt_b, orig_b = at(gb)
    if z is not None:
        lo_i, hi_i = int(np.floor(ga)), int(np.ceil(gb))
        inner = z[lo_i + 1 : hi_i] if hi_i > lo_i + 1 else np.array([])
        alts = np.concatenate([[alt_a, alt_b], inner])
        lower, upper = float(alts.min()), float(alts.max())
    else:
        lower, upper = _band(activity)
    return Exposure(
        zone=index.zones[zi].id,
        enter=_at_seconds(activity.start, sec_a),
        exit=_at_seconds(activity.start, sec_b),
        where=where_a,
        exit_where=where_b,
        lower=lower,
        upper=upper,
        part=f"track {orig_a:.3f}-{orig_b:.3f}",
    )


def _at_seconds(start: dt.datetime, seconds: float) -> dt.datetime:
    """`start` plus `seconds`, rounded to the millisecond (tolerance is 1 s)."""
    return (start + dt.timedelta(milliseconds=round(seconds * 1000))).astimezone(UTC)
