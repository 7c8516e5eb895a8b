"""The fast kernel: the reference kernel's intervals from a grid over the zones and compiled loops.

A segment that lies in one grid cell is inside the cell's *cover* zones for its whole length
(runs of such segments become intervals without geometry) and needs exact work only for the
cell's *boundary* zones (grid.py); segments over at most 2 x 2 cells get theirs from the cells
too, longer ones take the STRtree candidates. The edges near each segment come from the grid's
per-cell edge lists, and points away from every edge are located by crossing number against them
(compiled loops, `compiled/`), where the reference asks GEOS.

The kernel owns its grid, built on first use (about a second for the default zones and the 494
AIP zones); building it also loads the compiled loops, so processes forked afterwards inherit
them. Numba is imported only inside the methods: never on `import highnorth`.
"""

from __future__ import annotations

import numpy as np

from ..tolerance import EPS, TOL_M, TOL_S
from .base import Intervals, Kernel, Pieces, PreparedZones, Segments, no_pieces
from .exact import exact_pieces, point_in_zones, tree_pairs
from .grid import ZoneGrid

__all__ = ["FastKernel"]


class FastKernel(Kernel):
    """The same intervals as `ReferenceKernel`, with the grid's fast path. `grid`: a grid built
    for `zones` already (tests build them with other cell sizes); else built on first use."""

    def __init__(self, zones: PreparedZones, grid: ZoneGrid | None = None) -> None:
        self.zones = zones
        self._grid = grid

    @property
    def grid_built(self) -> bool:
        """Whether the grid exists already (using `grid` builds it)."""
        return self._grid is not None

    @property
    def grid(self) -> ZoneGrid:
        if self._grid is None:
            self._grid = ZoneGrid(self.zones.geoms, self.zones.edges, self.zones.edge_zone, TOL_M)
        return self._grid

    def intervals(self, segs: Segments) -> Intervals:
        grid = self.grid
        if len(segs) == 0:
            return self.merge(no_pieces())
        i0, j0, in0 = grid.cells(segs.p[:, 0], segs.p[:, 1])
        i1, j1, in1 = grid.cells(segs.q[:, 0], segs.q[:, 1])
        single = in0 & in1 & (i0 == i1) & (j0 == j1)
        cell = np.where(single, j0 * grid.nx + i0, 0)

        # exact work: boundary zones of single-cell segments; segments over 2 x 2 cells at most
        # get theirs from the cells too; longer ones take the STRtree candidates
        srows = np.flatnonzero(single)
        r, bz = grid.boundary_of(cell[srows])
        quad = ~single & in0 & in1 & (np.abs(i1 - i0) <= 1) & (np.abs(j1 - j0) <= 1)
        qrows = np.flatnonzero(quad)
        q_cover, q_whole, q_exact = self._quad_pairs(qrows, i0, j0, i1, j1)
        t_seg, t_zone = tree_pairs(segs, np.flatnonzero(~single & ~quad), self.zones)
        # the edges near each segment: the grid's per-cell edge lists walked by compiled code
        exact = exact_pieces(
            self,
            segs,
            np.concatenate([srows[r], q_exact[0], t_seg]),
            np.concatenate([bz, q_exact[1], t_zone]),
            grid.near_edges(segs.p, segs.q),
        )
        s, zi = q_whole
        true = np.ones(len(s), bool)
        quad_pieces = self.limited_pieces(segs, s, zi, np.zeros(len(s)), np.ones(len(s)), true, true, ~true)

        # runs of segments of one track with one cover set (single-cell segments, and those over
        # 2 x 2 cells with the same set): inside those zones throughout
        cid = np.where(single, grid.cover_id[cell], 0)
        cid[qrows] = q_cover
        new = (cid[1:] != cid[:-1]) | (segs.track[1:] != segs.track[:-1])
        run_start = np.flatnonzero((cid > 0) & np.r_[True, new])
        run_end = run_start + 1
        if len(run_start):
            # the end of each run: the next segment where cid or track changes
            change = np.flatnonzero(np.r_[new, True])
            run_end = change[np.searchsorted(change, run_start)] + 1
        covered = no_pieces()
        if len(run_start):
            run, zone = grid.members_of(cid[run_start])
            covered = self._run_pieces(segs, run_start, run_end, run, zone)
        return self.merge(Pieces.concat([exact, covered, quad_pieces]))

    def merge(self, pieces: Pieces) -> Intervals:
        """`base.merge` after the same sort, in one compiled pass."""
        if len(pieces.ga) == 0:
            empty = np.zeros(0, dtype=np.int64)
            return Intervals(empty, empty, np.zeros(0), np.zeros(0))
        from . import compiled

        p = pieces
        key = p.track * (int(p.zone.max()) + 1) + p.zone
        order = compiled.sort_groups(np.argsort(key, kind="stable"), key, p.ga)  # = np.lexsort((ga, key))
        return Intervals(
            *compiled.merge_sorted(
                order, p.track, p.zone, p.ga, p.gb, p.in_poly, p.strict, p.approach, p.length, p.duration, TOL_M, TOL_S
            )
        )

    # the steps of exact_pieces -----------------------------------------------------------------
    def edge_cuts(self, segs: Segments, es: np.ndarray, ee: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        from . import compiled

        return compiled.edge_cuts(segs.p, segs.q, es, ee, self.zones.edges, TOL_M)

    def split(
        self, keys: np.ndarray, cuts_key: np.ndarray, cuts_t: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        from . import compiled

        return compiled.split_at_cuts(cuts_key, cuts_t)  # every key of cuts_key is one of `keys`

    def edge_distance(
        self, keys: np.ndarray, x: np.ndarray, y: np.ndarray, near_key: np.ndarray, ee: np.ndarray
    ) -> np.ndarray:
        from . import compiled

        by_key = np.argsort(near_key, kind="stable")
        return compiled.edge_distance(keys, x, y, near_key[by_key], ee[by_key], self.zones.edges)

    def in_zones(self, zone: np.ndarray, x: np.ndarray, y: np.ndarray, clear: np.ndarray) -> np.ndarray:
        """The points `clear` of every edge of their zone are located by the grid's compiled
        crossing number; the others, and those the grid cannot tell, by the prepared polygon."""
        state = np.full(len(zone), -1, dtype=np.int8)
        state[clear] = self.grid.locate(x[clear], y[clear], zone[clear])
        out = state > 0
        ask = np.flatnonzero(state < 0)
        out[ask] = point_in_zones(self.zones.geoms, zone[ask], x[ask], y[ask])
        return out

    def far_pieces(self, segs: Segments, keys: np.ndarray) -> Pieces:
        """Runs found in one compiled pass, one piece per run inside."""
        if not len(keys):
            return no_pieces()
        from . import compiled

        hs, end, zh = compiled.far_runs(keys, len(self.zones.geoms), segs.track)
        mx, my = (segs.p[hs, 0] + segs.q[hs, 0]) / 2, (segs.p[hs, 1] + segs.q[hs, 1]) / 2
        inside = self.in_zones(zh, mx, my, np.ones(len(hs), bool))
        return self._run_pieces(segs, hs[inside], end[inside], np.arange(int(inside.sum())), zh[inside])

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
        """`exact.vertical` then `exact.piece_values`, in one compiled pass."""
        from . import compiled

        z = self.zones
        s, zi = np.ascontiguousarray(s), np.ascontiguousarray(zi)
        rows, ga, gb, length, duration = compiled.vertical_pieces(
            s, a, b, z.lower[zi], z.upper[zi], segs.p, segs.q, segs.s0, segs.s1,
            segs.z0, segs.z1, segs.lo, segs.hi, segs.local, EPS,
        )  # fmt: skip
        s = s[rows]
        return Pieces(segs.track[s], zi[rows], ga, gb, in_poly[rows], strict[rows], approach[rows], length, duration)

    # the grid's paths --------------------------------------------------------------------------
    def _quad_pairs(
        self, rows: np.ndarray, i0: np.ndarray, j0: np.ndarray, i1: np.ndarray, j1: np.ndarray
    ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        """For segments whose box spans at most 2 x 2 cells: the id of the cover set of all the
        cells of the box where they have the same (else 0); the (segment, zone) pairs inside the
        zone throughout (it covers every cell of the box) for the others; and the pairs that need
        exact work (a boundary zone of some cell, or a zone covering only some of them). Where
        every cell has the same cover set, the zones inside throughout are exactly its members (a
        zone covering a cell is not a boundary zone of it), so the segment can join a run of that
        set (compiled, one segment at a time)."""
        from . import compiled

        g = self.grid
        cover, whole, exact = compiled.quad_pairs(
            rows, i0, j0, i1, j1, g.nx, g.cover_id, g.cover_ptr, g.cover_members, g.boundary_ptr, g.boundary_zones,
        )  # fmt: skip
        return cover, (whole[:, 0], whole[:, 1]), (exact[:, 0], exact[:, 1])

    def _run_pieces(
        self, segs: Segments, start: np.ndarray, end: np.ndarray, run: np.ndarray, zone: np.ndarray
    ) -> Pieces:
        """Pieces of runs of segments [start, end) of one track inside zones throughout: `run`
        and `zone` list (run, zone) pairs. Limited by the zones' vertical bands: a pair whose run
        crosses a vertical limit is cut segment by segment, touching parts joined
        (compiled.run_pieces)."""
        if not len(run):
            return no_pieces()
        from . import compiled

        z = self.zones
        zone = zone.astype(np.int64)
        k, ga, gb, length, duration = compiled.run_pieces(
            start, end, run, z.lower[zone], z.upper[zone], segs.p, segs.q, segs.s0, segs.s1,
            segs.z0, segs.z1, segs.lo, segs.hi, segs.local, EPS,
        )  # fmt: skip
        true = np.ones(len(k), bool)
        return Pieces(segs.track[start[run[k]]], zone[k], ga, gb, true, true, ~true, length, duration)
