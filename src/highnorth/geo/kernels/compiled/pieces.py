"""Compiled loops that make pieces: runs of segments inside zones cut by the zones' vertical
limits (`run_pieces`), pieces of single segments limited vertically (`vertical_pieces`), runs of
(segment, zone) pairs far from every edge (`far_runs`), and (segment, zone) pairs split at their
cuts (`split_at_cuts`). Each does what the reference kernel does with numpy
(`kernels/exact.py`), in one pass.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["far_runs", "run_pieces", "split_at_cuts", "vertical_pieces"]


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


@njit(cache=True, error_model="numpy")
def _vertical_one(
    a: float, b: float, z0: float, z1: float, zlo: float, zhi: float, lo: float, hi: float, eps: float
) -> tuple[bool, float, float]:
    """`exact.vertical` for one piece [a, b] of a segment from altitude z0 to z1 (nan: a 2D
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
    zone (`exact.vertical` and `exact.piece_values`): (k kept, ga, gb, length, duration)."""
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
    of its segments within the band, touching parts joined (as `base.merge` would join them).
    Returns (pair, ga, gb, length, duration); the arithmetic is that of `exact.vertical`."""
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
def _grow(out_k: np.ndarray, out_f: np.ndarray, used: int, cap: int) -> tuple[np.ndarray, np.ndarray]:
    k = np.empty(cap, np.int64)
    f = np.empty((cap, out_f.shape[1]))
    k[:used] = out_k[:used]
    f[:used] = out_f[:used]
    return k, f


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
