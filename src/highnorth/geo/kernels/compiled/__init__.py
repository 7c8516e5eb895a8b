"""The compiled inner loops of the fast kernel (numba), by what they do:

- `edges`: where a segment crosses an edge or enters its tolerance band, distances to edges;
- `walks`: walks over the grid's per-cell lists (edges near a segment, points in zones, the
  cells of a short segment);
- `pieces`: runs of segments inside zones, vertical limits, pairs split at their cuts;
- `merge`: pieces sorted and joined into intervals.

Importing this package loads numba, so the fast kernel and the grid import it inside their
functions: numba loads on the first fast-path call, never on `import highnorth`. Every loop is
compiled once and cached on disk (`cache=True`), so only the first run on a machine pays the
compile time; `warm` loads them all, so that processes forked afterwards inherit them. Arrays
are plain numpy arrays; nothing here knows shapely.
"""

from __future__ import annotations

import numpy as np

from .edges import SLACK, edge_cuts, edge_distance
from .merge import merge_sorted, sort_groups
from .pieces import far_runs, run_pieces, split_at_cuts, vertical_pieces
from .walks import centre_clearance, locate, near_edge_pairs, quad_pairs

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


def warm(edges: np.ndarray) -> None:
    """Load (on a new machine: compile) every loop for the argument types the kernel passes, on
    empty input, so that processes forked afterwards inherit them."""
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
