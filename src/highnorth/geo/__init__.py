"""Geometry: everything that reads coordinates. Three parts, imported in this order only:

- `zones/`: building zones — `projection.py` (the one pyproj module: the working `Frame`,
  geodesic densifying, buffers and circles), `repair.py` (valid polygons), `algebra.py` (derived
  zones: union, intersection, difference, buffer, half-planes).
- `exposures/`: the geometry stage for activities — `track.py` (an activity's line densified,
  projected and timed), `index.py` (zones prepared: projected, STRtree, edges as arrays),
  `stage.py` (activities to exposures, cut at the timeline cuts, chunk by chunk: what the
  decision stage reads).
- `kernels/`: the intervals tracks spend in zones, behind one interface (`base.Kernel`): the
  `ReferenceKernel` (STRtree candidates, every one exact) and the `FastKernel` (a grid over the
  zones and numba loops in `compiled/`), compared by property tests. The exact crossing of a
  segment and a zone edge is `kernels/edges.crossings` (numpy) and `kernels/compiled/edges.
  edge_cuts` (compiled); `kernels/exact.py` turns the cuts into pieces inside zones.

`tolerance.py` holds the tolerances both the exposures and the kernels use (1 m, 1 s).
"""
