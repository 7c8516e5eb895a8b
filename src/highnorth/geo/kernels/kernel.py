"""The track kernel over many tracks at once: exact pieces, the grid fast path, merging.

Two ways to find which (segment, zone) pairs need exact geometry, one exact computation, one merge:

- `reference_intervals`: candidates from the zones' STRtree (bounding boxes), every candidate
  computed exactly. Simple; the reference the fast path is tested against.
- `fast_intervals`: a segment that lies in one grid cell is inside the cell's *cover* zones for
  its whole length (runs of such segments become intervals without geometry) and needs exact
  work only for the cell's *boundary* zones (grid.py); other segments take the reference path.
  The edges near each segment come from the grid's per-cell edge lists, and points away from
  every edge are located by crossing number against them (compiled loops, compiled.py), where
  the reference asks GEOS (an STRtree of edges, prepared polygons).

Exact pieces (`exact_pieces`): each candidate segment is cut where it crosses an edge near it and
where it enters or leaves the `TOL_M` band around such an edge; each piece is tested at its
midpoint (prepared point-in-polygon, and distance to the near edges); vertical limits cut it
where the linear altitude crosses them. `merge` joins touching pieces per (track, zone), trims
the approach through the band, and drops grazes. Everything is vectorised with numpy or compiled;
there is no loop over segments or pieces in Python.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from ..exposures.track import EPS, TOL_M, TOL_S, TRIM_M, Track
from .edges import band_cuts, crossings, edge_distance, vertical_cut
from .grid import ZoneGrid, sorted_unique

__all__ = ["Intervals", "Segments", "fast_intervals", "reference_intervals"]


@dataclass(frozen=True)
class Segments:
    """The segments of several tracks, concatenated; `track` and `local` say whose and which."""

    p: np.ndarray  # (n, 2) start in the frame
    q: np.ndarray  # (n, 2) end
    s0: np.ndarray  # seconds at the start and end
    s1: np.ndarray
    z0: np.ndarray  # altitude at the start and end; nan for 2D tracks
    z1: np.ndarray
    lo: np.ndarray  # the altitude band of a 2D track (its activity's), else -inf..inf
    hi: np.ndarray
    track: np.ndarray
    local: np.ndarray

    @classmethod
    def of(cls, tracks: Sequence[Track], bands: Sequence[tuple[float, float] | None]) -> Segments:
        counts = np.array([max(len(t.x) - 1, 0) for t in tracks], dtype=np.int64)
        n = int(counts.sum())
        track = np.repeat(np.arange(len(tracks)), counts)
        local = np.arange(n) - np.repeat(np.cumsum(counts) - counts, counts)

        # every vertex of every track once; a segment starts at each but the last of its track
        sizes = np.array([len(t.x) for t in tracks], dtype=np.int64)
        last = np.cumsum(sizes) - 1
        starts = np.ones(int(sizes.sum()), dtype=bool)
        starts[last[sizes > 0]] = False
        ends = np.roll(starts, 1)

        def cat(get: Any, shift: int) -> np.ndarray:
            every = np.concatenate([get(t) for t in tracks]) if tracks else np.zeros(0)
            return every[ends] if shift else every[starts]

        nan = np.full
        z0 = cat(lambda t: t.z if t.z is not None else nan(len(t.x), np.nan), 0)
        z1 = cat(lambda t: t.z if t.z is not None else nan(len(t.x), np.nan), 1)
        band = [b if b is not None else (-np.inf, np.inf) for b in bands]
        lo = np.repeat(np.array([b[0] for b in band], dtype=float), counts)
        hi = np.repeat(np.array([b[1] for b in band], dtype=float), counts)
        return cls(
            p=np.column_stack([cat(lambda t: t.x, 0), cat(lambda t: t.y, 0)]).reshape(-1, 2),
            q=np.column_stack([cat(lambda t: t.x, 1), cat(lambda t: t.y, 1)]).reshape(-1, 2),
            s0=cat(lambda t: t.seconds, 0),
            s1=cat(lambda t: t.seconds, 1),
            z0=z0,
            z1=z1,
            lo=lo,
            hi=hi,
            track=track,
            local=local,
        )

    def __len__(self) -> int:
        return len(self.track)

    def geometries(self, rows: np.ndarray) -> np.ndarray:
        """Shapely geometries of some segments; one where the actor stays in place is a point."""
        p, q = self.p[rows], self.q[rows]
        still = np.all(p == q, axis=1)
        out = shapely.linestrings(np.stack([p, q], axis=1)) if len(rows) else np.zeros(0, dtype=object)
        if still.any():
            out[still] = shapely.points(p[still])
        return out


@dataclass(frozen=True)
class Pieces:
    """Parts of tracks inside zones, in global parameters (segment index within its track + t)."""

    track: np.ndarray
    zone: np.ndarray
    ga: np.ndarray
    gb: np.ndarray
    in_poly: np.ndarray
    strict: np.ndarray
    approach: np.ndarray
    length: np.ndarray
    duration: np.ndarray

    @staticmethod
    def concat(parts: Sequence[Pieces]) -> Pieces:
        return Pieces(*(np.concatenate([getattr(p, f) for p in parts]) for f in Pieces.__dataclass_fields__))


@dataclass(frozen=True)
class Intervals:
    """Merged intervals: track index, zone index, start and end global parameter."""

    track: np.ndarray
    zone: np.ndarray
    ga: np.ndarray
    gb: np.ndarray


def _member(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    if not len(sorted_keys):
        return np.zeros(len(keys), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[at] == keys


def _vertical(
    segs: Segments, s: np.ndarray, zi: np.ndarray, a: np.ndarray, b: np.ndarray, index: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pieces [a, b] of segments s limited to the vertical band of zones zi; (a, b, kept)."""
    flat = np.isnan(segs.z0[s])
    lo_t, hi_t = vertical_cut(segs.z0[s], segs.z1[s], index.lower[zi], index.upper[zi])
    a3, b3 = np.maximum(a, lo_t), np.minimum(b, hi_t)
    band_lo, band_hi = np.maximum(segs.lo[s], index.lower[zi]), np.minimum(segs.hi[s], index.upper[zi])
    band_ok = np.where(segs.lo[s] == segs.hi[s], band_lo <= band_hi, band_lo < band_hi)
    kept = np.where(flat, band_ok, b3 - a3 > EPS)
    return np.where(flat, a, a3), np.where(flat, b, b3), kept


def _point_in_zones(geoms: np.ndarray, zone: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
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


#: a point this far from every edge of its zone is located by the grid's crossing number, whose
#: rounding errors are many orders of magnitude smaller; nearer ones (a track along a border) ask
#: the polygon, whose predicates are exact
CLEAR_M = 1e-3


def _in_zones(
    index: Any, grid: ZoneGrid | None, zone: np.ndarray, x: np.ndarray, y: np.ndarray, clear: np.ndarray
) -> np.ndarray:
    """Whether each point is in (or on) its zone. With a grid, the points `clear` of every edge of
    their zone (farther than CLEAR_M) are located by the grid's compiled crossing number; the
    others, and those the grid cannot tell, by the prepared polygon."""
    if grid is None:
        return _point_in_zones(index.geoms, zone, x, y)
    state = np.full(len(zone), -1, dtype=np.int8)
    state[clear] = grid.locate(x[clear], y[clear], zone[clear])
    out = state > 0
    ask = np.flatnonzero(state < 0)
    out[ask] = _point_in_zones(index.geoms, zone[ask], x[ask], y[ask])
    return out


def near_edges(segs: Segments, rows: np.ndarray, index: Any) -> tuple[np.ndarray, np.ndarray]:
    """(segment, edge) for every zone edge within TOL_M of the given segments (STRtree)."""
    if not len(rows):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    u, ee = index.edge_tree.query(segs.geometries(rows), predicate="dwithin", distance=TOL_M)
    return rows[u], ee


def exact_pieces(
    segs: Segments,
    pair_seg: np.ndarray,
    pair_zone: np.ndarray,
    index: Any,
    near: tuple[np.ndarray, np.ndarray],
    grid: ZoneGrid | None = None,
) -> Pieces:
    """The exact pieces of the candidate (segment, zone) pairs inside their zones. `near` lists
    (segment, edge) for every zone edge within TOL_M of a segment; their zones become candidates
    too. With a `grid`, points away from the edges are located by it (`_in_zones`)."""
    nz = len(index.geoms)
    es, ee = near
    near_key = es * nz + index.edge_zone[ee]
    pair_key = sorted_unique(np.concatenate([pair_seg * nz + pair_zone, near_key]))
    p, q = segs.p, segs.q
    if grid is not None:  # compiled: the same cuts, row by row
        from . import compiled

        cut_row, cut_t = compiled.edge_cuts(p, q, es, ee, index.edges, TOL_M)
    else:
        cross_row, cross_t = crossings(p[es], q[es], index.edges[ee])
        band_row, band_t = band_cuts(p[es], q[es], index.edges[ee])
        cut_row, cut_t = np.concatenate([cross_row, band_row]), np.concatenate([cross_t, band_t])
    cuts_key = near_key[cut_row]
    cuts_t = np.clip(cut_t, 0.0, 1.0)

    # pairs with no edge near the segment are wholly in or out; along a track such pairs form
    # runs whose state one point-in-polygon test decides
    near_pairs = sorted_unique(near_key)
    is_near = _member(near_pairs, pair_key)
    far = _far_pieces(segs, pair_key[~is_near], nz, index, grid)
    pair_key = pair_key[is_near]
    # pairs without cuts are one piece 0..1; only the others are sorted and split
    cut_pairs = _member(sorted_unique(cuts_key), pair_key)
    whole = pair_key[~cut_pairs]
    if grid is not None:  # compiled: the same pieces in the same order
        from . import compiled

        split_k, split_a, split_b = compiled.split_at_cuts(cuts_key, cuts_t)
    else:
        split = pair_key[cut_pairs]
        all_key = np.concatenate([split, split, cuts_key])
        all_t = np.concatenate([np.zeros(len(split)), np.ones(len(split)), cuts_t])
        order = np.lexsort((all_t, all_key))
        all_key, all_t = all_key[order], all_t[order]
        same = all_key[1:] == all_key[:-1]
        split_k, split_a, split_b = all_key[:-1][same], all_t[:-1][same], all_t[1:][same]
    a = np.concatenate([np.zeros(len(whole)), split_a])
    b = np.concatenate([np.ones(len(whole)), split_b])
    k = np.concatenate([whole, split_k])
    keep = b - a > EPS  # a segment where the actor stays in place still spans 0..1
    a, b, k = a[keep], b[keep], k[keep]
    s, zi = k // nz, k % nz
    mid = (a + b) / 2
    mx = p[s, 0] + (q[s, 0] - p[s, 0]) * mid
    my = p[s, 1] + (q[s, 1] - p[s, 1]) * mid
    if grid is not None:
        from . import compiled

        by_key = np.argsort(near_key, kind="stable")
        edge_dist = compiled.edge_distance(k, mx, my, near_key[by_key], ee[by_key], index.edges)
    else:
        edge_dist = edge_distance(k, mx, my, near_key, index.edges[ee])
    on_edge = edge_dist <= TOL_M
    in_poly = _in_zones(index, grid, zi, mx, my, clear=edge_dist > CLEAR_M)
    inside = in_poly | on_edge
    approach = ~in_poly & (edge_dist > TRIM_M)  # outside by more than chord noise
    a, b, s, zi, in_poly, on_edge, approach = (v[inside] for v in (a, b, s, zi, in_poly, on_edge, approach))
    if grid is not None:
        return Pieces.concat([far, _limited_pieces(segs, index, s, zi, a, b, in_poly, in_poly & ~on_edge, approach)])
    a, b, kept = _vertical(segs, s, zi, a, b, index)
    a, b, s, zi, in_poly, on_edge, approach = (v[kept] for v in (a, b, s, zi, in_poly, on_edge, approach))
    return Pieces.concat([far, _pieces(segs, s, zi, a, b, in_poly, in_poly & ~on_edge, approach)])


def _pieces(
    segs: Segments,
    s: np.ndarray,
    zi: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    in_poly: np.ndarray,
    strict: np.ndarray,
    approach: np.ndarray,
) -> Pieces:
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


def _limited_pieces(
    segs: Segments,
    index: Any,
    s: np.ndarray,
    zi: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    in_poly: np.ndarray,
    strict: np.ndarray,
    approach: np.ndarray,
) -> Pieces:
    """`_vertical` then `_pieces`, in one compiled pass (the fast path)."""
    from . import compiled

    s, zi = np.ascontiguousarray(s), np.ascontiguousarray(zi)
    rows, ga, gb, length, duration = compiled.vertical_pieces(
        s, a, b, index.lower[zi], index.upper[zi], segs.p, segs.q, segs.s0, segs.s1,
        segs.z0, segs.z1, segs.lo, segs.hi, segs.local, EPS,
    )  # fmt: skip
    s = s[rows]
    return Pieces(segs.track[s], zi[rows], ga, gb, in_poly[rows], strict[rows], approach[rows], length, duration)


def _far_pieces(segs: Segments, keys: np.ndarray, nz: int, index: Any, grid: ZoneGrid | None) -> Pieces:
    """Pieces of (segment, zone) pairs with no zone edge within TOL_M of the segment: each is
    wholly inside or outside, and so is a run of such pairs along one track (no crossing between
    them), so one point-in-polygon test per run decides it."""
    if not len(keys):
        return _no_pieces()
    if grid is not None:  # the fast path: runs found in one compiled pass, one piece per run inside
        from . import compiled

        hs, end, zh = compiled.far_runs(keys, nz, segs.track)
        mx, my = (segs.p[hs, 0] + segs.q[hs, 0]) / 2, (segs.p[hs, 1] + segs.q[hs, 1]) / 2
        inside = _in_zones(index, grid, zh, mx, my, np.ones(len(hs), bool))
        return _run_pieces(segs, index, hs[inside], end[inside], np.arange(int(inside.sum())), zh[inside])
    s, zi = keys // nz, keys % nz
    order = np.argsort(zi * (len(segs) + 1) + s)  # by zone, then segment (keys are unique)
    s, zi = s[order], zi[order]
    head = np.r_[True, (zi[1:] != zi[:-1]) | (s[1:] != s[:-1] + 1) | (segs.track[s[1:]] != segs.track[s[:-1]])]
    run = np.cumsum(head) - 1
    hs = s[head]
    mx, my = (segs.p[hs, 0] + segs.q[hs, 0]) / 2, (segs.p[hs, 1] + segs.q[hs, 1]) / 2
    clear = np.ones(len(hs), bool)  # no edge of the zone within TOL_M of the segment, so > CLEAR_M
    inside = _in_zones(index, grid, zi[head], mx, my, clear)
    s, zi = s[inside[run]], zi[inside[run]]
    a, b, kept = _vertical(segs, s, zi, np.zeros(len(s)), np.ones(len(s)), index)
    s, zi, a, b = s[kept], zi[kept], a[kept], b[kept]
    true = np.ones(len(s), bool)
    return _pieces(segs, s, zi, a, b, true, true, ~true)


def merge(pieces: Pieces, compiled: bool = False) -> Intervals:
    """Join touching pieces per (track, zone); trim the approach through the band of an interval
    that enters the polygon; drop grazes (never strictly inside, shorter than the band's width
    and than TOL_S). `compiled`: the same after the sort in one compiled pass (the fast path;
    the reference does not load numba)."""
    n = len(pieces.ga)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Intervals(empty, empty, np.zeros(0), np.zeros(0))
    key = pieces.track * (int(pieces.zone.max()) + 1) + pieces.zone
    if compiled:
        from . import compiled as loops

        p = pieces
        order = loops.sort_groups(np.argsort(key, kind="stable"), key, p.ga)  # = np.lexsort((ga, key))
        return Intervals(
            *loops.merge_sorted(
                order, p.track, p.zone, p.ga, p.gb, p.in_poly, p.strict, p.approach, p.length, p.duration, TOL_M, TOL_S
            )
        )
    order = np.lexsort((pieces.ga, key))
    v = {f: getattr(pieces, f)[order] for f in Pieces.__dataclass_fields__}
    new_key = np.r_[True, (v["track"][1:] != v["track"][:-1]) | (v["zone"][1:] != v["zone"][:-1])]
    starts = np.flatnonzero(new_key | np.r_[True, v["ga"][1:] > v["gb"][:-1] + 1e-9])
    ends = np.r_[starts[1:], n] - 1
    strict = np.logical_or.reduceat(v["strict"], starts)
    in_poly = np.logical_or.reduceat(v["in_poly"], starts)
    graze = (
        ~strict & (np.add.reduceat(v["length"], starts) < 2 * TOL_M) & (np.add.reduceat(v["duration"], starts) < TOL_S)
    )
    idx = np.arange(n)
    first = np.where(in_poly, np.minimum.reduceat(np.where(~v["approach"], idx, n), starts), starts)
    last = np.where(in_poly, np.maximum.reduceat(np.where(~v["approach"], idx, -1), starts), ends)
    keep = ~graze
    return Intervals(v["track"][starts][keep], v["zone"][starts][keep], v["ga"][first][keep], v["gb"][last][keep])


def _tree_pairs(segs: Segments, rows: np.ndarray, index: Any) -> tuple[np.ndarray, np.ndarray]:
    if not len(rows):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    u, zi = index.tree.query(segs.geometries(rows))
    return rows[u], zi


def reference_intervals(segs: Segments, index: Any) -> Intervals:
    """The simple kernel: every bounding-box candidate computed exactly."""
    every = np.arange(len(segs))
    pair_seg, pair_zone = _tree_pairs(segs, every, index)
    return merge(exact_pieces(segs, pair_seg, pair_zone, index, near_edges(segs, every, index)))


def fast_intervals(segs: Segments, index: Any, grid: ZoneGrid) -> Intervals:
    """The same intervals as `reference_intervals`, with the grid's fast path."""
    n = len(segs)
    if n == 0:
        return merge(_no_pieces())
    i0, j0, in0 = grid.cells(segs.p[:, 0], segs.p[:, 1])
    i1, j1, in1 = grid.cells(segs.q[:, 0], segs.q[:, 1])
    single = in0 & in1 & (i0 == i1) & (j0 == j1)
    cell = np.where(single, j0 * grid.nx + i0, 0)

    # exact work: boundary zones of single-cell segments; segments over 2 x 2 cells at most get
    # theirs from the cells too; longer ones take the STRtree candidates
    srows = np.flatnonzero(single)
    r, bz = grid.boundary_of(cell[srows])
    quad = ~single & in0 & in1 & (np.abs(i1 - i0) <= 1) & (np.abs(j1 - j0) <= 1)
    qrows = np.flatnonzero(quad)
    q_cover, q_whole, q_exact = _quad_pairs(grid, qrows, i0, j0, i1, j1)
    t_seg, t_zone = _tree_pairs(segs, np.flatnonzero(~single & ~quad), index)
    # the edges near each segment: the grid's per-cell edge lists walked by compiled code
    exact = exact_pieces(
        segs,
        np.concatenate([srows[r], q_exact[0], t_seg]),
        np.concatenate([bz, q_exact[1], t_zone]),
        index,
        grid.near_edges(segs.p, segs.q),
        grid,
    )
    s, zi = q_whole
    true = np.ones(len(s), bool)
    quad_pieces = _limited_pieces(segs, index, s, zi, np.zeros(len(s)), np.ones(len(s)), true, true, ~true)

    # runs of segments of one track with one cover set (single-cell segments, and those over
    # 2 x 2 cells with the same set): inside those zones throughout
    cid = np.where(single, grid.cover_id[cell], 0)
    cid[qrows] = q_cover
    run_start = np.flatnonzero((cid > 0) & np.r_[True, (cid[1:] != cid[:-1]) | (segs.track[1:] != segs.track[:-1])])
    run_end = run_start + 1
    if len(run_start):
        # the end of each run: the next segment where cid or track changes
        change = np.flatnonzero(np.r_[(cid[1:] != cid[:-1]) | (segs.track[1:] != segs.track[:-1]), True])
        run_end = change[np.searchsorted(change, run_start)] + 1
    covered = _cover_pieces(segs, index, grid, run_start, run_end, cid)
    return merge(Pieces.concat([exact, covered, quad_pieces]), compiled=True)


def _quad_pairs(
    grid: ZoneGrid, rows: np.ndarray, i0: np.ndarray, j0: np.ndarray, i1: np.ndarray, j1: np.ndarray
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """For segments whose box spans at most 2 x 2 cells: the id of the cover set of all the cells
    of the box where they have the same (else 0); the (segment, zone) pairs inside the zone
    throughout (it covers every cell of the box) for the others; and the pairs that need exact
    work (a boundary zone of some cell, or a zone covering only some of them). Where every cell
    has the same cover set, the zones inside throughout are exactly its members (a zone covering
    a cell is not a boundary zone of it), so the segment can join a run of that set (compiled,
    one segment at a time)."""
    from . import compiled

    cover, whole, exact = compiled.quad_pairs(
        rows, i0, j0, i1, j1, grid.nx, grid.cover_id, grid.cover_ptr, grid.cover_members,
        grid.boundary_ptr, grid.boundary_zones,
    )  # fmt: skip
    return cover, (whole[:, 0], whole[:, 1]), (exact[:, 0], exact[:, 1])


def _no_pieces() -> Pieces:
    e = np.zeros(0)
    ei = np.zeros(0, dtype=np.int64)
    eb = np.zeros(0, dtype=bool)
    return Pieces(ei, ei, e, e, eb, eb, eb, e, e)


def _cover_pieces(
    segs: Segments, index: Any, grid: ZoneGrid, start: np.ndarray, end: np.ndarray, cid: np.ndarray
) -> Pieces:
    """Pieces of runs of segments [start, end) inside every zone of their cover set, limited by
    the zones' vertical bands (a run that crosses a vertical limit is cut segment by segment)."""
    if not len(start):
        return _no_pieces()
    run, zone = grid.members_of(cid[start])
    return _run_pieces(segs, index, start, end, run, zone)


def _run_pieces(
    segs: Segments, index: Any, start: np.ndarray, end: np.ndarray, run: np.ndarray, zone: np.ndarray
) -> Pieces:
    """Pieces of runs of segments [start, end) of one track inside zones throughout: `run` and
    `zone` list (run, zone) pairs. Limited by the zones' vertical bands: a pair whose run crosses
    a vertical limit is cut segment by segment, touching parts joined (compiled.run_pieces)."""
    if not len(run):
        return _no_pieces()
    from . import compiled

    zone = zone.astype(np.int64)
    k, ga, gb, length, duration = compiled.run_pieces(
        start, end, run, index.lower[zone], index.upper[zone], segs.p, segs.q, segs.s0, segs.s1,
        segs.z0, segs.z1, segs.lo, segs.hi, segs.local, EPS,
    )  # fmt: skip
    true = np.ones(len(k), bool)
    return Pieces(segs.track[start[run[k]]], zone[k], ga, gb, true, true, ~true, length, duration)
