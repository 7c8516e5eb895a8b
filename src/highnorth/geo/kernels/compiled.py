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

__all__ = [
    "SLACK",
    "centre_clearance",
    "edge_cuts",
    "edge_distance",
    "far_runs",
    "locate",
    "merge_sorted",
    "near_edge_pairs",
    "quad_pairs",
    "run_pieces",
    "sort_groups",
    "split_at_cuts",
    "vertical_pieces",
    "warm",
]

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


@njit(cache=True, error_model="numpy")
def _vertical_one(
    a: float, b: float, z0: float, z1: float, zlo: float, zhi: float, lo: float, hi: float, eps: float
) -> tuple[bool, float, float]:
    """`kernel._vertical` for one piece [a, b] of a segment from altitude z0 to z1 (nan: a 2D
    track, whose band lo..hi decides) and a zone from zlo to zhi: (kept, a, b)."""
    if np.isnan(z0):
        b_lo, b_hi = max(lo, zlo), min(hi, zhi)
        return (b_lo <= b_hi if lo == hi else b_lo < b_hi), a, b
    dz = z1 - z0
    if abs(dz) < 1e-12:
        inside = z0 >= zlo and z0 <= zhi
        t_lo, t_hi = (0.0, 1.0) if inside else (2.0, -1.0)
    else:
        u_lo, u_hi = (zlo - z0) / dz, (zhi - z0) / dz
        t_lo, t_hi = (u_lo, u_hi) if dz > 0 else (u_hi, u_lo)
        t_lo = _finite(t_lo, 0.0)
        t_hi = _finite(t_hi, 1.0)
    a3, b3 = max(a, t_lo), min(b, t_hi)
    return b3 - a3 > eps, a3, b3


@njit(cache=True, error_model="numpy")
def vertical_pieces(
    s: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    zlo: np.ndarray,
    zhi: np.ndarray,
    p: np.ndarray,
    q: np.ndarray,
    s0: np.ndarray,
    s1: np.ndarray,
    z0: np.ndarray,
    z1: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    local: np.ndarray,
    eps: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pieces [a[k], b[k]] of segments s[k] limited to the vertical band zlo[k]..zhi[k] of their
    zone (`kernel._vertical` and `kernel._pieces`): (k kept, ga, gb, length, duration)."""
    n = s.shape[0]
    rows = np.empty(n, np.int64)
    out = np.empty((n, 4))
    m = 0
    for k in range(n):
        g = s[k]
        kept, ka, kb = _vertical_one(a[k], b[k], z0[g], z1[g], zlo[k], zhi[k], lo[g], hi[g], eps)
        if not kept:
            continue
        seg_len = math.hypot(q[g, 0] - p[g, 0], q[g, 1] - p[g, 1])
        rows[m] = k
        out[m, 0], out[m, 1] = local[g] + ka, local[g] + kb
        out[m, 2], out[m, 3] = seg_len * (kb - ka), (s1[g] - s0[g]) * (kb - ka)
        m += 1
    return rows[:m].copy(), out[:m, 0].copy(), out[:m, 1].copy(), out[:m, 2].copy(), out[:m, 3].copy()


@njit(cache=True, error_model="numpy")
def run_pieces(
    start: np.ndarray,
    end: np.ndarray,
    run: np.ndarray,
    zlo: np.ndarray,
    zhi: np.ndarray,
    p: np.ndarray,
    q: np.ndarray,
    s0: np.ndarray,
    s1: np.ndarray,
    z0: np.ndarray,
    z1: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    local: np.ndarray,
    eps: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pieces of runs of segments [start[r], end[r]) of one track, inside zone[k] throughout for
    each pair k of a run and a zone (run[k]), limited by the zone's vertical band zlo[k]..zhi[k]: one piece for
    a run within the band, none for a run beside it, and for a run that crosses a limit the parts
    of its segments within the band, touching parts joined (as `kernel.merge` would join them).
    Returns (pair, ga, gb, length, duration); the arithmetic is that of `kernel._vertical`."""
    nr = start.shape[0]
    run_min = np.empty(nr)
    run_max = np.empty(nr)
    run_len = np.empty(nr)
    for r in range(nr):
        mn, mx, total = np.inf, -np.inf, 0.0
        for s in range(start[r], end[r]):
            a, b = z0[s], z1[s]
            if not np.isnan(a):
                mn = min(mn, a if np.isnan(b) else min(a, b))
                mx = max(mx, a if np.isnan(b) else max(a, b))
            total += math.hypot(q[s, 0] - p[s, 0], q[s, 1] - p[s, 1])
        run_min[r], run_max[r], run_len[r] = mn, mx, total
    n = run.shape[0]
    cap = n + 16
    out_k = np.empty(cap, np.int64)
    out_f = np.empty((cap, 4))  # ga, gb, length, duration
    m = 0
    for k in range(n):
        r = run[k]
        sa, sb = start[r], end[r]
        flat = np.isnan(z0[sa])  # a 2D track: its activity's band decides
        band_lo, band_hi = max(lo[sa], zlo[k]), min(hi[sa], zhi[k])
        band_ok = band_lo <= band_hi if lo[sa] == hi[sa] else band_lo < band_hi
        if band_ok if flat else (run_min[r] >= zlo[k] and run_max[r] <= zhi[k]):
            if m == cap:
                cap *= 2
                out_k, out_f = _grow(out_k, out_f, m, cap)
            out_k[m] = k
            out_f[m, 0], out_f[m, 1] = local[sa], local[sb - 1] + 1
            out_f[m, 2], out_f[m, 3] = run_len[r], s1[sb - 1] - s0[sa]
            m += 1
            continue
        if flat or run_max[r] < zlo[k] or run_min[r] > zhi[k]:
            continue
        joined = False  # whether the last piece out belongs to this pair
        for s in range(sa, sb):
            kept, ga, gb = _vertical_one(0.0, 1.0, z0[s], z1[s], zlo[k], zhi[k], lo[s], hi[s], eps)
            if not kept:
                continue
            seg_len = math.hypot(q[s, 0] - p[s, 0], q[s, 1] - p[s, 1])
            a, b = local[s] + ga, local[s] + gb
            if joined and out_f[m - 1, 1] == a:  # touches the previous piece: one piece
                out_f[m - 1, 1] = b
                out_f[m - 1, 2] += seg_len * (gb - ga)
                out_f[m - 1, 3] += (s1[s] - s0[s]) * (gb - ga)
                continue
            if m == cap:
                cap *= 2
                out_k, out_f = _grow(out_k, out_f, m, cap)
            out_k[m] = k
            out_f[m, 0], out_f[m, 1] = a, b
            out_f[m, 2], out_f[m, 3] = seg_len * (gb - ga), (s1[s] - s0[s]) * (gb - ga)
            m += 1
            joined = True
    return out_k[:m].copy(), out_f[:m, 0].copy(), out_f[:m, 1].copy(), out_f[:m, 2].copy(), out_f[:m, 3].copy()


@njit(cache=True)
def _finite(t: float, nan: float) -> float:
    """np.nan_to_num(t, nan=nan, neginf=-1.0, posinf=2.0), as kernel's vertical cut does."""
    if np.isnan(t):
        return nan
    if t == np.inf:
        return 2.0
    if t == -np.inf:
        return -1.0
    return t


@njit(cache=True)
def _grow(out_k: np.ndarray, out_f: np.ndarray, used: int, cap: int) -> tuple[np.ndarray, np.ndarray]:
    k = np.empty(cap, np.int64)
    f = np.empty((cap, out_f.shape[1]))
    k[:used] = out_k[:used]
    f[:used] = out_f[:used]
    return k, f


@njit(cache=True)
def merge_sorted(
    order: np.ndarray,
    track: np.ndarray,
    zone: np.ndarray,
    ga: np.ndarray,
    gb: np.ndarray,
    in_poly: np.ndarray,
    strict: np.ndarray,
    approach: np.ndarray,
    length: np.ndarray,
    duration: np.ndarray,
    tol_m: float,
    tol_s: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """`kernel.merge` after its sort, in one pass: pieces taken in `order` (by track, zone, ga)
    are joined while they touch; an interval that enters the polygon runs from its first to its
    last piece that is not the approach; grazes are dropped."""
    n = order.shape[0]
    out_t = np.empty(n, np.int64)
    out_z = np.empty(n, np.int64)
    out_a = np.empty(n)
    out_b = np.empty(n)
    m = 0
    i = 0
    while i < n:
        head = order[i]
        j = i + 1
        while j < n:
            o, prev = order[j], order[j - 1]
            if track[o] != track[head] or zone[o] != zone[head] or ga[o] > gb[prev] + 1e-9:
                break
            j += 1
        any_strict, any_in, total_len, total_dur = False, False, 0.0, 0.0
        first, last = -1, -1
        for k in range(i, j):
            o = order[k]
            any_strict |= strict[o]
            any_in |= in_poly[o]
            total_len += length[o]
            total_dur += duration[o]
            if not approach[o]:
                if first < 0:
                    first = o
                last = o
        if any_strict or not (total_len < 2 * tol_m and total_dur < tol_s):
            if not any_in:
                first, last = head, order[j - 1]
            out_t[m], out_z[m], out_a[m], out_b[m] = track[head], zone[head], ga[first], gb[last]
            m += 1
        i = j
    return out_t[:m].copy(), out_z[:m].copy(), out_a[:m].copy(), out_b[:m].copy()


@njit(cache=True)
def far_runs(keys: np.ndarray, nz: int, track: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs of (segment, zone) pairs along tracks: `keys` (segment * nz + zone, sorted, unique)
    grouped into runs of consecutive segments of one track with the same zone. Returns the first
    segment, the end (one past the last segment) and the zone of each run, by first segment."""
    n = keys.shape[0]
    last = np.full(nz, -2, np.int64)  # per zone: the last segment seen, and its run
    current = np.zeros(nz, np.int64)
    head = np.empty(n, np.int64)
    end = np.empty(n, np.int64)
    zone = np.empty(n, np.int64)
    m = 0
    for k in range(n):
        s, z = keys[k] // nz, keys[k] % nz
        if last[z] == s - 1 and track[s] == track[s - 1]:
            end[current[z]] = s + 1
        else:
            head[m], end[m], zone[m] = s, s + 1, z
            current[z] = m
            m += 1
        last[z] = s
    return head[:m].copy(), end[:m].copy(), zone[:m].copy()


@njit(cache=True)
def split_at_cuts(cuts_key: np.ndarray, cuts_t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each (segment, zone) key cut at its parameters cuts_t (in [0, 1]) into pieces from 0 to 1:
    (key, a, b) per piece, by key and then a (pieces of no length included)."""
    order = np.argsort(cuts_key, kind="mergesort")
    n = order.shape[0]
    groups = 0
    for i in range(n):
        if i == 0 or cuts_key[order[i]] != cuts_key[order[i - 1]]:
            groups += 1
    out_k = np.empty(n + groups, np.int64)
    out_a = np.empty(n + groups)
    out_b = np.empty(n + groups)
    ts = np.empty(n + 2)
    m = 0
    i = 0
    while i < n:
        key = cuts_key[order[i]]
        j = i
        ts[0] = 0.0
        c = 1
        while j < n and cuts_key[order[j]] == key:
            t = cuts_t[order[j]]
            at = c  # insertion sort: groups are small
            while at > 1 and ts[at - 1] > t:
                ts[at] = ts[at - 1]
                at -= 1
            ts[at] = t
            c += 1
            j += 1
        ts[c] = 1.0
        for u in range(c):
            out_k[m], out_a[m], out_b[m] = key, ts[u], ts[u + 1]
            m += 1
        i = j
    return out_k, out_a, out_b


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


@njit(cache=True)
def sort_groups(order: np.ndarray, key: np.ndarray, value: np.ndarray) -> np.ndarray:
    """`order` (stable by key) made stable by key and then value, as np.lexsort((value, key)):
    each run of equal keys sorted by value, stably (most runs are in order already)."""
    n = order.shape[0]
    out = order.copy()
    i = 0
    while i < n:
        j = i + 1
        ordered = True
        while j < n and key[out[j]] == key[out[i]]:
            if value[out[j]] < value[out[j - 1]]:
                ordered = False
            j += 1
        if not ordered:
            group = out[i:j].copy()
            out[i:j] = group[np.argsort(value[group], kind="mergesort")]
        i = j
    return out


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
    """`kernel._quad_pairs` for segments rows[k] whose box spans at most 2 x 2 cells, one segment
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


def warm(edges: np.ndarray) -> None:
    """Load (on a new machine: compile) every loop above for the argument types the kernel
    passes, on empty input, so that processes forked afterwards inherit them."""
    i = np.zeros(0, np.int64)
    f = np.zeros(0)
    b = np.zeros(0, np.bool_)
    xy = np.zeros((0, 2))
    edges = np.ascontiguousarray(edges, dtype=float).reshape(-1, 4)
    run_pieces(i, i, i, f, f, xy, xy, f, f, f, f, f, f, i, 1e-12)
    merge_sorted(i, i, i, f, f, b, b, b, f, f, 1.0, 1.0)
    sort_groups(i, i, f)
    far_runs(i, 1, i)
    split_at_cuts(i, f)
    edge_distance(i, f, f, i, i, edges)
    edge_cuts(xy, xy, i, i, edges, 1.0)
    quad_pairs(i, i, i, i, i, 1, i, i, i, i, i)
    vertical_pieces(i, f, f, f, f, xy, xy, f, f, f, f, f, f, i, 1e-12)
