"""Archive replay at scale: the same engine mapped over partitions, scheduled by Dask
distributed (DESIGN.md §5, docs/replay.md, docs/scale.md).

- `stages`: the two functions a worker runs — `stage_file` (one input file to positions,
  cut by day and identity bucket into staging files) and `screen_cells` (the positions of some
  cells to tracks, activities, the engine's decisions, and the compliance tables written as
  GeoParquet parts). Plain functions: they run the same in one process or on a cluster.
- `plan`: packing the cells into partitions of bounded size
- `run`: scheduling both stages on a Dask `Client` (a `LocalCluster` or `--scheduler`), or in
  this process, with progress and retries; nothing is gathered but small summaries.
"""
