"""Compiled merge of the fast kernel: pieces sorted by (track, zone, start) (`sort_groups`) and
joined into intervals (`merge_sorted`), with the semantics of `kernels/base.merge`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["merge_sorted", "sort_groups"]


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
    """`base.merge` after its sort, in one pass: pieces taken in `order` (by track, zone, ga)
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
