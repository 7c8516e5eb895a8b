"""Exact pieces: the candidate (segment, zone) pairs of a kernel computed exactly.

Each candidate segment is cut where it crosses an edge near it and where it enters or leaves the
`TOL_M` band around such an edge (the exact crossing of a segment and a zone edge:
`edges.crossings` and `edges.band_cuts`, or `compiled.edges.edge_cuts`); each piece is tested at
its midpoint (point in polygon, and distance to the near edges); vertical limits cut it where the
linear altitude crosses them. Pairs with no edge near the segment are wholly in or out
(`Kernel.far_pieces`). The steps where the kernels differ are methods of the `Kernel`; the
helpers below are the reference's numpy and GEOS versions, which the fast kernel also uses where
it has no faster way. Everything is vectorised; there is no loop over segments or pieces in
Python.
"""

from __future__ import annotations

import itertools

import numpy as np
import shapely

from ..tolerance import EPS, TOL_M, TRIM_M
from .base import Kernel, Pieces, PreparedZones, Segments, sorted_unique
from .edges import vertical_cut

__all__ = ["CLEAR_M", "exact_pieces", "member", "piece_values", "point_in_zones", "tree_pairs", "vertical"]

#: a point this far from every edge of its zone is located by the grid's crossing number, whose
#: rounding errors are many orders of magnitude smaller; nearer ones (a track along a border) ask
#: the polygon, whose predicates are exact
CLEAR_M = 1e-3


def exact_pieces(
    kernel: Kernel, segs: Segments, pair_seg: np.ndarray, pair_zone: np.ndarray, near: tuple[np.ndarray, np.ndarray]
) -> Pieces:
    """The exact pieces of the candidate (segment, zone) pairs inside their zones. `near` lists
    (segment, edge) for every zone edge within TOL_M of a segment; their zones become candidates
    too."""
    zones = kernel.zones
    nz = len(zones.geoms)
    es, ee = near
    near_key = es * nz + zones.edge_zone[ee]
    pair_key = sorted_unique(np.concatenate([pair_seg * nz + pair_zone, near_key]))
    p, q = segs.p, segs.q
    cut_row, cut_t = kernel.edge_cuts(segs, es, ee)
    cuts_key = near_key[cut_row]
    cuts_t = np.clip(cut_t, 0.0, 1.0)

    # pairs with no edge near the segment are wholly in or out; along a track such pairs form
    # runs whose state one point-in-polygon test decides
    is_near = member(sorted_unique(near_key), pair_key)
    far = kernel.far_pieces(segs, pair_key[~is_near])
    pair_key = pair_key[is_near]
    # pairs without cuts are one piece 0..1; only the others are sorted and split
    cut_pairs = member(sorted_unique(cuts_key), pair_key)
    whole = pair_key[~cut_pairs]
    split_k, split_a, split_b = kernel.split(pair_key[cut_pairs], cuts_key, cuts_t)
    a = np.concatenate([np.zeros(len(whole)), split_a])
    b = np.concatenate([np.ones(len(whole)), split_b])
    k = np.concatenate([whole, split_k])
    keep = b - a > EPS  # a segment where the actor stays in place still spans 0..1
    a, b, k = a[keep], b[keep], k[keep]
    s, zi = k // nz, k % nz
    mid = (a + b) / 2
    mx = p[s, 0] + (q[s, 0] - p[s, 0]) * mid
    my = p[s, 1] + (q[s, 1] - p[s, 1]) * mid
    edge_dist = kernel.edge_distance(k, mx, my, near_key, ee)
    on_edge = edge_dist <= TOL_M
    in_poly = kernel.in_zones(zi, mx, my, clear=edge_dist > CLEAR_M)
    inside = in_poly | on_edge
    approach = ~in_poly & (edge_dist > TRIM_M)  # outside by more than chord noise
    a, b, s, zi, in_poly, on_edge, approach = (v[inside] for v in (a, b, s, zi, in_poly, on_edge, approach))
    return Pieces.concat([far, kernel.limited_pieces(segs, s, zi, a, b, in_poly, in_poly & ~on_edge, approach)])


def member(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Whether each key is one of `sorted_keys`."""
    if not len(sorted_keys):
        return np.zeros(len(keys), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[at] == keys


def vertical(
    segs: Segments, s: np.ndarray, zi: np.ndarray, a: np.ndarray, b: np.ndarray, zones: PreparedZones
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pieces [a, b] of segments s limited to the vertical band of zones zi; (a, b, kept)."""
    flat = np.isnan(segs.z0[s])
    lo_t, hi_t = vertical_cut(segs.z0[s], segs.z1[s], zones.lower[zi], zones.upper[zi])
    a3, b3 = np.maximum(a, lo_t), np.minimum(b, hi_t)
    band_lo, band_hi = np.maximum(segs.lo[s], zones.lower[zi]), np.minimum(segs.hi[s], zones.upper[zi])
    band_ok = np.where(segs.lo[s] == segs.hi[s], band_lo <= band_hi, band_lo < band_hi)
    kept = np.where(flat, band_ok, b3 - a3 > EPS)
    return np.where(flat, a, a3), np.where(flat, b, b3), kept


def piece_values(
    segs: Segments,
    s: np.ndarray,
    zi: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    in_poly: np.ndarray,
    strict: np.ndarray,
    approach: np.ndarray,
) -> Pieces:
    """Pieces [a, b] of segments s in zones zi, in global parameters with length and duration."""
    seg_len = np.hypot(segs.q[s, 0] - segs.p[s, 0], segs.q[s, 1] - segs.p[s, 1])
    return Pieces(
        track=segs.track[s],
        zone=zi,
        ga=segs.local[s] + a,
        gb=segs.local[s] + b,
        in_poly=in_poly,
        strict=strict,
        approach=approach,
        length=seg_len * (b - a),
        duration=(segs.s1[s] - segs.s0[s]) * (b - a),
    )


def point_in_zones(geoms: np.ndarray, zone: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Whether each point (x, y) is in (or on) its zone: one prepared-polygon call per zone."""
    out = np.zeros(len(zone), dtype=bool)
    if not len(zone):
        return out
    order = np.argsort(zone, kind="stable")
    bounds = np.flatnonzero(np.r_[True, zone[order][1:] != zone[order][:-1], True])
    for a, b in itertools.pairwise(bounds):
        rows = order[a:b]
        out[rows] = shapely.intersects_xy(geoms[zone[rows[0]]], x[rows], y[rows])
    return out


def tree_pairs(segs: Segments, rows: np.ndarray, zones: PreparedZones) -> tuple[np.ndarray, np.ndarray]:
    """(segment, zone) for every zone whose bounding box meets one of the given segments."""
    if not len(rows):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    u, zi = zones.tree.query(segs.geometries(rows))
    return rows[u], zi
