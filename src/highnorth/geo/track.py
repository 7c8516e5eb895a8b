"""The track kernel: exact intervals of a track inside 3D zones, vectorised over segments.

A track is densified along its geodesics and projected into the frame (projection.py). For every
segment the kernel finds the zone edges within the tolerance (an STRtree over edges), cuts the
segment where it crosses an edge and where it enters or leaves the 1 m band around an edge, and
tests each piece at its midpoint: strictly inside the (prepared) polygon, or on the boundary
(within `TOL_M` of an edge). Vertical limits cut the pieces where the linear altitude crosses
them. Pieces are merged per zone into intervals of the global parameter (segment index +
fraction). An interval that enters the polygon starts and ends at its crossings: the approach
through the band (pieces more than `TRIM_M` outside) is trimmed. An interval that is never
strictly inside and shorter than the band's width and than `TOL_S` only grazes the boundary and
is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from ..model.activity import Activity
from .projection import Frame, densify_lonlat, geodesic_length_m

__all__ = ["EPS", "TOL_M", "TOL_S", "Track", "track_times"]

EPS = 1e-12
#: horizontal tolerance in metres: points this close to a zone's boundary are on it
TOL_M = 1.0
#: time tolerance in seconds
TOL_S = 1.0
#: a piece outside the polygon by more than this is the approach through the band, not chord
#: noise along the boundary (densified chords of one curve differ by at most 0.27 m)
TRIM_M = 0.4


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


@dataclass(frozen=True)
class Track:
    """A track densified and projected: per vertex its frame position, seconds since the
    activity's start, parameter on the input line and altitude (None for a 2D track)."""

    x: np.ndarray
    y: np.ndarray
    seconds: np.ndarray
    param: np.ndarray
    z: np.ndarray | None
    frame: Frame

    @classmethod
    def of(cls, activity: Activity, frame: Frame) -> Track:
        coords = np.asarray(activity.geometry.coords, dtype=float)
        lon0, lat0 = coords[:, 0], coords[:, 1]
        seconds0 = track_times(activity, lon0, lat0)
        lon, lat, param = densify_lonlat(lon0, lat0)
        vertex = np.arange(len(lon0))
        z = np.interp(param, vertex, coords[:, 2]) if coords.shape[1] == 3 else None
        x, y = frame.fwd(lon, lat)
        return cls(x, y, np.interp(param, vertex, seconds0), param, z, frame)

    def at(self, g: float) -> tuple[tuple[float, float], float, float, float]:
        """At global parameter `g`: (lon, lat), seconds, altitude (nan in 2D), input parameter."""
        s = min(max(int(np.floor(g)), 0), len(self.x) - 2)
        t = g - s

        def lerp(v: np.ndarray) -> float:
            return float(v[s] + (v[s + 1] - v[s]) * t)

        lon, lat = self.frame.inv(np.array([lerp(self.x)]), np.array([lerp(self.y)]))
        alt = lerp(self.z) if self.z is not None else float("nan")
        return (round(float(lon[0]), 7), round(float(lat[0]), 7)), lerp(self.seconds), alt, lerp(self.param)

    def param_at(self, seconds: float) -> float:
        """The first global parameter at which the track reaches `seconds` since the start."""
        i = int(np.searchsorted(self.seconds, seconds, side="left"))
        if i <= 0:
            return 0.0
        if i >= len(self.seconds):
            return float(len(self.seconds) - 1)
        span = self.seconds[i] - self.seconds[i - 1]
        return float(i - 1 + ((seconds - self.seconds[i - 1]) / span if span > 0 else 1.0))

    def altitudes(self, ga: float, gb: float) -> tuple[float, float]:
        """Lowest and highest altitude between two global parameters."""
        assert self.z is not None
        lo_i, hi_i = int(np.floor(ga)), int(np.ceil(gb))
        inner = self.z[lo_i + 1 : hi_i] if hi_i > lo_i + 1 else np.array([])
        alts = np.concatenate([[self.at(ga)[2], self.at(gb)[2]], inner])
        return float(alts.min()), float(alts.max())

    def intervals(
        self,
        geoms: np.ndarray,
        tree: shapely.STRtree,
        edges: np.ndarray,
        edge_zone: np.ndarray,
        edge_tree: shapely.STRtree,
        lower: np.ndarray,
        upper: np.ndarray,
        band: tuple[float, float] | None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Zone index, start and end global parameter of every interval the track spends in a
        zone (horizontal and vertical limits). `band` is the altitude band of a 2D track."""
        empty = (np.zeros(0, dtype=int), np.zeros(0), np.zeros(0))
        if len(self.x) < 2:
            return empty
        p = np.column_stack([self.x[:-1], self.y[:-1]])
        q = np.column_stack([self.x[1:], self.y[1:]])
        # zero-length segments (the actor stays in place) are queried as points
        still = np.all(p == q, axis=1)
        segs = np.where(still, shapely.points(p), shapely.linestrings(np.stack([p, q], axis=1)))

        # 1. candidate (segment, zone) pairs: bounding boxes meet, or an edge is within TOL_M
        seg_i, zone_i = tree.query(segs)
        es, ee = edge_tree.query(segs, predicate="dwithin", distance=TOL_M)
        nz = len(geoms)
        near_key = es * nz + edge_zone[ee]
        pair_key = np.unique(np.concatenate([seg_i * nz + zone_i, near_key]))
        if len(pair_key) == 0:
            return empty

        # 2. cut parameters: crossings of near edges, and entry/exit of the TOL_M band around them
        cross_row, cross_t = _crossings(p[es], q[es], edges[ee])
        band_row, band_t = _band_cuts(p[es], q[es], edges[ee])
        cuts_key = np.concatenate([near_key[cross_row], near_key[band_row]])
        cuts_t = np.clip(np.concatenate([cross_t, band_t]), 0.0, 1.0)

        # 3. pieces between cuts, each tested at its midpoint
        all_key = np.concatenate([pair_key, pair_key, cuts_key])
        all_t = np.concatenate([np.zeros(len(pair_key)), np.ones(len(pair_key)), cuts_t])
        order = np.lexsort((all_t, all_key))
        all_key, all_t = all_key[order], all_t[order]
        same = all_key[1:] == all_key[:-1]
        a_t, b_t, k = all_t[:-1][same], all_t[1:][same], all_key[:-1][same]
        piece = b_t - a_t > EPS  # a segment where the actor stays in place still spans 0..1
        a_t, b_t, k = a_t[piece], b_t[piece], k[piece]
        s, zi = k // nz, k % nz
        mid = (a_t + b_t) / 2
        mx = p[s, 0] + (q[s, 0] - p[s, 0]) * mid
        my = p[s, 1] + (q[s, 1] - p[s, 1]) * mid
        edge_dist = _edge_distance(k, mx, my, near_key, edges[ee])
        on_edge = edge_dist <= TOL_M
        in_poly = shapely.intersects_xy(geoms[zi], mx, my)
        inside = in_poly | on_edge
        # outside the polygon by more than chord noise: the approach through the band
        approach = ~in_poly & (edge_dist > TRIM_M)
        a_t, b_t, s, zi, in_poly, on_edge, approach = (v[inside] for v in (a_t, b_t, s, zi, in_poly, on_edge, approach))

        # 4. vertical limits: altitude is linear along the segment
        if self.z is not None:
            lo_t, hi_t = _vertical_cut(self.z[s], self.z[s + 1], lower[zi], upper[zi])
            a_t, b_t = np.maximum(a_t, lo_t), np.minimum(b_t, hi_t)
            ok = b_t - a_t > EPS
        else:
            ok = bands_overlap(band or (-np.inf, np.inf), lower[zi], upper[zi])
        a_t, b_t, s, zi, in_poly, on_edge, approach = (v[ok] for v in (a_t, b_t, s, zi, in_poly, on_edge, approach))

        # 5. merge touching pieces per zone. An interval that enters the polygon starts and ends
        #    at its crossings (the band outside is trimmed); one that stays on the boundary is
        #    kept unless it only grazes it.
        ga, gb = s + a_t, s + b_t
        seg_len = np.hypot(q[:, 0] - p[:, 0], q[:, 1] - p[:, 1])
        length = seg_len[s] * (b_t - a_t)
        duration = (self.seconds[s + 1] - self.seconds[s]) * (b_t - a_t)
        strict = in_poly & ~on_edge
        order = np.lexsort((ga, zi))
        ga, gb, zi, in_poly, strict, approach, length, duration = (
            v[order] for v in (ga, gb, zi, in_poly, strict, approach, length, duration)
        )
        out_z, out_a, out_b = [], [], []
        i = 0
        while i < len(ga):
            j, end = i, gb[i]
            while j + 1 < len(ga) and zi[j + 1] == zi[i] and ga[j + 1] <= end + 1e-9:
                j += 1
                end = max(end, gb[j])
            group = slice(i, j + 1)
            graze = not strict[group].any() and length[group].sum() < 2 * TOL_M and duration[group].sum() < TOL_S
            if not graze:
                first, last = i, j
                if in_poly[group].any():  # trim the approach and the departure through the band
                    while approach[first] and first < last:
                        first += 1
                    while approach[last] and last > first:
                        last -= 1
                out_z.append(int(zi[i]))
                out_a.append(float(ga[first]))
                out_b.append(float(gb[first : last + 1].max()))
            i = j + 1
        return np.array(out_z, dtype=int), np.array(out_a), np.array(out_b)


def bands_overlap(a: tuple[float, float], b_lower: np.ndarray, b_upper: np.ndarray) -> np.ndarray:
    """Positive overlap of vertical bands; a band of one altitude needs only to lie within."""
    lo = np.maximum(a[0], b_lower)
    hi = np.minimum(a[1], b_upper)
    if a[0] == a[1]:
        return lo <= hi
    return lo < hi


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


def _linear_interval(
    f0: np.ndarray, f1: np.ndarray, lo: float | np.ndarray, hi: float | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The t interval where lo <= f0 + t f1 <= hi (empty: start > end)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ta, tb = (lo - f0) / f1, (hi - f0) / f1
    flat = f1 == 0
    start = np.where(flat, np.where((f0 >= lo) & (f0 <= hi), -np.inf, np.inf), np.minimum(ta, tb))
    end = np.where(flat, np.where((f0 >= lo) & (f0 <= hi), np.inf, -np.inf), np.maximum(ta, tb))
    return start, end


def _band_cuts(p: np.ndarray, q: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Parameters where segments p->q enter and leave the TOL_M band (a capsule) around edges e.

    The capsule is convex, so a line meets it in one interval: the hull of its intervals in the
    two end discs and in the rectangle between them.
    """
    r = q - p
    rr = np.einsum("ij,ij->i", r, r)
    starts, ends = [], []
    for c in (e[:, 0:2], e[:, 2:4]):  # the discs at both ends of the edge
        pc = p - c
        b = np.einsum("ij,ij->i", pc, r)
        cc = np.einsum("ij,ij->i", pc, pc) - TOL_M**2
        disc = b * b - rr * cc
        with np.errstate(divide="ignore", invalid="ignore"):
            root = np.sqrt(np.maximum(disc, 0))
            t0, t1 = (-b - root) / rr, (-b + root) / rr
        hit = (disc >= 0) & (rr > 0)
        starts.append(np.where(hit, t0, np.inf))
        ends.append(np.where(hit, t1, -np.inf))
    v = e[:, 2:4] - e[:, 0:2]
    length = np.hypot(v[:, 0], v[:, 1])
    ok = length > 0
    safe = np.where(ok, length, 1.0)
    pa = p - e[:, 0:2]
    u_a, u_b = _linear_interval(np.einsum("ij,ij->i", pa, v) / safe**2, np.einsum("ij,ij->i", r, v) / safe**2, 0.0, 1.0)
    w_a, w_b = _linear_interval(
        (v[:, 0] * pa[:, 1] - v[:, 1] * pa[:, 0]) / safe, (v[:, 0] * r[:, 1] - v[:, 1] * r[:, 0]) / safe, -TOL_M, TOL_M
    )
    rect_a, rect_b = np.maximum(u_a, w_a), np.minimum(u_b, w_b)
    starts.append(np.where(ok & (rect_a <= rect_b), rect_a, np.inf))
    ends.append(np.where(ok & (rect_a <= rect_b), rect_b, -np.inf))
    lo, hi = np.min(starts, axis=0), np.max(ends, axis=0)
    rows, vals = [], []
    for bound in (lo, hi):
        inside = np.isfinite(bound) & (bound > 0) & (bound < 1) & (lo <= hi)
        rows.append(np.nonzero(inside)[0])
        vals.append(bound[inside])
    return np.concatenate(rows), np.concatenate(vals)


def _edge_distance(
    keys: np.ndarray, x: np.ndarray, y: np.ndarray, edge_keys: np.ndarray, edges: np.ndarray
) -> np.ndarray:
    """For each point (x, y) with its (segment, zone) key, the distance to the nearest of the
    edges listed for the same key (`edge_keys`, `edges` as x1 y1 x2 y2); inf when none is."""
    near = np.full(len(keys), np.inf)
    if len(edge_keys) == 0 or len(keys) == 0:
        return near
    order = np.argsort(edge_keys, kind="stable")
    sk, se = edge_keys[order], edges[order]
    lo = np.searchsorted(sk, keys, side="left")
    counts = np.searchsorted(sk, keys, side="right") - lo
    has = counts > 0
    if not has.any():
        return near
    owner = np.repeat(np.nonzero(has)[0], counts[has])
    offset = np.arange(len(owner)) - np.repeat(np.cumsum(counts[has]) - counts[has], counts[has])
    e = se[np.repeat(lo[has], counts[has]) + offset]
    ax, ay, dx, dy = e[:, 0], e[:, 1], e[:, 2] - e[:, 0], e[:, 3] - e[:, 1]
    px, py = x[owner], y[owner]
    length2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.clip(np.where(length2 > 0, ((px - ax) * dx + (py - ay) * dy) / length2, 0.0), 0.0, 1.0)
    np.minimum.at(near, owner, np.hypot(ax + t * dx - px, ay + t * dy - py))
    return near


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
