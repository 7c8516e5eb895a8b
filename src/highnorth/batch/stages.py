"""The two stages of a replay, as plain functions of file names and small values: what a Dask
worker runs, and what the one-process replay runs in a loop. Nothing here imports Dask.

Stage 1, `stage_file`: one input file is read block by block; each position goes to the cell
of its UTC day and identity bucket (`crc32(ident) % buckets`); each block is written sorted by
cell as one Arrow IPC file under `staging/`, a record batch per cell. Returns the rows and the
batches of each cell, and the read report.

Stage 2, `screen_cells`: the staging files of some cells are read, split into tracks
(`formats.traffic.tracks`), each track given its actor (`identity`), the tracks of the chosen
traffic screened by `Screener.screen` — the engine `highnorth check` runs — and the compliance
tables written as GeoParquet parts named by the partition. Returns a small summary.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import time
import zlib
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..engine import Screener
from ..formats.compliance import compliance_tables, write_geoparquet
from ..formats.traffic.activities import track_activity
from ..formats.traffic.adsb import read_adsb
from ..formats.traffic.ais import read_ais_csv, read_nmea
from ..formats.traffic.identity import IdentityTable
from ..formats.traffic.positions import ReadReport
from ..formats.traffic.tracks import split_tracks
from ..model.activity import Activity
from ..rules.loading.loader import load_policy

__all__ = ["FORMATS", "Job", "cell_name", "screen_cells", "stage_file"]

FORMATS = ("adsb", "ais-nmea", "ais-csv")
DAY_MS = 86_400_000


@dataclass(frozen=True)
class Job:
    """What every task of one replay shares (small and picklable: paths and values, not the
    policy; each worker process loads the policy once from its directory and zone cache)."""

    policy_dir: str
    cache_dir: str | None
    out_dir: str
    format: str
    buckets: int = 4
    at: dt.datetime | None = None
    traffic: str = "state"  # `state`: state aircraft and ships only; `all`: every track
    identity_file: str | None = None


def cell_name(day: int, bucket: int) -> str:
    """A cell's folder: its UTC day and identity bucket."""
    date = dt.datetime.fromtimestamp(day * 86_400, dt.UTC).date()
    return f"day={date.isoformat()}/bucket={bucket:03d}"


def _reader(fmt: str):
    return {"adsb": read_adsb, "ais-nmea": read_nmea, "ais-csv": read_ais_csv}[fmt]


def stage_file(job: Job, index: int, path: str) -> dict[str, Any]:
    """Stage 1 for one input file: its positions sorted by cell into one staging file per block
    (Arrow IPC, a record batch per cell). Returns `{"cells": {cell: rows}, "pieces": {cell:
    [(file, first batch, batches)]}, "report": ReadReport json, "file": path}`; a file that
    cannot be read is a problem in the report, not an exception."""
    cpu = time.process_time()
    report = ReadReport()
    cells: Counter[str] = Counter()
    pieces: dict[str, list[tuple[str, int, int]]] = {}
    staging = Path(job.out_dir) / "staging"
    staging.mkdir(parents=True, exist_ok=True)
    block_no = 0
    p = Path(path)
    if not p.is_file():
        report.problem("unreadable_file", path, None, "no such file")
    else:
        for block in _reader(job.format)(p, report):
            if not block.num_rows:
                continue
            enc = pc.dictionary_encode(block["ident"]).combine_chunks()
            crc = np.array([zlib.crc32(v.encode()) % job.buckets for v in enc.dictionary.to_pylist()], dtype=np.int64)
            bucket = crc[enc.indices.to_numpy()]
            day = block["time"].to_numpy() // DAY_MS
            key = day * job.buckets + bucket
            order = np.argsort(key, kind="stable")
            keys, starts = np.unique(key[order], return_index=True)
            ends = np.append(starts[1:], len(order))
            ordered = block.take(pa.array(order)).combine_chunks()
            # one Arrow IPC file per block, a record batch per cell: read back by batch, memory
            # mapped (a file per cell and block cost more to write than reading the input)
            file = f"f{index:06d}-{block_no:04d}.arrow"
            batch_no = 0
            with pa.OSFile(str(staging / file), "wb") as sink, pa.ipc.new_file(sink, ordered.schema) as writer:
                for k, a, b in zip(keys.tolist(), starts.tolist(), ends.tolist(), strict=True):
                    name = cell_name(k // job.buckets, k % job.buckets)
                    batches = ordered.slice(a, b - a).to_batches()
                    for batch in batches:
                        writer.write_batch(batch)
                    pieces.setdefault(name, []).append((file, batch_no, len(batches)))
                    batch_no += len(batches)
                    cells[name] += b - a
            block_no += 1
    return {
        "file": path,
        "cells": dict(cells),
        "pieces": pieces,
        "report": report.to_json(),
        "cpu_seconds": time.process_time() - cpu,
    }


def _read_pieces(staging: Path, pieces: list[tuple[str, int, int]]) -> pa.Table | None:
    """The positions of some cells: their record batches, from memory-mapped staging files."""
    readers: dict[str, Any] = {}
    batches = []
    for file, first, count in pieces:
        if file not in readers:
            readers[file] = pa.ipc.open_file(pa.memory_map(str(staging / file)))
        batches += [readers[file].get_batch(i) for i in range(first, first + count)]
    return pa.Table.from_batches(batches) if batches else None


@lru_cache(maxsize=2)
def _screener(policy_dir: str, cache_dir: str | None) -> Screener:
    """One screener per worker process and policy (loading, indexing and the grid are paid once:
    a worker screens partition after partition, so the grid's fast path pays from the first)."""
    return Screener(load_policy(Path(policy_dir), cache_dir=Path(cache_dir) if cache_dir else None).policy).warm()


@lru_cache(maxsize=2)
def _identity(path: str | None) -> IdentityTable:
    return IdentityTable.load(Path(path)) if path else IdentityTable.default()


def screen_cells(job: Job, partition: int, cells: list[str], pieces: list[tuple[str, int, int]]) -> dict[str, Any]:
    """Stage 2 for one partition: the positions of its `cells` (stored as `pieces`) screened; the tracks and exposures
    tables written as `tracks/part-NNNNN.parquet` and `exposures/part-NNNNN.parquet`. Returns
    counts by outcome, nation, zone and day, and the tracks' split counts."""
    began, cpu = time.perf_counter(), time.process_time()
    positions = _read_pieces(Path(job.out_dir) / "staging", pieces)
    counts: Counter[str] = Counter()
    activities: list[Activity] = []
    extra: list[dict[str, Any]] = []
    if positions is not None:
        identity = _identity(job.identity_file)
        for track in split_tracks(positions, counts):
            who = (
                identity.adsb(track.ident, track.callsign)
                if track.source == "adsb"
                else identity.ais(track.ident, track.ship_type)
            )
            if job.traffic == "state" and not who.state:
                counts["not_state"] += 1
                continue
            activities.append(track_activity(track, who))
            extra.append(
                {
                    "source": track.source,
                    "ident": track.ident,
                    "state": who.state,
                    "identity": who.how,
                    "positions": len(track.time),
                }
            )
    screener = _screener(job.policy_dir, job.cache_dir)
    decisions = screener.screen(activities, at=job.at)
    tracks, exposures = compliance_tables(activities, decisions, extra)
    out = Path(job.out_dir)
    for name, table, gtype in (("tracks", tracks, "LineString"), ("exposures", exposures, "Point")):
        (out / name).mkdir(parents=True, exist_ok=True)
        write_geoparquet(table, out / name / f"part-{partition:05d}.parquet", gtype)
    summary = _summary(tracks, exposures)
    summary.update(
        partition=partition,
        cells=len(cells),
        positions=int(positions.num_rows) if positions is not None else 0,
        screened_positions=sum(int(x["positions"]) for x in extra),
        counts=dict(counts),
        seconds=time.perf_counter() - began,
        cpu_seconds=time.process_time() - cpu,
        max_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        pid=os.getpid(),
    )
    return summary


def _summary(tracks: pa.Table, exposures: pa.Table) -> dict[str, Any]:
    """What the report needs, small: tracks by outcome and by (nation, outcome), restricted
    exposures (refer and deny) by zone and by day, tracks per day."""
    by_outcome = Counter(tracks["outcome"].to_pylist())
    by_nation = Counter(
        f"{n}|{o}" for n, o in zip(tracks["nation"].to_pylist(), tracks["outcome"].to_pylist(), strict=True)
    )
    days = Counter(t.date().isoformat() for t in tracks["start"].to_pylist())
    zone_effect = Counter(
        f"{z}|{e}" for z, e in zip(exposures["zone"].to_pylist(), exposures["effect"].to_pylist(), strict=True)
    )
    restricted = pc.is_in(exposures["effect"], pa.array(["refer", "deny"]))
    restricted_days = Counter(
        f"{t.date().isoformat()}|{e}"
        for t, e in zip(
            exposures.filter(restricted)["enter"].to_pylist(),
            exposures.filter(restricted)["effect"].to_pylist(),
            strict=True,
        )
    )
    return {
        "tracks": tracks.num_rows,
        "exposures": exposures.num_rows,
        "by_outcome": dict(by_outcome),
        "by_nation": dict(by_nation),
        "tracks_by_day": dict(days),
        "zone_effect": dict(zone_effect),
        "restricted_by_day": dict(restricted_days),
    }
