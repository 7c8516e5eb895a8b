"""The replay at scale: `python bench/replay_load.py [--positions N] [--files F]`.

R1: synthetic ADS-B positions of state flights over the High North (bench/workloads.flights:
geodesic legs between the aerodromes of FACTS.md §8, a position every 5 s, US/UK/German/...
military callsigns) written as Parquet files, then, in the same run:

- `screen_positions_per_s` — the baseline: the same tracks as activities screened by
  `Screener.screen` in this process (grid built before timing): the engine alone;
- `replay_1w_positions_per_s`, `replay_2w_positions_per_s` — `highnorth.batch.run_replay` end to
  end (read Parquet, stage by day and identity, split tracks, identity, screen, write GeoParquet)
  on a `LocalCluster` of 1 and 2 worker processes, after a warm-up replay that loaded the policy
  and built the grid in each worker (start-up is reported apart: `startup_1w_s`, `startup_2w_s`);
- `ratio_1w_vs_screen` (target ≥ 0.5), `speedup_2w` (2 workers over 1; target ≥ 1.5);
  `cpu_s` (the tasks' CPU time, summed) and `cores_used` = `cpu_s` / wall: how many cores the
  run actually got (on a shared machine, fewer than its workers);
- `max_worker_rss_mb` and `max_partition_positions`: the peak resident memory of a worker and
  the largest partition; `worker_rss_after_warmup_mb` the peak after the warm-up (interpreter,
  policy, grid, numba: loading the policy without the zone cache peaks higher than a partition);
- `bytes_per_position_in_process`: one file's partition screened in this process, the peak of
  Python/numpy allocations (tracemalloc) plus Arrow's pool, over its positions: the memory a
  partition adds to a worker;
- `movingpandas_clip_positions_per_s` and `ratio_1w_vs_movingpandas`: movingpandas'
  `TrajectoryCollection.clip` with every zone the rules name (2D clipping only: no altitude,
  time or rules) on the first 3,000 segments, when movingpandas is installed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from baselines import movingpandas_rate  # noqa: E402
from workloads import flights  # noqa: E402

from highnorth.batch.run import local_client, run_replay  # noqa: E402
from highnorth.batch.stages import Job  # noqa: E402
from highnorth.engine import Screener  # noqa: E402
from highnorth.formats.traffic.activities import track_activity  # noqa: E402
from highnorth.formats.traffic.identity import IdentityTable  # noqa: E402
from highnorth.formats.traffic.tracks import split_tracks  # noqa: E402
from highnorth.rules.loading.loader import load_policy  # noqa: E402
from highnorth.runtime import keep_freed_memory  # noqa: E402

DEFAULT = ROOT / "src" / "highnorth" / "data" / "default"
#: military callsign prefixes of the packaged identity table (nations without one fly as USA `RCH`)
PREFIX = {
    "USA": "RCH",
    "GBR": "RRR",
    "DEU": "GAF",
    "NLD": "NAF",
    "SWE": "SVF",
    "NOR": "NOW",
    "FRA": "FAF",
    "ITA": "IAM",
}


def say(**values: object) -> None:
    print(
        "R1 " + " ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in values.items()), flush=True
    )


def positions(count: int) -> pa.Table:
    """ADS-B positions of synthetic flights (about `count`), all of state aircraft."""
    acts = flights(count)
    ident, time_ms, lon, lat, alt, callsign = [], [], [], [], [], []
    for k, a in enumerate(acts):
        xyz = np.asarray(a.geometry.coords)
        n = len(xyz)
        ident += [f"a{k:05x}"] * n
        callsign += [f"{PREFIX.get(a.actor.nation, 'RCH')}{k % 1000}"] * n
        time_ms.append(np.array([t.timestamp() * 1000 for t in a.times], dtype=np.int64))
        lon.append(xyz[:, 0])
        lat.append(xyz[:, 1])
        alt.append(xyz[:, 2] / 0.3048)  # feet, as traffic writes them
    return pa.table(
        {
            "timestamp": np.concatenate(time_ms),
            "icao24": ident,
            "callsign": callsign,
            "latitude": np.concatenate(lat),
            "longitude": np.concatenate(lon),
            "altitude": np.concatenate(alt),
        }
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--positions", type=int, default=1_000_000)
    ap.add_argument("--files", type=int, default=8, help="Parquet files the positions are split into")
    ap.add_argument("--partition-rows", type=int, default=125_000)
    args = ap.parse_args()
    keep_freed_memory()
    tmp = Path(tempfile.mkdtemp(prefix="highnorth-replay-bench-"))
    table = positions(args.positions)
    n = table.num_rows
    files = []
    for i, chunk in enumerate(np.array_split(np.arange(n), args.files)):
        path = tmp / f"adsb-{i:03d}.parquet"
        pq.write_table(table.take(pa.array(chunk)), path)
        files.append(str(path))
    warm = tmp / "warm.parquet"
    pq.write_table(table.slice(0, 5000), warm)
    say(positions=n, files=args.files, partition_rows=args.partition_rows)

    # the baseline: the engine alone on the same tracks
    policy = load_policy(DEFAULT).policy
    screener = Screener(policy)
    _ = screener.kernel.grid
    identity = IdentityTable.default()
    from highnorth.formats.traffic.adsb import read_adsb
    from highnorth.formats.traffic.positions import ReadReport

    read = pa.concat_tables([t for f in files for t in read_adsb(Path(f), ReadReport())])
    acts = [track_activity(t, identity.adsb(t.ident, t.callsign)) for t in split_tracks(read)]
    began = time.perf_counter()
    screener.screen(acts)
    screen_s = time.perf_counter() - began
    screen_rate = n / screen_s
    say(screen_s=screen_s, screen_positions_per_s=screen_rate, tracks=len(acts))
    del read, acts

    rates = {}
    for workers in (1, 2):
        began = time.perf_counter()
        client = local_client(workers, dashboard=False)
        job = Job(str(DEFAULT), None, str(tmp / f"out{workers}"), "adsb", traffic="state")
        addresses = sorted(client.scheduler_info()["workers"])
        warm_rss = 0.0
        for address in addresses:  # load the policy and build the grid in every worker
            warm_rss = max(
                warm_rss, run_replay(job, [str(warm)], client=client, workers=[address]).summary["max_rss_mb"]
            )
        startup = time.perf_counter() - began
        began = time.perf_counter()
        result = run_replay(job, files, client=client, partition_rows=args.partition_rows)
        wall = time.perf_counter() - began
        client.close()
        client.cluster.close()
        rates[workers] = n / wall
        s = result.summary
        say(
            workers=workers,
            **{
                f"startup_{workers}w_s": startup,
                f"replay_{workers}w_s": wall,
                f"replay_{workers}w_positions_per_s": rates[workers],
            },
            read_s=result.seconds["read"],
            cpu_s=result.seconds["read_cpu"] + result.seconds["screen_cpu"],
            cores_used=(result.seconds["read_cpu"] + result.seconds["screen_cpu"]) / wall,
            screen_stage_s=result.seconds["screen"],
            partitions=result.partitions,
            tracks=s["tracks"],
            failed=len(result.failed_partitions),
            max_worker_rss_mb=s["max_rss_mb"],
            max_partition_positions=s["max_partition_positions"],
            worker_rss_after_warmup_mb=warm_rss,
        )
    # memory of one partition, in this process: Python and numpy allocations (tracemalloc) and
    # Arrow's pool, at their peaks while the largest partition is screened
    import tracemalloc

    from highnorth.batch.stages import screen_cells, stage_file

    job = Job(str(DEFAULT), None, str(tmp / "mem"), "adsb")
    staged = stage_file(job, 0, files[0])
    cells = sorted(staged["cells"])
    pool = pa.default_memory_pool()
    tracemalloc.start()
    res = screen_cells(job, 0, cells, [p for c in cells for p in staged["pieces"][c]])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    say(
        memory_partition_positions=res["positions"],
        traced_peak_mb=peak / 2**20,
        arrow_pool_max_mb=pool.max_memory() / 2**20,
        bytes_per_position_in_process=(peak + pool.max_memory()) / max(1, res["positions"]),
    )
    mp = movingpandas_rate(flights(3000), screener.index)
    say(
        ratio_1w_vs_screen=rates[1] / screen_rate,
        speedup_2w=rates[2] / rates[1],
        movingpandas_clip_positions_per_s=mp if mp is not None else "not-installed",
        ratio_1w_vs_movingpandas=rates[1] / mp if mp else "n/a",
    )


if __name__ == "__main__":
    main()
