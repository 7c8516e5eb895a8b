"""Compiled inner loops of the fast kernel (numba): walking the grid's per-cell edge lists.

- `near_edge_pairs`: every (segment, edge) pair within the tolerance, found by walking the edges
  listed for the grid cells a segment's box (grown by the tolerance) meets, with a box test and
  then the exact segment-segment distance. It replaces an STRtree `dwithin` query and building
  a shapely geometry per segment. It may report an edge slightly farther than the tolerance
  (`SLACK`), never miss one; an extra edge changes no answer of the kernel (no crossing, no cut,
  and the nearest-edge distance is a minimum).
- `locate`: whether points lie in zones, by crossing number from the centre of the point's cell,
  whose state the grid knows, against the zone's edges listed for that cell. Exact for a point
  that is not within rounding error of an edge of its zone (the caller sends points at least a
  millimetre from every edge; rounding here is below a micrometre), the centre being clear by
  twice the tolerance: a vertex on the line between them gets the same side for both of its
  edges, so it is counted consistently, and where an edge meets that line is not close to either
  end. The
  caller sends only such points; -1 means "ask the polygon" (the centre is near an edge).
- `centre_clearance`: for the grid, the distance from each cell's centre to the nearest of the
  edges listed for a (cell, zone) pair.

Every function is compiled once and cached on disk (`cache=True`), so only the first run on a
machine pays the compile time. Arrays are plain numpy arrays; nothing here knows shapely.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["SLACK", "centre_clearance", "locate", "near_edge_pairs"]

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
def _cell_range(lo: float, hi: float, origin: float, cell: float, count: int) -> tuple[int, int]:
    """Cells [a, b] that the interval [lo, hi] meets, clipped to the grid (a > b: none)."""
    a = math.floor((lo - origin) / cell)
    b = math.floor((hi - origin) / cell)
    return max(a, 0), min(b, count - 1)


@njit(cache=True)
def near_edge_pairs(
    p: np.ndarray,
    q: np.ndarray,
    edges: np.ndarray,
    x0: float,
    y0: float,
    cell: float,
    nx: int,
    ny: int,
    boundary_ptr: np.ndarray,
    pair_edge_ptr: np.ndarray,
    pair_edges: np.ndarray,
    tol: float,
) -> tuple[np.ndarray, np.ndarray]:
    """(segment, edge) for every edge within `tol` (+ SLACK) of segment p[i]-q[i], by segment."""
    n = p.shape[0]
    limit = tol + SLACK
    limit2 = limit * limit
    seen = np.full(edges.shape[0], -1, np.int64)
    cap = max(16, n // 4)
    out_s = np.empty(cap, np.int64)
    out_e = np.empty(cap, np.int64)
    k = 0
    for s in range(n):
        ax, ay, bx, by = p[s, 0], p[s, 1], q[s, 0], q[s, 1]
        if not (np.isfinite(ax) and np.isfinite(ay) and np.isfinite(bx) and np.isfinite(by)):
            continue
        sx0, sx1 = min(ax, bx) - limit, max(ax, bx) + limit
        sy0, sy1 = min(ay, by) - limit, max(ay, by) + limit
        i0, i1 = _cell_range(sx0, sx1, x0, cell, nx)
        j0, j1 = _cell_range(sy0, sy1, y0, cell, ny)
        for j in range(j0, j1 + 1):
            for i in range(i0, i1 + 1):
                c = j * nx + i
                for m in range(pair_edge_ptr[boundary_ptr[c]], pair_edge_ptr[boundary_ptr[c + 1]]):
                    e = pair_edges[m]
                    if seen[e] == s:
                        continue
                    seen[e] = s
                    ex0, ey0, ex1, ey1 = edges[e, 0], edges[e, 1], edges[e, 2], edges[e, 3]
                    if min(ex0, ex1) > sx1 or max(ex0, ex1) < sx0 or min(ey0, ey1) > sy1 or max(ey0, ey1) < sy0:
                        continue
                    if _segments_d2(ax, ay, bx, by, ex0, ey0, ex1, ey1) > limit2:
                        continue
                    if k == cap:
                        cap *= 2
                        grown_s = np.empty(cap, np.int64)
                        grown_e = np.empty(cap, np.int64)
                        grown_s[:k] = out_s[:k]
                        grown_e[:k] = out_e[:k]
                        out_s, out_e = grown_s, grown_e
                    out_s[k] = s
                    out_e[k] = e
                    k += 1
    return out_s[:k].copy(), out_e[:k].copy()


@njit(cache=True)
def _find(sorted_values: np.ndarray, lo: int, hi: int, value: int) -> int:
    """Index of `value` in sorted_values[lo:hi], or -1."""
    end = hi
    while lo < hi:
        mid = (lo + hi) // 2
        if sorted_values[mid] < value:
            lo = mid + 1
        else:
            hi = mid
    if lo < end and sorted_values[lo] == value:
        return lo
    return -1


@njit(cache=True)
def locate(
    x: np.ndarray,
    y: np.ndarray,
    zone: np.ndarray,
    edges: np.ndarray,
    x0: float,
    y0: float,
    cell: float,
    nx: int,
    ny: int,
    boundary_ptr: np.ndarray,
    boundary_zones: np.ndarray,
    pair_edge_ptr: np.ndarray,
    pair_edges: np.ndarray,
    centre_state: np.ndarray,
    cover_id: np.ndarray,
    cover_ptr: np.ndarray,
    cover_members: np.ndarray,
) -> np.ndarray:
    """1 where point (x[i], y[i]) is in zone[i], 0 where not, -1 where the grid cannot tell (the
    cell's centre is near an edge of the zone). Points must be clear of every edge of their zone
    by far more than rounding (kernel.CLEAR_M)."""
    n = x.shape[0]
    out = np.zeros(n, np.int8)
    for r in range(n):
        px, py, z = x[r], y[r], zone[r]
        if not (np.isfinite(px) and np.isfinite(py)):
            continue
        i = math.floor((px - x0) / cell)
        j = math.floor((py - y0) / cell)
        if i < 0 or i >= nx or j < 0 or j >= ny:
            continue  # the grid holds every zone
        c = j * nx + i
        b = _find(boundary_zones, boundary_ptr[c], boundary_ptr[c + 1], z)
        if b < 0:
            # no edge of the zone near the cell: the whole cell is in (a cover zone) or out
            cid = cover_id[c]
            out[r] = 1 if _find(cover_members, cover_ptr[cid], cover_ptr[cid + 1], z) >= 0 else 0
            continue
        state = centre_state[b]
        if state < 0:
            out[r] = -1
            continue
        cx, cy = x0 + (i + 0.5) * cell, y0 + (j + 0.5) * cell
        crossings = 0
        for m in range(pair_edge_ptr[b], pair_edge_ptr[b + 1]):
            e = pair_edges[m]
            ax, ay, bx, by = edges[e, 0], edges[e, 1], edges[e, 2], edges[e, 3]
            # the edge crosses the line P-C; a vertex on the line counts as on its left, for both
            # of its edges (the same arithmetic on the same numbers)
            oa = _orient(px, py, cx, cy, ax, ay)
            ob = _orient(px, py, cx, cy, bx, by)
            if (oa >= 0.0) == (ob >= 0.0):
                continue
            # where, on the edge (a convex combination, so on it even when the edge lies almost
            # along the line); P and C are clear of the edge, so the test whether it lies between
            # them is not close
            f = oa / (oa - ob)
            hx, hy = ax + (bx - ax) * f - px, ay + (by - ay) * f - py
            along = hx * (cx - px) + hy * (cy - py)
            if 0.0 < along < (cx - px) * (cx - px) + (cy - py) * (cy - py):
                crossings += 1
        out[r] = state ^ (crossings & 1)
    return out


@njit(cache=True)
def centre_clearance(
    pair_cell: np.ndarray,
    edges: np.ndarray,
    x0: float,
    y0: float,
    cell: float,
    nx: int,
    pair_edge_ptr: np.ndarray,
    pair_edges: np.ndarray,
) -> np.ndarray:
    """For each (cell, zone) pair: the distance from the cell's centre to the nearest edge
    listed for the pair."""
    out = np.full(pair_cell.shape[0], np.inf)
    for b in range(pair_cell.shape[0]):
        c = pair_cell[b]
        cx, cy = x0 + (c % nx + 0.5) * cell, y0 + (c // nx + 0.5) * cell
        best = np.inf
        for m in range(pair_edge_ptr[b], pair_edge_ptr[b + 1]):
            e = pair_edges[m]
            best = min(best, _point_segment_d2(cx, cy, edges[e, 0], edges[e, 1], edges[e, 2], edges[e, 3]))
        out[b] = math.sqrt(best)
    return out
