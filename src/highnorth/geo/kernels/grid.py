"""A uniform grid over the zones, for the fast path of the track kernel.

Each cell of the grid (in frame metres) knows which zones *cover* it — the whole cell lies inside
the zone and farther than the tolerance from any of its edges — and which zones have an edge
within the tolerance of it (*boundary* zones). A segment that lies in one cell is inside every
cover zone for its whole length, with no geometry to compute; only its boundary zones need the
exact kernel. Cover sets are interned: cells with the same set share a small integer id, so a
track's consecutive segments with the same id form one run.

Each (cell, boundary zone) pair also lists the zone's edges near the cell, and knows whether the
cell's centre is inside the zone: the compiled loops of `compiled/walks.py` walk these lists to
find the edges near a segment (`near_edges`) and to tell whether a point is in a zone (`locate`).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import shapely

from .base import sorted_unique

__all__ = ["ZoneGrid"]

#: The cell size: the extent divided into about CELLS cells (24 bytes each), and not smaller than
#: MIN_CELL_M. Cell sweeps in bench W1 and W2 (docs/performance.md) found no rule that did better:
#: finer cells send more segments to the multi-cell paths and make the grid's arrays larger than
#: the caches, coarser ones list more edges per cell.
CELLS = 250_000
MIN_CELL_M = 2_000.0


def _expand(ptr: np.ndarray, values: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(index into `rows`, value) for every value of every given row of a CSR list (`ptr`,
    `values`)."""
    lo, hi = ptr[rows], ptr[rows + 1]
    counts = hi - lo
    at = np.repeat(np.arange(len(rows)), counts)
    offset = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return at, values[np.repeat(lo, counts) + offset]


@dataclass
class ZoneGrid:
    """The grid over `geoms` (frame coordinates), with `edges` (x1 y1 x2 y2) owned by `edge_zone`."""

    geoms: np.ndarray
    edges: np.ndarray
    edge_zone: np.ndarray
    tolerance: float
    cell: float = 0.0  # metres; chosen from the extent when 0
    x0: float = field(init=False)
    y0: float = field(init=False)
    nx: int = field(init=False)
    ny: int = field(init=False)
    cover_id: np.ndarray = field(init=False)  # per cell: id of its cover set
    cover_sets: list[np.ndarray] = field(init=False)  # per id: zone indices
    cover_ptr: np.ndarray = field(init=False)  # the same as CSR
    cover_members: np.ndarray = field(init=False)
    boundary_ptr: np.ndarray = field(init=False)  # CSR per cell into boundary_zones
    boundary_zones: np.ndarray = field(init=False)
    pair_edge_ptr: np.ndarray = field(init=False)  # CSR per (cell, boundary zone) pair into pair_edges
    pair_edges: np.ndarray = field(init=False)  # the zone's edges near the cell
    pair_edge_xy: np.ndarray = field(init=False)  # their coordinates, edges[pair_edges]
    cell_edge_ptr: np.ndarray = field(init=False)  # CSR per cell into pair_edges (all its pairs)
    centre_state: np.ndarray = field(init=False)  # per pair: centre in the zone 1, out 0, near an edge -1

    def __post_init__(self) -> None:
        bounds = shapely.bounds(self.geoms) if len(self.geoms) else np.zeros((0, 4))
        if len(bounds):
            x0, y0 = bounds[:, 0].min() - 2 * self.tolerance, bounds[:, 1].min() - 2 * self.tolerance
            x1, y1 = bounds[:, 2].max() + 2 * self.tolerance, bounds[:, 3].max() + 2 * self.tolerance
        else:
            x0 = y0 = 0.0
            x1 = y1 = 1.0
        if not self.cell:
            self.cell = max(MIN_CELL_M, math.sqrt((x1 - x0) * (y1 - y0) / CELLS))
        self.x0, self.y0 = x0, y0
        self.nx = max(1, math.ceil((x1 - x0) / self.cell))
        self.ny = max(1, math.ceil((y1 - y0) / self.cell))
        boundary = self._boundary_pairs()
        cover = self._cover_pairs(boundary)
        self._intern(cover)
        self._csr(boundary)
        self._centres(boundary)
        self.pair_edge_xy = np.ascontiguousarray(self.edges[self.pair_edges]).reshape(-1, 4)
        self.cell_edge_ptr = self.pair_edge_ptr[self.boundary_ptr]
        # load (on a new machine: compile) the compiled loops now, so that processes forked after
        # the grid is built (`--workers`) inherit them instead of each loading them again
        from . import compiled

        self.near_edges(np.zeros((0, 2)), np.zeros((0, 2)))
        self.locate(np.zeros(0), np.zeros(0), np.zeros(0, dtype=np.int64))
        compiled.warm(self.edges)

    # cells ----------------------------------------------------------------------------------
    def cells(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Column, row and whether (x, y) lies in the grid."""
        i = np.floor((x - self.x0) / self.cell).astype(np.int64)
        j = np.floor((y - self.y0) / self.cell).astype(np.int64)
        inside = (i >= 0) & (i < self.nx) & (j >= 0) & (j < self.ny)
        return i, j, inside

    def near_edges(self, p: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(segment, edge) for every edge within the tolerance of segment p[i]-q[i] (compiled; an
        edge up to `compiled.SLACK` farther may be reported too)."""
        from . import compiled  # numba loads on the first fast-path call, not on import

        p, q = np.ascontiguousarray(p, dtype=float), np.ascontiguousarray(q, dtype=float)
        return compiled.near_edge_pairs(
            p, q, self.edges, self.x0, self.y0, self.cell, self.nx, self.ny,
            self.cell_edge_ptr, self.pair_edges, self.pair_edge_xy, self.tolerance,
        )  # fmt: skip

    def locate(self, x: np.ndarray, y: np.ndarray, zone: np.ndarray) -> np.ndarray:
        """Per point: 1 in its zone, 0 not, -1 the grid cannot tell. Only for points farther than
        the tolerance from every edge of their zone (`compiled.walks.locate`)."""
        from . import compiled

        return compiled.locate(
            np.ascontiguousarray(x, dtype=float), np.ascontiguousarray(y, dtype=float),
            np.ascontiguousarray(zone, dtype=np.int64), self.edges, self.x0, self.y0, self.cell, self.nx, self.ny,
            self.boundary_ptr, self.boundary_zones, self.pair_edge_ptr, self.pair_edges, self.centre_state,
            self.cover_id, self.cover_ptr, self.cover_members,
        )  # fmt: skip

    def members_of(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row into `ids`, zone) for every zone of every given cover set."""
        return _expand(self.cover_ptr, self.cover_members, ids)

    def boundary_of(self, cell: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row into `cell`, zone) for every boundary zone of every given cell."""
        return _expand(self.boundary_ptr, self.boundary_zones, cell)

    # construction ---------------------------------------------------------------------------
    def _boundary_pairs(self) -> np.ndarray:
        """Unique (cell, zone) keys of cells within `tolerance` of an edge of the zone, sorted; and
        the edges of each (`pair_edge_ptr`, `pair_edges`)."""
        if not len(self.edges):
            self.pair_edges = np.zeros(0, dtype=np.int64)
            self.pair_edge_ptr = np.zeros(1, dtype=np.int64)
            return np.zeros(0, dtype=np.int64)
        e = self.edges
        t = self.tolerance
        i0 = np.floor((np.minimum(e[:, 0], e[:, 2]) - t - self.x0) / self.cell).astype(np.int64)
        i1 = np.floor((np.maximum(e[:, 0], e[:, 2]) + t - self.x0) / self.cell).astype(np.int64)
        j0 = np.floor((np.minimum(e[:, 1], e[:, 3]) - t - self.y0) / self.cell).astype(np.int64)
        j1 = np.floor((np.maximum(e[:, 1], e[:, 3]) + t - self.y0) / self.cell).astype(np.int64)
        i0, i1 = np.clip(i0, 0, self.nx - 1), np.clip(i1, 0, self.nx - 1)
        j0, j1 = np.clip(j0, 0, self.ny - 1), np.clip(j1, 0, self.ny - 1)
        wi, wj = i1 - i0 + 1, j1 - j0 + 1
        count = wi * wj
        owner = np.repeat(np.arange(len(e)), count)
        k = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
        ci = i0[owner] + k % wi[owner]
        cj = j0[owner] + k // wi[owner]
        nz = len(self.geoms)
        key = (cj * self.nx + ci) * nz + self.edge_zone[owner]
        order = np.lexsort((owner, key))
        key = key[order]
        self.pair_edges = owner[order].astype(np.int64)
        head = np.r_[True, key[1:] != key[:-1]]
        self.pair_edge_ptr = np.r_[np.flatnonzero(head), len(key)].astype(np.int64)
        return key[head]

    def _cover_pairs(self, boundary: np.ndarray) -> np.ndarray:
        """Unique (cell, zone) keys of cells whose centre is inside a zone that has no edge near
        the cell (so the whole cell is inside it)."""
        nz = len(self.geoms)
        found = []
        for z, geom in enumerate(self.geoms):
            if geom is None or geom.is_empty:
                continue
            bx0, by0, bx1, by1 = shapely.bounds(geom)
            ci = np.arange(
                max(0, int((bx0 - self.x0) // self.cell)), min(self.nx, int((bx1 - self.x0) // self.cell) + 1)
            )
            cj = np.arange(
                max(0, int((by0 - self.y0) // self.cell)), min(self.ny, int((by1 - self.y0) // self.cell) + 1)
            )
            if not len(ci) or not len(cj):
                continue
            gi, gj = np.meshgrid(ci, cj)
            cell = (gj * self.nx + gi).ravel()
            keys = cell * nz + z
            at = np.minimum(np.searchsorted(boundary, keys), max(len(boundary) - 1, 0))
            near = boundary[at] == keys if len(boundary) else np.zeros(len(keys), dtype=bool)
            cell = cell[~near]
            cx = self.x0 + (cell % self.nx + 0.5) * self.cell
            cy = self.y0 + (cell // self.nx + 0.5) * self.cell
            inside = shapely.intersects_xy(geom, cx, cy)
            found.append(cell[inside] * nz + z)
        return sorted_unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)

    def _intern(self, cover: np.ndarray) -> None:
        nz = max(1, len(self.geoms))
        cells, zones = cover // nz, cover % nz
        self.cover_id = np.zeros(self.nx * self.ny, dtype=np.int64)
        self.cover_sets = [np.zeros(0, dtype=np.int64)]
        ids: dict[bytes, int] = {b"": 0}
        if len(cells):
            starts = np.flatnonzero(np.r_[True, cells[1:] != cells[:-1]])
            ends = np.r_[starts[1:], len(cells)]
            for a, b in zip(starts, ends, strict=True):
                members = zones[a:b]
                key = members.tobytes()
                if key not in ids:
                    ids[key] = len(self.cover_sets)
                    self.cover_sets.append(members)
                self.cover_id[cells[a]] = ids[key]
        sizes = np.array([len(m) for m in self.cover_sets], dtype=np.int64)
        self.cover_ptr = np.concatenate([[0], np.cumsum(sizes)])
        self.cover_members = np.concatenate(self.cover_sets).astype(np.int64)

    def _csr(self, boundary: np.ndarray) -> None:
        nz = max(1, len(self.geoms))
        cells = boundary // nz
        self.boundary_zones = boundary % nz
        counts = np.bincount(cells, minlength=self.nx * self.ny)
        self.boundary_ptr = np.concatenate([[0], np.cumsum(counts)])

    def _centres(self, boundary: np.ndarray) -> None:
        """Whether each boundary pair's cell centre is in the zone; -1 where the centre lies within
        twice the tolerance of one of the zone's edges (points there are left to the polygon)."""
        from . import compiled

        nz = max(1, len(self.geoms))
        cells, zones = boundary // nz, boundary % nz
        self.centre_state = np.full(len(boundary), -1, dtype=np.int8)
        if not len(boundary):
            return
        clear = (
            compiled.centre_clearance(
                cells, self.edges, self.x0, self.y0, self.cell, self.nx, self.pair_edge_ptr, self.pair_edges
            )
            > 2 * self.tolerance
        )
        cx = self.x0 + (cells % self.nx + 0.5) * self.cell
        cy = self.y0 + (cells // self.nx + 0.5) * self.cell
        rows = np.flatnonzero(clear)
        if not len(rows):
            return
        order = rows[np.argsort(zones[rows], kind="stable")]
        bounds = np.flatnonzero(np.r_[True, zones[order][1:] != zones[order][:-1], True])
        for a, b in itertools.pairwise(bounds):
            at = order[a:b]
            self.centre_state[at] = shapely.intersects_xy(self.geoms[zones[at[0]]], cx[at], cy[at])
