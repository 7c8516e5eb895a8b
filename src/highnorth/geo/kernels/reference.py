"""The reference kernel: candidates from the zones' STRtree (bounding boxes), every candidate
computed exactly with numpy and GEOS (prepared polygons, an STRtree of edges). Simple, loads no
compiled code; the fast kernel is tested against it."""

from __future__ import annotations

import numpy as np

from ..tolerance import TOL_M
from .base import Intervals, Kernel, Pieces, PreparedZones, Segments, merge, no_pieces
from .edges import band_cuts, crossings, edge_distance
from .exact import exact_pieces, piece_values, point_in_zones, tree_pairs, vertical

__all__ = ["ReferenceKernel", "near_edges"]


def near_edges(segs: Segments, rows: np.ndarray, zones: PreparedZones) -> tuple[np.ndarray, np.ndarray]:
    """(segment, edge) for every zone edge within TOL_M of the given segments (STRtree)."""
    if not len(rows):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    u, ee = zones.edge_tree.query(segs.geometries(rows), predicate="dwithin", distance=TOL_M)
    return rows[u], ee


class ReferenceKernel(Kernel):
    """Every bounding-box candidate computed exactly."""

    def __init__(self, zones: PreparedZones) -> None:
        self.zones = zones

    def intervals(self, segs: Segments) -> Intervals:
        every = np.arange(len(segs))
        pair_seg, pair_zone = tree_pairs(segs, every, self.zones)
        return merge(exact_pieces(self, segs, pair_seg, pair_zone, near_edges(segs, every, self.zones)))

    def edge_cuts(self, segs: Segments, es: np.ndarray, ee: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        p, q, e = segs.p[es], segs.q[es], self.zones.edges[ee]
        cross_row, cross_t = crossings(p, q, e)
        band_row, band_t = band_cuts(p, q, e)
        return np.concatenate([cross_row, band_row]), np.concatenate([cross_t, band_t])

    def split(
        self, keys: np.ndarray, cuts_key: np.ndarray, cuts_t: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        all_key = np.concatenate([keys, keys, cuts_key])
        all_t = np.concatenate([np.zeros(len(keys)), np.ones(len(keys)), cuts_t])
        order = np.lexsort((all_t, all_key))
        all_key, all_t = all_key[order], all_t[order]
        same = all_key[1:] == all_key[:-1]
        return all_key[:-1][same], all_t[:-1][same], all_t[1:][same]

    def edge_distance(
        self, keys: np.ndarray, x: np.ndarray, y: np.ndarray, near_key: np.ndarray, ee: np.ndarray
    ) -> np.ndarray:
        return edge_distance(keys, x, y, near_key, self.zones.edges[ee])

    def in_zones(self, zone: np.ndarray, x: np.ndarray, y: np.ndarray, clear: np.ndarray) -> np.ndarray:
        return point_in_zones(self.zones.geoms, zone, x, y)

    def far_pieces(self, segs: Segments, keys: np.ndarray) -> Pieces:
        if not len(keys):
            return no_pieces()
        nz = len(self.zones.geoms)
        s, zi = keys // nz, keys % nz
        order = np.argsort(zi * (len(segs) + 1) + s)  # by zone, then segment (keys are unique)
        s, zi = s[order], zi[order]
        head = np.r_[True, (zi[1:] != zi[:-1]) | (s[1:] != s[:-1] + 1) | (segs.track[s[1:]] != segs.track[s[:-1]])]
        run = np.cumsum(head) - 1
        hs = s[head]
        mx, my = (segs.p[hs, 0] + segs.q[hs, 0]) / 2, (segs.p[hs, 1] + segs.q[hs, 1]) / 2
        inside = point_in_zones(self.zones.geoms, zi[head], mx, my)
        s, zi = s[inside[run]], zi[inside[run]]
        true = np.ones(len(s), bool)
        return self.limited_pieces(segs, s, zi, np.zeros(len(s)), np.ones(len(s)), true, true, ~true)

    def limited_pieces(
        self,
        segs: Segments,
        s: np.ndarray,
        zi: np.ndarray,
        a: np.ndarray,
        b: np.ndarray,
        in_poly: np.ndarray,
        strict: np.ndarray,
        approach: np.ndarray,
    ) -> Pieces:
        a, b, kept = vertical(segs, s, zi, a, b, self.zones)
        return piece_values(segs, s[kept], zi[kept], a[kept], b[kept], in_poly[kept], strict[kept], approach[kept])
