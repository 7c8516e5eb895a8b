"""Replaying a traffic archive as a use case (`highnorth replay`): the options checked once,
the policy loaded, the two stages scheduled (`highnorth.batch`) on a Dask cluster or in this
process, and the outputs written: the GeoParquet tables (always), CSV and GeoPackage copies,
`summary.json` and the HTML report with its plots (`replay_report`)."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..batch.run import DEFAULT_PARTITION_ROWS, Progress, RunResult, local_client, run_replay
from ..batch.stages import FORMATS, Job
from ..formats.compliance import to_csv, to_geopackage
from ..formats.traffic.identity import IdentityTable
from ..model.errors import InputError, did_you_mean
from ..model.rule import Policy
from ..model.time import format_time
from .config import Settings
from .loading import policy_at
from .queries import parse_when

__all__ = ["OUTPUTS", "TRAFFIC", "Replayed", "replay_archive"]

OUTPUTS = ("gpkg", "csv")
TRAFFIC = ("state", "all")

Warn = Callable[[str], None]


@dataclass
class Replayed:
    """A finished replay: what ran, the result of the run, the files written."""

    policy: Policy
    at: dt.datetime | None
    result: RunResult
    files: dict[str, str] = field(default_factory=dict)


def _inputs(paths: Sequence[Path]) -> list[str]:
    """Files as given, and the files inside folders given (sorted, hidden ones left out)."""
    out: list[str] = []
    for p in paths:
        if p.is_dir():
            out += sorted(str(f) for f in p.rglob("*") if f.is_file() and not f.name.startswith("."))
        elif p.is_file():
            out.append(str(p))
        else:
            raise InputError(f"INPUT: no file or folder `{p}`")
    if not out:
        raise InputError("INPUT: no files to replay in " + ", ".join(f"`{p}`" for p in paths))
    return out


def replay_archive(
    inputs: Sequence[Path],
    *,
    format: str,
    out: Path,
    settings: Settings,
    policy_dir: Path | None = None,
    at: str | None = None,
    traffic: str = "state",
    identity: Path | None = None,
    workers: int = 2,
    scheduler: str | None = None,
    partition_rows: int = DEFAULT_PARTITION_ROWS,
    buckets: int = 4,
    outputs: Sequence[str] = (),
    report: bool = True,
    progress: Progress | None = None,
    on_cluster: Callable[[str | None], None] | None = None,
    warn: Warn,
    client: Any = None,
) -> Replayed:
    """Replay archives: every track screened by the rules in force at its own time (or at
    `at`), the compliance tables written under `out`. `workers` 0 runs in this process;
    otherwise on a `LocalCluster` of that many processes, or on `scheduler` when given."""
    if format not in FORMATS:
        raise InputError(
            f"--format: unknown format `{format}`{did_you_mean(format, FORMATS)}; expected one of {', '.join(FORMATS)}"
        )
    if traffic not in TRAFFIC:
        raise InputError(
            f"--traffic: unknown value `{traffic}`{did_you_mean(traffic, TRAFFIC)}; expected one of {', '.join(TRAFFIC)}"
        )
    for o in outputs:
        if o not in OUTPUTS:
            raise InputError(
                f"--also: unknown output `{o}`{did_you_mean(o, OUTPUTS)}; expected one of {', '.join(OUTPUTS)}"
            )
    if partition_rows < 1000:
        raise InputError(f"--partition-rows: expected at least 1000 positions per partition, got {partition_rows}")
    if not 1 <= buckets <= 4096:
        raise InputError(f"--buckets: expected 1 to 4096 identity buckets per day, got {buckets}")
    files = _inputs(inputs)
    if identity is not None:
        IdentityTable.load(identity)  # errors now, naming the file, not in a worker
    policy = policy_at(policy_dir, settings, warn)
    when = parse_when(at, "--at", policy, in_force=True)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--out: cannot create `{out}`: {exc.strerror or exc}") from None
    job = Job(
        policy_dir=str(Path(policy_dir or settings.policy_dir).resolve()),
        cache_dir=str(settings.cache_dir) if settings.cache_dir else None,
        out_dir=str(out.resolve()),
        format=format,
        buckets=buckets,
        at=when,
        traffic=traffic,
        identity_file=str(identity.resolve()) if identity else None,
    )
    own = None
    if client is None and scheduler:
        from distributed import Client

        try:
            client = own = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise InputError(f"--scheduler: cannot reach `{scheduler}`: {exc}") from None
    elif client is None and workers > 0:
        client = own = local_client(workers)
    try:
        if on_cluster is not None and client is not None:
            on_cluster(getattr(client, "dashboard_link", None))
        result = run_replay(job, files, client=client, partition_rows=partition_rows, progress=progress)
    finally:
        if own is not None:
            cluster = getattr(own, "cluster", None)
            own.close()
            if cluster is not None:
                cluster.close()
    done = Replayed(policy, when, result)
    done.files["tracks"] = str(out / "tracks")
    done.files["exposures"] = str(out / "exposures")
    parts = {name: sorted((out / name).glob("part-*.parquet")) for name in ("tracks", "exposures")}
    if "csv" in outputs:
        for name in parts:
            to_csv(parts[name], out / f"{name}.csv")
            done.files[f"{name}.csv"] = str(out / f"{name}.csv")
    if "gpkg" in outputs:
        gpkg = out / "replay.gpkg"
        gpkg.unlink(missing_ok=True)
        to_geopackage(parts["tracks"], gpkg, "tracks", "LineString")
        to_geopackage(parts["exposures"], gpkg, "exposures", "Point")
        done.files["gpkg"] = str(gpkg)
    summary = summary_json(done, files, format)
    (out / "summary.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    done.files["summary"] = str(out / "summary.json")
    if report:
        from .replay_report import write_report

        done.files["report"] = str(write_report(out, summary, policy))
    return done


def summary_json(done: Replayed, files: list[str], format: str) -> dict[str, Any]:
    """Everything the report shows, as data."""
    r = done.result
    p = done.policy
    return {
        "policy": {"id": p.id, "hash": p.hashes.get("*", ""), "versions": [v.version for v in p.versions]},
        "at": format_time(done.at) if done.at else None,
        "format": format,
        "inputs": len(files),
        "workers": r.workers,
        "cpu_count": os.cpu_count(),
        "partitions": r.partitions,
        "failed_files": r.failed_files,
        "failed_partitions": r.failed_partitions,
        "read": r.report.to_json(),
        "seconds": {k: round(v, 3) for k, v in r.seconds.items()},
        **r.summary,
    }
