"""`highnorth check` end to end: `python bench/check_load.py [--flights 1000] [--vertices 1000]`.

C1 (issue 15, "end to end, not only the kernel"): an Activity GeoJSON file of `--flights`
flights of `--vertices` vertices each (straight legs over the High North, altitude as z, one
RFC 3339 time per vertex every 5 s; 1,000 × 1,000 = 10^6 segments, about 56 MB), and in the
same run:

- in this process: `read_s` (load and validate the file), `screen_s` (`Screener.screen`,
  grid built before: the screening stage alone), `write_s` (Decision JSON), `index_s` (policy
  load and zone index, reported apart), and `ratio_end_to_end_vs_screen` = (read + screen +
  write) / screen (target ≤ 2.5);
- `highnorth check FILE --format json -o OUT` as a user runs it (a new process, warm zone
  cache): `cli_1w_s`, `cli_2w_s` (`--workers 2`) and `speedup_2w` (target ≥ 1.5);
- `small_file_s`: the same command on a one-flight file of 2 vertices (target < 1 s wall).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "src" / "highnorth" / "data" / "default"
T0 = dt.datetime(2025, 6, 1, 6, tzinfo=dt.UTC)
NATIONS = ["USA", "GBR", "DEU", "NLD", "FIN", "SWE", "NOR", "FRA"]


def say(**values: object) -> None:
    print(
        "C1 " + " ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in values.items()), flush=True
    )


def flights_file(path: Path, flights: int, vertices: int, seed: int = 5) -> Path:
    rng = np.random.default_rng(seed)
    features = []
    for k in range(flights):
        lon0, lat0 = rng.uniform(15, 31), rng.uniform(67.5, 71.5)
        heading = rng.uniform(0, 2 * np.pi)
        step = 1.15 / 111.0  # about 1.15 km every 5 s
        i = np.arange(vertices)
        lon = lon0 + np.sin(heading) * step * i / np.cos(np.radians(lat0))
        lat = np.clip(lat0 + np.cos(heading) * step * i, 60, 80)
        alt = np.full(vertices, float(rng.uniform(3000, 11000)))
        start = T0 + dt.timedelta(minutes=int(rng.integers(0, 60 * 24 * 20)))
        times = [(start + dt.timedelta(seconds=5 * int(j))).isoformat().replace("+00:00", "Z") for j in i]
        features.append(
            {
                "type": "Feature",
                "id": f"f{k}",
                "geometry": {"type": "LineString", "coordinates": np.column_stack([lon, lat, alt]).round(6).tolist()},
                "properties": {
                    "kind": "flight",
                    "actor": {"nation": NATIONS[k % len(NATIONS)]},
                    "start": times[0],
                    "end": times[-1],
                    "times": times,
                },
            }
        )
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def cli(args: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "highnorth.cli.app", *args], env=env, capture_output=True, text=True)
    if done.returncode not in (0, 3, 4):
        raise SystemExit(f"check failed ({done.returncode}): {done.stderr[-500:]}")
    return time.perf_counter() - began


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--flights", type=int, default=1000)
    ap.add_argument("--vertices", type=int, default=1000)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="highnorth-check-bench-"))
    path = flights_file(tmp / "flights.geojson", args.flights, args.vertices)
    small = flights_file(tmp / "small.geojson", 1, 2)
    say(
        flights=args.flights,
        vertices=args.vertices,
        segments=args.flights * (args.vertices - 1),
        mb=path.stat().st_size / 1e6,
    )

    sys.path.insert(0, str(ROOT / "src"))
    from highnorth.engine import Screener
    from highnorth.formats.activity_geojson import load_activities
    from highnorth.formats.decision_json import decisions_text
    from highnorth.rules.loading.loader import load_policy
    from highnorth.runtime import keep_freed_memory

    keep_freed_memory()
    began = time.perf_counter()
    policy = load_policy(DEFAULT).policy
    screener = Screener(policy)
    index_s = time.perf_counter() - began
    began = time.perf_counter()
    _ = screener.kernel.grid
    grid_s = time.perf_counter() - began
    began = time.perf_counter()
    acts = load_activities(path, known_nations=set(policy.actors.nations)).activities
    read_s = time.perf_counter() - began
    began = time.perf_counter()
    decisions = screener.screen(acts)
    screen_s = time.perf_counter() - began
    began = time.perf_counter()
    text = decisions_text(policy, decisions)
    write_s = time.perf_counter() - began
    say(
        index_s=index_s,
        grid_s=grid_s,
        read_s=read_s,
        screen_s=screen_s,
        write_s=write_s,
        json_mb=len(text) / 1e6,
        ratio_end_to_end_vs_screen=(read_s + screen_s + write_s) / screen_s,
    )

    cli(["check", str(small), "--format", "json", "-o", str(tmp / "warm.json")])  # warms the zone cache
    small_s = min(cli(["check", str(small), "--format", "json", "-o", str(tmp / "s.json")]) for _ in range(3))
    one = cli(["check", str(path), "--format", "json", "-o", str(tmp / "1.json")])
    two = cli(["check", str(path), "--format", "json", "-o", str(tmp / "2.json"), "--workers", "2"])
    same = (tmp / "1.json").read_bytes() == (tmp / "2.json").read_bytes()
    say(
        small_file_s=small_s,
        cli_1w_s=one,
        cli_2w_s=two,
        speedup_2w=one / two,
        same_output=same,
        segments_per_s_1w=args.flights * (args.vertices - 1) / one,
    )


if __name__ == "__main__":
    main()
