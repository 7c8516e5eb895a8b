"""highnorth benchmarks: `python bench/run.py [--quick] [--workers N] [--only W1,W3]`.

Every workload measures its baseline in the same run (these machines are shared and noisy) and
prints `key=value` lines; bench/README.md says what each means. Results are also written to
bench/results.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import resource
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from airspace import w6, w7  # noqa: E402
from baselines import movingpandas_rate, naive_rate  # noqa: E402
from workloads import (  # noqa: E402
    SPREAD_FRAME,
    exercise_plan,
    flights,
    spread_flights,
    spread_zones,
    synthetic_zones,
)

from highnorth.engine import Screener  # noqa: E402
from highnorth.formats.activity_geojson import load_activities  # noqa: E402
from highnorth.formats.decision_json import decisions_text  # noqa: E402
from highnorth.formats.zones_geojson import read_zones_geojson  # noqa: E402
from highnorth.geo.exposures.index import ZoneIndex  # noqa: E402
from highnorth.geo.exposures.stage import CHUNK_SEGMENTS  # noqa: E402
from highnorth.geo.exposures.track import Track  # noqa: E402
from highnorth.geo.kernels import FastKernel, ReferenceKernel, Segments  # noqa: E402
from highnorth.geo.kernels.grid import ZoneGrid  # noqa: E402
from highnorth.geo.tolerance import TOL_M  # noqa: E402
from highnorth.geo.zones.projection import Frame  # noqa: E402
from highnorth.model.time import parse_time  # noqa: E402
from highnorth.rules.deciding.decision_map import decision_map, diff_maps  # noqa: E402
from highnorth.rules.loading.loader import load_policy  # noqa: E402
from highnorth.runtime import keep_freed_memory  # noqa: E402

DEFAULT = ROOT / "src" / "highnorth" / "data" / "default"
LUFTROM = ROOT.parent / "shared" / "data" / "airspace" / "luftrom.geojson"
RESULTS: dict[str, dict] = {}


def say(workload: str, **values: object) -> None:
    RESULTS.setdefault(workload, {}).update(values)
    text = " ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in values.items())
    print(f"{workload} {text}", flush=True)


def zones_w1(policy):
    zones = list(policy.zones.values())
    if LUFTROM.exists():
        zones += read_zones_geojson(json.loads(LUFTROM.read_text()), source="luftrom")[0]
    return zones


def geometry_stage(acts, kernel, chunk=CHUNK_SEGMENTS):
    """Activities to merged intervals with the fast kernel, in chunks as `exposed_chunks` takes
    them; returns the interval count."""
    count, batch, size = 0, [], 0
    for a in [*acts, None]:
        if a is not None:
            batch.append(a)
            size += len(a.geometry.coords)
        if batch and (size >= chunk or a is None):
            tracks = Track.many(batch, kernel.zones.frame)
            count += len(kernel.intervals(Segments.of(tracks, [None] * len(tracks))).ga)
            batch, size = [], 0
    return count


def same_as_reference(acts, kernel) -> bool:
    index = kernel.zones
    segs = Segments.of([Track.of(a, index.frame) for a in acts], [None] * len(acts))
    ref, fast = ReferenceKernel(index).intervals(segs), kernel.intervals(segs)

    def canon(f):
        o = np.lexsort((f.ga, f.zone, f.track))
        return f.track[o], f.zone[o], f.ga[o], f.gb[o]

    r, f = canon(ref), canon(fast)
    if not (np.array_equal(r[0], f[0]) and np.array_equal(r[1], f[1])):
        return False
    # parameters: segments are at most 10 km, so 1e-4 of one is under 1 m
    return bool(np.allclose(r[2], f[2], atol=1e-4) and np.allclose(r[3], f[3], atol=1e-4))


def w1(policy, sizes, workers):
    index = ZoneIndex(zones_w1(policy), Frame.of(policy.frame))
    kernel = FastKernel(index)
    t = time.perf_counter()
    _ = kernel.grid
    say("W1", zones=len(index.zones), grid_build_s=time.perf_counter() - t, grid_cell_m=kernel.grid.cell)
    sample = flights(3_000, seed=99)
    naive, _ = naive_rate(Segments.of([Track.of(a, index.frame) for a in sample], [None] * len(sample)), index)
    mp = movingpandas_rate(sample, index)
    say("W1", naive_segments_per_s=naive, movingpandas_segments_per_s=mp if mp is not None else "not-installed")
    say("W1", equal_to_reference="yes" if same_as_reference(flights(20_000, seed=5), kernel) else "NO")
    for n in sizes:
        acts = flights(n)
        segments = sum(len(a.geometry.coords) - 1 for a in acts)
        input_bytes = segments * 4 * 8  # lon, lat, alt, time per vertex, float64
        faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        t = time.perf_counter()
        found = geometry_stage(acts, kernel)
        el = time.perf_counter() - t
        faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
        tracemalloc.start()  # a second pass for memory: tracing slows allocation down
        geometry_stage(acts, kernel)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        # kernel alone, on prepared segments (one chunk)
        chunk = acts[: max(1, len(acts) * 200_000 // max(segments, 1))]
        segs = Segments.of([Track.of(a, index.frame) for a in chunk], [None] * len(chunk))
        t = time.perf_counter()
        kernel.intervals(segs)
        kernel_rate = len(segs) / (time.perf_counter() - t)
        say(
            "W1",
            segments=segments,
            intervals=found,
            seconds=el,
            segments_per_s=segments / el,
            kernel_segments_per_s=kernel_rate,
            ratio_vs_naive=segments / el / naive,
            ratio_vs_movingpandas=(segments / el / mp) if mp else "n/a",
            peak_traced_mb=peak / 1e6,
            peak_mem_ratio=peak / input_bytes,
            page_faults=faults,
        )
    if workers > 1:
        n = sizes[-1]
        acts = flights(n)
        screener = Screener(policy, zones=index.zones)
        t = time.perf_counter()
        screener.screen(acts, workers=1)
        one = time.perf_counter() - t
        t = time.perf_counter()
        screener.screen(acts, workers=workers)
        many = time.perf_counter() - t
        say("W1", workers=workers, segments=n, serial_s=one, parallel_s=many, speedup=one / many)


def w2(sizes, cell=0.0):
    """The zone count from 10 to 5,000, in two layouts: `dense` (the same region and flights for
    every count, so the zones over a track, and the output, grow with the count) and `spread` (a
    constant density: the region grows with the count and the same legs are drawn in it, so the
    output per segment stays the same and only the number of zones grows); then `spread-same-legs`
    (`_index_growth`). A few zones make a noisy world, so the spread layout pools several (zone
    seeds) at small counts. All the worlds of a layout are timed in turn (`_time_in_turn`). `cell`
    forces the grid's cell size (metres)."""
    frame = Frame(*SPREAD_FRAME)
    for layout in ("dense", "spread"):
        counts = []
        if layout == "dense":
            segs = _segments(flights(100_000, seed=11), frame)
            for count in sizes:
                counts.append((count, [_World.of(synthetic_zones(count), segs, frame, cell)]))
        else:
            for count in sizes:
                segs = _segments(spread_flights(100_000, count, frame, seed=11), frame)
                zone_sets = (spread_zones(count, frame, seed=7 + k) for k in range(_worlds(count)))
                counts.append((count, [_World.of(zones, segs, frame, cell) for zones in zone_sets]))
        best = iter(_time_in_turn([w for _, worlds in counts for w in worlds]))
        curve = [(count, _w2_point(layout, count, worlds, [next(best) for _ in worlds])) for count, worlds in counts]
        # cost per segment at each count over the smallest and over the one before, next to the
        # same ratios of ln(count): "at most logarithmic" is cost(n1) / cost(n0) <= ln n1 / ln n0
        (c0, r0), (c1, r1) = curve[0], curve[-1]
        steps = " ".join(
            f"{a}->{b}:{rb / ra:.3g}/{np.log(b) / np.log(a):.3g}" for (a, ra), (b, rb) in itertools.pairwise(curve)
        )
        say("W2", layout=layout, cost_growth=r1 / r0, log_zone_growth=np.log(c1) / np.log(c0), steps=steps)
        del counts
    if len(sizes) > 1:
        _index_growth(frame, sizes[-2], sizes[-1], cell)
    _traffic(frame, sizes[-1], cell)


@dataclass
class _World:
    """One zone set with its index and grid, and the segments timed against it."""

    index: ZoneIndex
    grid: ZoneGrid
    segs: Segments
    build_s: float

    @classmethod
    def of(cls, zones, segs, frame, cell):
        t = time.perf_counter()
        index = ZoneIndex(zones, frame)
        grid = ZoneGrid(index.geoms, index.edges, index.edge_zone, TOL_M, cell=cell)
        return cls(index, grid, segs, time.perf_counter() - t)

    def run(self):
        return FastKernel(self.index, self.grid).intervals(self.segs)

    def work(self):
        """What the kernel has to do: intervals; (segment, zone) pairs where a segment inside one
        cell meets a zone edge near that cell (the exact work); segments inside one cell; and
        (segment, zone) pairs where the segment meets the zone's area, vertical limits aside (the
        size of the output)."""
        segs, grid = self.segs, self.grid
        i0, j0, in0 = grid.cells(segs.p[:, 0], segs.p[:, 1])
        i1, j1, in1 = grid.cells(segs.q[:, 0], segs.q[:, 1])
        single = np.flatnonzero(in0 & in1 & (i0 == i1) & (j0 == j1))
        met = self.index.tree.query(segs.geometries(np.arange(len(segs))), predicate="intersects")[0]
        return np.array(
            [len(self.run().ga), len(grid.boundary_of((j0 * grid.nx + i0)[single])[1]), len(single), len(met)]
        )

    def grid_stats(self):
        arrays = [v for v in vars(self.grid).values() if isinstance(v, np.ndarray) and v.dtype != object]
        return np.array([self.grid.nx * self.grid.ny, self.grid.cell, sum(v.nbytes for v in arrays) / 2**20])


def _segments(acts, frame):
    return Segments.of([Track.of(a, frame) for a in acts], [None] * len(acts))


def _time_in_turn(worlds, rounds=5):
    """The best of `rounds` timings of each world's kernel, the worlds taken in turn (forwards,
    then backwards), so that a noisy spell on the shared machine falls on all of them."""
    best = [float("inf")] * len(worlds)
    for r in range(rounds):
        order = range(len(worlds)) if r % 2 == 0 else reversed(range(len(worlds)))
        for k in order:
            t = time.perf_counter()
            worlds[k].run()
            best[k] = min(best[k], time.perf_counter() - t)
    return best


def _w2_point(layout, count, worlds, seconds):
    """Prints one count of a layout, pooled over its worlds; returns the cost per segment (µs)."""
    segments = sum(len(w.segs) for w in worlds)
    found, boundary_pairs, single, met = sum(w.work() for w in worlds)
    cells, cell_m, mb = np.mean([w.grid_stats() for w in worlds], axis=0)
    us = 1e6 * sum(seconds) / segments
    say(
        "W2",
        layout=layout,
        zones=count,
        worlds=len(worlds),
        build_s=float(np.mean([w.build_s for w in worlds])),
        grid_cells=int(cells),
        grid_cell_m=float(cell_m),
        grid_mb=float(mb),
        segments_per_s=1e6 / us,
        us_per_segment=us,
        intervals_per_segment=found / segments,
        zones_met_per_segment=met / segments,
        boundary_pairs_per_segment=boundary_pairs / segments,
        single_cell_share=single / segments,
    )
    return us


def _index_growth(frame, small, large, cell):
    """The same legs (those of the `small` square) against the zones of the `small` square and of
    the `large` one, which holds the small one at the same density, both grids with the same cells
    (the large one's unless `cell` is given): the output and the work per segment stay the same,
    only the zones in the index (and the grid around the legs) grow. Timed in turn, the best of
    five each."""
    worlds = same_legs(frame, small, large, cell)
    segs, big = worlds[0].segs, worlds[1]
    best = _time_in_turn(worlds)
    work = [w.work() / len(segs) for w in worlds]
    say(
        "W2",
        layout="spread-same-legs",
        legs_of=small,
        zones=f"{small},{large}",
        grid_cell_m=big.grid.cell,
        grid_cells=",".join(str(int(w.grid_stats()[0])) for w in worlds),
        us_per_segment=",".join(f"{1e6 * b / len(segs):.4g}" for b in best),
        zones_met_per_segment=",".join(f"{v[3]:.4g}" for v in work),
        boundary_pairs_per_segment=",".join(f"{v[1]:.4g}" for v in work),
        index_growth=best[1] / best[0],
        log_zone_growth=np.log(large) / np.log(small),
    )


def same_legs(frame, small, large, cell, segments=100_000):
    """The worlds of `_index_growth`: the legs of the `small` square against its zones and against
    the `large` square's, the grids with the same cells (the large one's unless `cell` is given)."""
    segs = _segments(spread_flights(segments, small, frame, seed=11), frame)
    big = _World.of(spread_zones(large, frame), segs, frame, cell)
    return [_World.of(spread_zones(small, frame), segs, frame, big.grid.cell), big]


def _traffic(frame, count, cell, more=5):
    """The legs of the `count` square at 100,000 segments and at `more` times as many (the traffic
    `more` times as dense), against the same zones: whether the cost per segment depends on how
    much traffic shares the grid's cells."""
    zones = spread_zones(count, frame)
    worlds = [
        _World.of(zones, _segments(spread_flights(n, count, frame, seed=11), frame), frame, cell)
        for n in (100_000, more * 100_000)
    ]
    best = _time_in_turn(worlds, rounds=3)
    say(
        "W2",
        layout="spread-traffic",
        zones=count,
        segments=",".join(str(len(w.segs)) for w in worlds),
        us_per_segment=",".join(f"{1e6 * b / len(w.segs):.4g}" for w, b in zip(worlds, best, strict=True)),
        traffic_growth=(best[1] / len(worlds[1].segs)) / (best[0] / len(worlds[0].segs)),
    )


def _worlds(count):
    """Worlds (zone seeds) pooled at `count` spread zones: about 1,000 zones in all, at most 100
    (at 10 zones every leg passes near the square's centre, so each world is one sample of it)."""
    return min(100, max(1, round(1_000 / count)))


def w3(policy, count):
    with tempfile.TemporaryDirectory() as tmp:
        path = exercise_plan(count, Path(tmp) / "plan.geojson")
        t0 = time.perf_counter()
        screener = Screener(policy)
        t1 = time.perf_counter()
        acts = load_activities(path, known_nations=set(policy.actors.nations)).activities
        t2 = time.perf_counter()
        decisions = screener.screen(acts)
        t3 = time.perf_counter()
        text = decisions_text(policy, decisions)  # as `highnorth check --format json` writes it
        (Path(tmp) / "decisions.json").write_text(text)
        t4 = time.perf_counter()
    outcomes = {o: sum(d.outcome == o for d in decisions) for o in ("permitted", "conditional", "referred", "denied")}
    say(
        "W3",
        activities=len(acts),
        index_s=t1 - t0,
        read_s=t2 - t1,
        screen_s=t3 - t2,
        write_s=t4 - t3,
        end_to_end_s=t4 - t1,
        **outcomes,
    )


def w4(policy):
    at = parse_time("2025-06-01", local_zone=policy.timezone)
    t = time.perf_counter()
    m = decision_map(policy, actor="USA", kind="flight", at=at)
    map_s = time.perf_counter() - t
    t = time.perf_counter()
    before = decision_map(policy, actor="USA", kind="flight", at=parse_time("2025-05-21", local_zone=policy.timezone))
    after = decision_map(policy, actor="USA", kind="flight", at=parse_time("2025-05-23", local_zone=policy.timezone))
    changes = diff_maps(before, after)
    diff_s = time.perf_counter() - t
    say("W4", map_cells=len(m.cells), map_s=map_s, diff_s=diff_s, changed_km2=round(sum(c.area_km2 for c in changes)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="smaller sizes: under 3 minutes")
    ap.add_argument("--workers", type=int, default=2, help="processes for the W1 multi-core run")
    ap.add_argument("--only", default="W1,W2,W3,W4,W6,W7", help="comma-separated workloads (W5: bench/exercise.py)")
    ap.add_argument(
        "--cell", type=float, default=0.0, help="W2: the grid's cell size in metres (default: its own rule)"
    )
    ap.add_argument(
        "--malloc-default", action="store_true", help="leave glibc's malloc as it is (highnorth tunes it: runtime.py)"
    )
    args = ap.parse_args()
    only = set(args.only.split(","))
    tuned = not args.malloc_default and keep_freed_memory()
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cpus, python {platform.python_version()}, numpy {np.__version__}, "
        f"malloc {'tuned' if tuned else 'default'}",
        flush=True,
    )
    policy = load_policy(DEFAULT).policy
    t = time.perf_counter()
    if "W1" in only:
        w1(
            policy,
            [1_000, 10_000, 100_000, 1_000_000] if args.quick else [1_000, 10_000, 100_000, 1_000_000, 10_000_000],
            args.workers,
        )
    if "W2" in only:
        w2([10, 100, 1000] if args.quick else [10, 100, 1000, 5000], args.cell)
    if "W3" in only:
        w3(policy, 10_000)
    if "W4" in only:
        w4(policy)
    if "W6" in only:
        w6(say, 10_000)
    if "W7" in only:
        w7(say, 50_000)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    say("all", total_s=time.perf_counter() - t, peak_rss_mb=peak_rss)
    (ROOT / "bench" / "results.json").write_text(json.dumps(RESULTS, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
