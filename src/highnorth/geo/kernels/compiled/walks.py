"""Compiled walks over the grid's per-cell lists (see `kernels/grid.py`).

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
  end. -1 means "ask the polygon" (the centre is near an edge).
- `centre_clearance`: for the grid, the distance from each cell's centre to the nearest of the
  edges listed for a (cell, zone) pair.
- `quad_pairs`: for segments over at most 2 x 2 cells, the zones inside throughout and the pairs
  that need exact work, from the cells' cover and boundary lists.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .edges import SLACK, _orient, _point_segment_d2, _segments_d2

__all__ = ["centre_clearance", "locate", "near_edge_pairs", "quad_pairs"]


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
    cell_edge_ptr: np.ndarray,
    pair_edges: np.ndarray,
    pair_edge_xy: np.ndarray,
    tol: float,
) -> tuple[np.ndarray, np.ndarray]:
    """(segment, edge) for every edge within `tol` (+ SLACK) of segment p[i]-q[i], by segment.
    The edges listed for cell c are pair_edges[cell_edge_ptr[c]:cell_edge_ptr[c + 1]];
    `pair_edge_xy` is edges[pair_edges] (the edges of a cell side by side in memory)."""
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
        several = i1 > i0 or j1 > j0  # an edge can be listed in more than one of the cells
        for j in range(j0, j1 + 1):
            for i in range(i0, i1 + 1):
                c = j * nx + i
                for m in range(cell_edge_ptr[c], cell_edge_ptr[c + 1]):
                    ex0, ey0, ex1, ey1 = pair_edge_xy[m, 0], pair_edge_xy[m, 1], pair_edge_xy[m, 2], pair_edge_xy[m, 3]
                    if min(ex0, ex1) > sx1 or max(ex0, ex1) < sx0 or min(ey0, ey1) > sy1 or max(ey0, ey1) < sy0:
                        continue
                    e = pair_edges[m]
                    if several:
                        if seen[e] == s:
                            continue
                        seen[e] = s
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
    by far more than rounding (exact.CLEAR_M)."""
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


@njit(cache=True)
def _insert(values: np.ndarray, used: int, value: int) -> int:
    """Insert into the sorted values[:used] (an insertion sort: the lists are short)."""
    at = used
    while at > 0 and values[at - 1] > value:
        values[at] = values[at - 1]
        at -= 1
    values[at] = value
    return used + 1


@njit(cache=True)
def _insert_unique(values: np.ndarray, used: int, value: int) -> int:
    """`_insert` unless the value is there already."""
    for u in range(used - 1, -1, -1):
        if values[u] == value:
            return used
        if values[u] < value:
            break
    return _insert(values, used, value)


@njit(cache=True)
def _append(out: np.ndarray, used: int, a: int, b: int) -> np.ndarray:
    if used == out.shape[0]:
        grown = np.empty((2 * used + 16, 2), np.int64)
        grown[:used] = out[:used]
        out = grown
    out[used, 0], out[used, 1] = a, b
    return out


@njit(cache=True)
def quad_pairs(
    rows: np.ndarray,
    i0: np.ndarray,
    j0: np.ndarray,
    i1: np.ndarray,
    j1: np.ndarray,
    nx: int,
    cover_id: np.ndarray,
    cover_ptr: np.ndarray,
    cover_members: np.ndarray,
    boundary_ptr: np.ndarray,
    boundary_zones: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`FastKernel._quad_pairs` for segments rows[k] whose box spans at most 2 x 2 cells, one segment
    at a time: per row the cover set all its cells share (else 0); (segment, zone) pairs inside
    throughout (a zone covering every cell, boundary zone of none) for the other rows; and pairs
    that need exact work (boundary zones of any cell, zones covering only some cells); both by
    segment and zone."""
    n = rows.shape[0]
    cover = np.zeros(n, np.int64)
    zones_b = np.empty(64, np.int64)
    zones_c = np.empty(64, np.int64)
    cells = np.empty(4, np.int64)
    whole = np.empty((n + 16, 2), np.int64)
    exact = np.empty((2 * n + 16, 2), np.int64)
    nw, ne = 0, 0
    for k in range(n):
        s = rows[k]
        ilo, ihi = min(i0[s], i1[s]), max(i0[s], i1[s])
        jlo, jhi = min(j0[s], j1[s]), max(j0[s], j1[s])
        nc = 0
        for ci in range(ilo, ihi + 1):
            for cj in range(jlo, jhi + 1):
                cells[nc] = cj * nx + ci
                nc += 1
        same = True
        for u in range(1, nc):
            same = same and cover_id[cells[u]] == cover_id[cells[0]]
        need = 0
        for u in range(nc):
            need += boundary_ptr[cells[u] + 1] - boundary_ptr[cells[u]]
        if need > zones_b.shape[0]:
            zones_b = np.empty(2 * need, np.int64)
        nb = 0
        for u in range(nc):
            for m in range(boundary_ptr[cells[u]], boundary_ptr[cells[u] + 1]):
                nb = _insert_unique(zones_b, nb, boundary_zones[m])
        bz = zones_b[:nb]
        ncz = 0
        if same:
            cover[k] = cover_id[cells[0]]
        else:
            need = 0
            for u in range(nc):
                need += cover_ptr[cover_id[cells[u]] + 1] - cover_ptr[cover_id[cells[u]]]
            if need > zones_c.shape[0]:
                zones_c = np.empty(2 * need, np.int64)
            for u in range(nc):
                cid = cover_id[cells[u]]
                for m in range(cover_ptr[cid], cover_ptr[cid + 1]):
                    ncz = _insert(zones_c, ncz, cover_members[m])
        cz = zones_c[:ncz]
        # walk the boundary zones and the cover zones (with their counts) in zone order
        a, b = 0, 0
        while a < bz.shape[0] or b < ncz:
            if b < ncz and (a == bz.shape[0] or cz[b] < bz[a]):
                z = cz[b]
                count = 0
                while b < ncz and cz[b] == z:
                    count += 1
                    b += 1
                if count == nc:
                    whole = _append(whole, nw, s, z)
                    nw += 1
                else:
                    exact = _append(exact, ne, s, z)
                    ne += 1
            else:
                z = bz[a]
                a += 1
                while b < ncz and cz[b] == z:  # a boundary zone of some cell: exact
                    b += 1
                exact = _append(exact, ne, s, z)
                ne += 1
    return cover, whole[:nw].copy(), exact[:ne].copy()
