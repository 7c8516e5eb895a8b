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
- `small_file_s`: the same command on a one-flight file of 2 vertices (target < 1 s wall), the
  best of three;
- with `--baseline-src DIR` (another checkout's `src`, e.g. `git archive main src | tar -x -C
  /tmp/before`), both trees measured in turn `--rounds` times, the best of each, and the
  speedups of this tree over the baseline, and whether both write the same Decision JSON.
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


def cli(src: Path, args: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(src)}
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "highnorth.cli.app", *args], env=env, capture_output=True, text=True)
    if done.returncode not in (0, 3, 4):
        raise SystemExit(f"check failed ({done.returncode}): {done.stderr[-500:]}")
    return time.perf_counter() - began


STAGES = """
import json, sys, time
from pathlib import Path
from highnorth.engine import Screener
from highnorth.formats.activity_geojson import load_activities
from highnorth.formats.decision_json import decisions_text
from highnorth.rules.loading.loader import load_policy
from highnorth.runtime import keep_freed_memory
keep_freed_memory()
out = {}
began = time.perf_counter()
policy = load_policy(Path(sys.argv[1])).policy
screener = Screener(policy)
out["index_s"] = time.perf_counter() - began
began = time.perf_counter(); _ = screener.kernel.grid; out["grid_s"] = time.perf_counter() - began
began = time.perf_counter()
acts = load_activities(sys.argv[2], known_nations=set(policy.actors.nations)).activities
out["read_s"] = time.perf_counter() - began
began = time.perf_counter(); decisions = screener.screen(acts); out["screen_s"] = time.perf_counter() - began
began = time.perf_counter(); text = decisions_text(policy, decisions); out["write_s"] = time.perf_counter() - began
print(json.dumps(out))
"""


def stages(src: Path, path: Path) -> dict[str, float]:
    """The stages in a fresh process of the source tree `src`."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run(
        [sys.executable, "-c", STAGES, str(DEFAULT), str(path)], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(src: Path, tmp: Path, path: Path, small: Path, tag: str) -> dict[str, float]:
    s = stages(src, path)
    s["ratio_end_to_end_vs_screen"] = (s["read_s"] + s["screen_s"] + s["write_s"]) / s["screen_s"]
    cli(src, ["check", str(small), "--format", "json", "-o", str(tmp / "warm.json")])  # warms the zone cache
    s["small_file_s"] = min(
        cli(src, ["check", str(small), "--format", "json", "-o", str(tmp / "s.json")]) for _ in range(3)
    )
    s["cli_1w_s"] = cli(src, ["check", str(path), "--format", "json", "-o", str(tmp / f"{tag}1.json")])
    s["cli_2w_s"] = cli(
        src, ["check", str(path), "--format", "json", "-o", str(tmp / f"{tag}2.json"), "--workers", "2"]
    )
    s["speedup_2w"] = s["cli_1w_s"] / s["cli_2w_s"]
    return s


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--flights", type=int, default=1000)
    ap.add_argument("--vertices", type=int, default=1000)
    ap.add_argument(
        "--baseline-src", type=Path, help="another source tree (say, main's `src`) measured in turn with this one"
    )
    ap.add_argument("--rounds", type=int, default=2)
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
    trees = {"this": ROOT / "src", **({"baseline": args.baseline_src} if args.baseline_src else {})}
    best: dict[str, dict[str, float]] = {}
    for r in range(args.rounds):  # in turn, so both see the same machine
        for tag, src in trees.items():
            m = measure(src, tmp, path, small, tag)
            say(tree=tag, round=r, **m)
            best[tag] = {k: min(v, best.get(tag, {}).get(k, v)) for k, v in m.items() if k.endswith("_s")}
    for m in best.values():  # the ratios of the best times
        m["ratio_end_to_end_vs_screen"] = (m["read_s"] + m["screen_s"] + m["write_s"]) / m["screen_s"]
        m["speedup_2w"] = m["cli_1w_s"] / m["cli_2w_s"]
    same = (tmp / "this1.json").read_bytes() == (tmp / "this2.json").read_bytes()
    for tag, m in best.items():
        say(tree=tag, best_of=args.rounds, **m)
    if "baseline" in best:
        b, t = best["baseline"], best["this"]
        say(
            read_speedup=b["read_s"] / t["read_s"],
            cli_1w_speedup=b["cli_1w_s"] / t["cli_1w_s"],
            small_file_speedup=b["small_file_s"] / t["small_file_s"],
            same_output_1_2_workers=same,
            same_output_as_baseline=(tmp / "this1.json").read_bytes() == (tmp / "baseline1.json").read_bytes(),
        )


if __name__ == "__main__":
    main()
