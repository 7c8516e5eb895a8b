"""Segments against zone edges, vectorised: crossings, the tolerance band around an edge,
distances to edges, and vertical limits along a segment. Rows are (segment, edge) pairs; the
segment runs from p (t = 0) to q (t = 1) and edges are given as x1 y1 x2 y2."""

from __future__ import annotations

import numpy as np

from ..tolerance import TOL_M

__all__ = ["band_cuts", "crossings", "edge_distance", "vertical_cut"]


def crossings(p: np.ndarray, q: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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


def band_cuts(p: np.ndarray, q: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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


def edge_distance(
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


def vertical_cut(z0: np.ndarray, z1: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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
