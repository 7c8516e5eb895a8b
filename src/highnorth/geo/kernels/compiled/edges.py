"""Compiled loops over (segment, edge) pairs: where a segment crosses an edge or enters and leaves
its tolerance band (`edge_cuts`), the distance from a point to the nearest listed edge
(`edge_distance`), and the small distance and orientation helpers the grid walks share.

Each loop does the arithmetic of its vectorised twin in `kernels/edges.py` (the reference
kernel's), row by row, so that both kernels cut segments at the same parameters.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["SLACK", "edge_cuts", "edge_distance"]

#: extra distance (metres) allowed when looking for edges within the tolerance: float rounding
#: must never drop an edge GEOS would keep, and one slightly farther is harmless
SLACK = 1e-6


@njit(cache=True)
def _point_segment_d2(px: float, py: float, ax: float, ay: float, bx: float, by: float) -> float:
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0
    if length2 > 0.0:
        t = ((px - ax) * dx + (py - ay) * dy) / length2
        t = min(1.0, max(0.0, t))
    ex, ey = ax + t * dx - px, ay + t * dy - py
    return ex * ex + ey * ey


@njit(cache=True)
def _orient(ax: float, ay: float, bx: float, by: float, cx: float, cy: float) -> float:
    return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)


@njit(cache=True)
def _segments_d2(ax: float, ay: float, bx: float, by: float, cx: float, cy: float, dx: float, dy: float) -> float:
    """Squared distance between segments a-b and c-d (0 when they meet; a touch or a collinear
    pair counts as meeting, which errs towards reporting the edge)."""
    o1 = _orient(ax, ay, bx, by, cx, cy)
    o2 = _orient(ax, ay, bx, by, dx, dy)
    o3 = _orient(cx, cy, dx, dy, ax, ay)
    o4 = _orient(cx, cy, dx, dy, bx, by)
    if o1 * o2 <= 0.0 and o3 * o4 <= 0.0:
        return 0.0
    d = _point_segment_d2(ax, ay, cx, cy, dx, dy)
    d = min(d, _point_segment_d2(bx, by, cx, cy, dx, dy))
    d = min(d, _point_segment_d2(cx, cy, ax, ay, bx, by))
    return min(d, _point_segment_d2(dx, dy, ax, ay, bx, by))


@njit(cache=True)
def _interval(f0: float, f1: float, lo: float, hi: float) -> tuple[float, float]:
    """edges._linear_interval for one row: the t interval where lo <= f0 + t f1 <= hi."""
    if f1 == 0:
        inside = f0 >= lo and f0 <= hi
        return (-np.inf, np.inf) if inside else (np.inf, -np.inf)
    ta, tb = (lo - f0) / f1, (hi - f0) / f1
    return min(ta, tb), max(ta, tb)


@njit(cache=True, error_model="numpy")
def edge_cuts(
    p: np.ndarray, q: np.ndarray, seg: np.ndarray, edge: np.ndarray, edges: np.ndarray, tol: float
) -> tuple[np.ndarray, np.ndarray]:
    """`edges.crossings` and `edges.band_cuts` of segments p[seg[i]]->q[seg[i]] against edges
    edges[edge[i]], row by row with the same arithmetic: (i, t) for every crossing (proper,
    touching, ends of a collinear overlap) and every entry into or exit from the tolerance band."""
    n = seg.shape[0]
    cap = 4 * n + 16
    rows = np.empty(cap, np.int64)
    ts = np.empty(cap)
    m = 0
    for i in range(n):
        px, py, qx, qy = p[seg[i], 0], p[seg[i], 1], q[seg[i], 0], q[seg[i], 1]
        ax, ay, bx, by = edges[edge[i], 0], edges[edge[i], 1], edges[edge[i], 2], edges[edge[i], 3]
        r0, r1 = qx - px, qy - py
        s0, s1 = bx - ax, by - ay
        # crossings
        denom = r0 * s1 - r1 * s0
        ap0, ap1 = ax - px, ay - py
        cross_ap_s = ap0 * s1 - ap1 * s0
        cross_ap_r = ap0 * r1 - ap1 * r0
        scale = math.hypot(r0, r1) * math.hypot(s0, s1)
        parallel = abs(denom) <= 1e-12 * max(scale, 1e-300)
        rr = r0 * r0 + r1 * r1
        if not parallel:
            t = cross_ap_s / denom
            u = cross_ap_r / denom
            if t >= -1e-9 and t <= 1 + 1e-9 and u >= -1e-9 and u <= 1 + 1e-9:
                rows[m], ts[m] = i, t
                m += 1
        elif abs(cross_ap_r) / math.sqrt(max(rr, 1e-300)) <= 1e-6 and rr > 0:
            for ex, ey in ((ax, ay), (bx, by)):
                tt = ((ex - px) * r0 + (ey - py) * r1) / rr
                if tt >= 0 and tt <= 1:
                    rows[m], ts[m] = i, tt
                    m += 1
        # the band: the discs at both ends of the edge and the rectangle between them
        lo, hi = np.inf, -np.inf
        for cx, cy in ((ax, ay), (bx, by)):
            pc0, pc1 = px - cx, py - cy
            b = pc0 * r0 + pc1 * r1
            cc = (pc0 * pc0 + pc1 * pc1) - tol * tol
            disc = b * b - rr * cc
            if disc >= 0 and rr > 0:
                root = math.sqrt(max(disc, 0.0))
                lo = min(lo, (-b - root) / rr)
                hi = max(hi, (-b + root) / rr)
        length = math.hypot(s0, s1)
        if length > 0:
            pa0, pa1 = px - ax, py - ay
            u_a, u_b = _interval(
                (pa0 * s0 + pa1 * s1) / (length * length), (r0 * s0 + r1 * s1) / (length * length), 0.0, 1.0
            )
            w_a, w_b = _interval((s0 * pa1 - s1 * pa0) / length, (s0 * r1 - s1 * r0) / length, -tol, tol)
            rect_a, rect_b = max(u_a, w_a), min(u_b, w_b)
            if rect_a <= rect_b:
                lo = min(lo, rect_a)
                hi = max(hi, rect_b)
        if lo <= hi:
            for bound in (lo, hi):
                if np.isfinite(bound) and bound > 0 and bound < 1:
                    rows[m], ts[m] = i, bound
                    m += 1
    return rows[:m].copy(), ts[:m].copy()


@njit(cache=True)
def edge_distance(
    keys: np.ndarray, x: np.ndarray, y: np.ndarray, edge_keys: np.ndarray, edge_ids: np.ndarray, edges: np.ndarray
) -> np.ndarray:
    """For each point (x, y) with its (segment, zone) key, the distance to the nearest of the
    edges listed for the same key (`edge_keys` sorted, `edge_ids` into `edges`); inf when none is.
    The arithmetic of `edges.edge_distance`."""
    n = keys.shape[0]
    out = np.full(n, np.inf)
    ne = edge_keys.shape[0]
    for i in range(n):
        lo, hi = 0, ne
        while lo < hi:
            mid = (lo + hi) // 2
            if edge_keys[mid] < keys[i]:
                lo = mid + 1
            else:
                hi = mid
        px, py = x[i], y[i]
        best = np.inf
        while lo < ne and edge_keys[lo] == keys[i]:
            e = edge_ids[lo]
            ax, ay = edges[e, 0], edges[e, 1]
            dx, dy = edges[e, 2] - ax, edges[e, 3] - ay
            length2 = dx * dx + dy * dy
            t = 0.0
            if length2 > 0:
                t = min(max(((px - ax) * dx + (py - ay) * dy) / length2, 0.0), 1.0)
            best = min(best, math.hypot(ax + t * dx - px, ay + t * dy - py))
            lo += 1
        out[i] = best
    return out
