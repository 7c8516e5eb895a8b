"""HTTP load on `POST /screen`: `python bench/api_load.py [--duration 20] [--workers 1,2]`.

One flight over northern Norway (Finnmark) whose track has 1,000 vertices (lon 15..31, lat 68..71,
a climb, cruise and descent in z; times at constant speed between start and end) is screened by
`highnorth serve` on 127.0.0.1 under 20 concurrent connections, driven by `wrk -t2 -c20 -d20s
--latency` with a Lua script that POSTs the body with the bearer token (`apt-get install wrk`).
Without wrk an asyncio/httpx load generator with the same concurrency stands in, and the line
says `tool=httpx`.

The baseline is measured in the same run: `Screener(policy).screen([activity])` in this process,
single thread, on the same activity. `ratio` is the server's requests/s over that rate (the
server also parses the JSON, authenticates, and writes Decision JSON; wrk shares the machine's
cores with it). One line per worker count:

    screen_rps=... p50_ms=... p99_ms=... workers=1 baseline_in_process_per_s=... ratio=... tool=wrk
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

from highnorth.engine import Screener
from highnorth.formats.activity_geojson import read_activities
from highnorth.rules.loading.loader import load_policy
from highnorth.runtime import keep_freed_memory
from highnorth.service.config import Settings
from highnorth.store import Store, sqlite_url

BIN = Path(sys.executable).parent
HIGHNORTH = str(BIN / "highnorth") if (BIN / "highnorth").exists() else "highnorth"


def finnmark_flight(vertices: int = 1000) -> dict:
    """A US flight from the Lofoten side to the Varanger peninsula and back north, `vertices`
    positions with altitude (m AMSL) as z."""
    s = np.linspace(0.0, 1.0, vertices)
    lon = 15.0 + 16.0 * s
    lat = 69.5 + 1.4 * np.sin(2 * np.pi * 1.5 * s) * (1 - 0.3 * s)  # weaves within 68..71
    alt = np.minimum(np.minimum(s, 1 - s) * 4 * 11_000, 11_000) + 300  # climb, cruise FL360, descent
    coords = [[round(x, 5), round(y, 5), round(z, 1)] for x, y, z in zip(lon, lat, alt, strict=True)]
    return {
        "type": "Feature",
        "id": "bench-finnmark-1000",
        "geometry": {"type": "LineString", "coordinates": coords},
        "properties": {
            "name": "Bench: flight across Finnmark, 1,000 vertices",
            "kind": "flight",
            "actor": {"nation": "USA", "service": "Air Force", "unit": "bench"},
            "start": "2025-06-02T08:00:00Z",
            "end": "2025-06-02T10:00:00Z",
        },
    }


def baseline_rate(doc: dict, seconds: float) -> tuple[float, str]:
    """In-process `Screener(policy).screen([activity])` per second (single thread), and the outcome;
    malloc tuned as in the server (runtime.py)."""
    keep_freed_memory()
    policy = load_policy(Settings.from_env().policy_dir, cache_dir=Settings.from_env().cache_dir).policy
    (activity,) = read_activities(doc, known_nations=policy.actors.nations).activities
    screener = Screener(policy)
    for _ in range(5):
        outcome = screener.screen([activity])[0].outcome
    n, t0 = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - t0) < seconds:
        screener.screen([activity])
        n += 1
    return n / elapsed, outcome


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, workers: int, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "HIGHNORTH_NO_COLOR": "1"}
    env.pop("HIGHNORTH_DATABASE_URL", None)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [HIGHNORTH, "serve", "--db", str(db), "--port", str(port), "--workers", str(workers)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"highnorth serve exited {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return proc, base
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"highnorth serve not healthy after 180 s:\n{log.read_text(errors='replace')}")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()  # uvicorn shuts its workers down on SIGTERM
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)


_UNIT_MS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * _UNIT_MS[unit]


def parse_wrk(out: str) -> dict[str, float]:
    """Requests/s, the 50% and 99% latencies (ms) and the failed requests of `wrk --latency`."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, sock.groups())) if sock else 0)
    return {"rps": rps, "p50": p50, "p99": p99, "errors": errors}


def run_wrk(wrk: str, url: str, body: Path, token: str, args: argparse.Namespace, tmp: Path) -> dict[str, float]:
    script = tmp / "screen.lua"
    script.write_text(
        f"local f = assert(io.open({json.dumps(str(body))}, 'rb'))\n"
        "wrk.method = 'POST'\n"
        "wrk.body = f:read('*a')\n"
        "f:close()\n"
        "wrk.headers['Content-Type'] = 'application/geo+json'\n"
        f"wrk.headers['Authorization'] = 'Bearer {token}'\n"
    )
    cmd = [wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency"]
    cmd += ["--timeout", "30s", "-s", str(script), url]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    if args.verbose:
        print(out, file=sys.stderr)
    return parse_wrk(out)


def run_httpx(url: str, body: bytes, token: str, args: argparse.Namespace) -> dict[str, float]:
    """The fallback: `connections` tasks, each sending the next request once the last is answered."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/geo+json"}

    async def main() -> tuple[list[float], int, float]:
        latencies: list[float] = []
        errors = 0
        limits = httpx.Limits(max_connections=args.connections, max_keepalive_connections=args.connections)
        async with httpx.AsyncClient(headers=headers, limits=limits, timeout=30) as client:
            end = time.perf_counter() + args.duration

            async def worker() -> None:
                nonlocal errors
                while (t0 := time.perf_counter()) < end:
                    try:
                        ok = (await client.post(url, content=body)).status_code == 200
                    except httpx.HTTPError:
                        ok = False
                    if ok:
                        latencies.append((time.perf_counter() - t0) * 1e3)
                    else:
                        errors += 1

            t0 = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(args.connections)))
            return latencies, errors, time.perf_counter() - t0

    latencies, errors, elapsed = asyncio.run(main())
    p50, p99 = np.percentile(latencies, [50, 99]) if latencies else (math.nan, math.nan)
    return {"rps": len(latencies) / elapsed, "p50": float(p50), "p99": float(p99), "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per worker count")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", default="1,2", help="server worker counts, comma-separated")
    parser.add_argument("--vertices", type=int, default=1000)
    parser.add_argument("--baseline-seconds", type=float, default=10.0)
    parser.add_argument("--tool", choices=["auto", "wrk", "httpx"], default="auto")
    parser.add_argument("--verbose", action="store_true", help="print wrk's own output to stderr")
    args = parser.parse_args()

    doc = {"type": "FeatureCollection", "features": [finnmark_flight(args.vertices)]}
    body_bytes = json.dumps(doc).encode()
    wrk = shutil.which("wrk") if args.tool in ("auto", "wrk") else None
    if args.tool == "wrk" and wrk is None:
        raise SystemExit("wrk not found: apt-get install -y wrk")
    tool = "wrk" if wrk else "httpx"
    if tool == "httpx" and args.tool == "auto":
        print("wrk not found: using the asyncio/httpx load generator instead", file=sys.stderr)

    baseline, outcome = baseline_rate(doc, args.baseline_seconds)
    print(
        f"activity vertices={args.vertices} body_bytes={len(body_bytes)} outcome={outcome} "
        f"baseline_in_process_per_s={baseline:.4g}",
        flush=True,
    )

    with tempfile.TemporaryDirectory(prefix="highnorth-api-load-") as tmpdir:
        tmp = Path(tmpdir)
        db, body = tmp / "bench.db", tmp / "body.json"
        body.write_bytes(body_bytes)
        store = Store(sqlite_url(db))
        store.add_user("bench", "approver")
        token = store.create_token("bench", "api_load")
        store.close()
        for workers in [int(w) for w in args.workers.split(",")]:
            proc, base = start_server(db, workers, tmp / f"serve-{workers}.log")
            try:
                url = f"{base}/screen"
                with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
                    for _ in range(4 * workers):  # warm every worker; check the answer once
                        answer = client.post(url, content=body_bytes)
                        answer.raise_for_status()
                    got = answer.json()["decisions"][0]["outcome"]
                    assert got == outcome, f"server says {got}, in-process {outcome}"
                r = run_wrk(wrk, url, body, token, args, tmp) if wrk else run_httpx(url, body_bytes, token, args)
            finally:
                stop_server(proc)
            print(
                f"screen_rps={r['rps']:.4g} p50_ms={r['p50']:.4g} p99_ms={r['p99']:.4g} workers={workers} "
                f"baseline_in_process_per_s={baseline:.4g} ratio={r['rps'] / baseline:.3g} "
                f"errors={r['errors']} tool={tool} connections={args.connections} duration_s={args.duration}",
                flush=True,
            )


if __name__ == "__main__":
    main()
