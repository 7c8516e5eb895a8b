"""Scheduling a replay: stage 1 per input file, the cells packed into partitions of bounded
size, stage 2 per partition — on a Dask distributed `Client` (a `LocalCluster` by default, an
existing scheduler by address), or in this process with `client=None`. Only the small
summaries of `stages` come back to the client; the tables stay in the files the workers wrote.

A task that raises is retried (`retries`, by Dask on another attempt); one that still fails is
named in the result (its file, or its partition and cells) and the run goes on.
"""

from __future__ import annotations

import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..formats.traffic.positions import ReadReport
from .stages import Job, screen_cells, stage_file

__all__ = ["DEFAULT_PARTITION_ROWS", "Progress", "RunResult", "local_client", "pack_cells", "run_replay"]

#: positions per partition (stage 2) when not told otherwise: a worker holds about 1 KB per
#: position while it screens them (docs/scale.md), so 1,000,000 positions ≈ 1 GB
DEFAULT_PARTITION_ROWS = 1_000_000

Progress = Callable[[str, int, int], None]


@dataclass
class RunResult:
    """What a replay did: the files' read report, the partitions and the ones that failed,
    the summaries of the partitions merged, and timings."""

    report: ReadReport = field(default_factory=ReadReport)
    files: int = 0
    failed_files: list[str] = field(default_factory=list)
    partitions: int = 0
    failed_partitions: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    workers: int = 1
    dashboard: str | None = None


def pack_cells(cells: dict[str, int], rows: int) -> list[list[str]]:
    """Cells (name → positions) packed in order (day, then bucket) into partitions of at most
    `rows` positions; a cell larger than that is a partition of its own.

    >>> pack_cells({"d1/b0": 5, "d1/b1": 4, "d2/b0": 3, "d2/b1": 9}, 8)
    [['d1/b0'], ['d1/b1', 'd2/b0'], ['d2/b1']]
    """
    parts: list[list[str]] = []
    size = 0
    for name in sorted(cells):
        if not parts or size + cells[name] > rows:
            parts.append([])
            size = 0
        parts[-1].append(name)
        size += cells[name]
    return parts


def local_client(workers: int, *, memory_limit: str = "auto", dashboard: bool = True) -> Any:
    """A Dask `Client` on a new `LocalCluster` of `workers` processes with one thread each
    (the engine holds the GIL in numpy/numba loops; processes, not threads, use the cores)."""
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        memory_limit=memory_limit,
        dashboard_address=":0" if dashboard else None,
    )
    return Client(cluster)


def _run(
    client: Any,
    fn: Callable,
    args: list[tuple],
    names: list[str],
    retries: int,
    progress: Progress | None,
    stage: str,
    workers: list[str] | None,
) -> Iterable[tuple[int, Any, BaseException | None]]:
    """Run `fn(*args[i])` for every i, yielding (i, result, error) as each finishes."""
    total = len(args)
    if progress:
        progress(stage, 0, total)
    if client is None:
        for i, a in enumerate(args):
            error: BaseException | None = None
            result = None
            for _attempt in range(retries + 1):
                try:
                    result, error = fn(*a), None
                    break
                except Exception as exc:  # a failed task is retried, then named; the run goes on
                    error = exc
            if progress:
                progress(stage, i + 1, total)
            yield i, result, error
        return
    from distributed import as_completed

    futures = {
        client.submit(fn, *a, retries=retries, key=f"{stage}-{names[i]}", workers=workers, pure=False): i
        for i, a in enumerate(args)
    }
    for done, future in enumerate(as_completed(futures), start=1):
        i = futures[future]
        if progress:
            progress(stage, done, total)
        if future.status == "error":
            yield i, None, future.exception()
        else:
            yield i, future.result(), None
        future.release()


def run_replay(
    job: Job,
    inputs: list[str],
    *,
    client: Any = None,
    partition_rows: int = DEFAULT_PARTITION_ROWS,
    retries: int = 2,
    progress: Progress | None = None,
    workers: list[str] | None = None,
    keep_staging: bool = False,
) -> RunResult:
    """Replay `inputs` under `job`: stage 1, packing, stage 2. `workers`: restrict the tasks to
    these worker addresses of the client's cluster."""
    result = RunResult()
    out = Path(job.out_dir)
    for sub in ("staging", "tracks", "exposures"):
        shutil.rmtree(out / sub, ignore_errors=True)
    if client is not None:
        result.workers = len(workers) if workers else len(client.scheduler_info(n_workers=-1).get("workers", {}))
        result.dashboard = getattr(client, "dashboard_link", None)
    began = time.perf_counter()
    cells: Counter[str] = Counter()
    pieces: dict[str, list[tuple[str, int, int]]] = {}
    names = [f"{i:06d}" for i in range(len(inputs))]
    for i, res, error in _run(
        client, stage_file, [(job, i, p) for i, p in enumerate(inputs)], names, retries, progress, "read", workers
    ):
        result.files += 1
        if error is not None:
            result.failed_files.append(inputs[i])
            result.report.problem(
                "failed_file",
                inputs[i],
                None,
                f"reading failed after {retries + 1} attempts: {type(error).__name__}: {error}",
            )
            continue
        cells.update(res["cells"])
        for cell, found in res["pieces"].items():
            pieces.setdefault(cell, []).extend(tuple(p) for p in found)
        result.seconds["read_cpu"] = result.seconds.get("read_cpu", 0.0) + res["cpu_seconds"]
        part = ReadReport()
        part.counts.update(res["report"]["counts"])
        part.problems = res["report"]["problems"]
        result.report.merge(part)
    result.seconds["read"] = time.perf_counter() - began
    began = time.perf_counter()
    parts = pack_cells(dict(cells), partition_rows)
    result.partitions = len(parts)
    merged: dict[str, Any] = {
        "counts": Counter(),
        "positions": 0,
        "screened_positions": 0,
        "tracks": 0,
        "exposures": 0,
        "max_rss_mb": 0.0,
        "max_partition_positions": 0,
    }
    keys = ("by_outcome", "by_nation", "tracks_by_day", "zone_effect", "restricted_by_day")
    for k in keys:
        merged[k] = Counter()
    args = [(job, n, cs, [p for c in cs for p in pieces[c]]) for n, cs in enumerate(parts)]
    for n, res, error in _run(
        client, screen_cells, args, [f"{n:05d}" for n in range(len(parts))], retries, progress, "screen", workers
    ):
        if error is not None:
            result.failed_partitions.append(f"partition {n} ({', '.join(parts[n])}): {type(error).__name__}: {error}")
            continue
        for k in keys:
            merged[k].update(res[k])
        merged["counts"].update(res["counts"])
        for k in ("positions", "screened_positions", "tracks", "exposures"):
            merged[k] += res[k]
        merged["max_rss_mb"] = max(merged["max_rss_mb"], res["max_rss_mb"])
        result.seconds["screen_cpu"] = result.seconds.get("screen_cpu", 0.0) + res["cpu_seconds"]
        merged["max_partition_positions"] = max(merged["max_partition_positions"], res["positions"])
    result.seconds["screen"] = time.perf_counter() - began
    result.summary = {k: dict(v) if isinstance(v, Counter) else v for k, v in merged.items()}
    if not keep_staging:
        shutil.rmtree(out / "staging", ignore_errors=True)
    return result
