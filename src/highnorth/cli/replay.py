"""`highnorth replay`: screen traffic archives (ADS-B, AIS) track by track, on a Dask cluster.
Use case: `service.replay.replay_archive` (imported when the command runs, so the other commands
do not pay for loading Dask and pyarrow); the report: `service.replay_report`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from .common import console, err_console, settings, warn

PolicyOpt = Annotated[Path | None, typer.Option("--policy", help="Policy directory (default: the High North dataset).")]


def replay(
    inputs: Annotated[list[Path], typer.Argument(metavar="INPUT...", help="Archive files or folders of them.")],
    format: Annotated[str, typer.Option("--format", "-f", help="adsb | ais-nmea | ais-csv")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the tables, summary and report.")],
    at: Annotated[
        str | None,
        typer.Option("--at", help="Judge every track by the rules in force at this time (default: its own)."),
    ] = None,
    policy: PolicyOpt = None,
    traffic: Annotated[
        str, typer.Option("--traffic", help="state: state aircraft and ships only; all: every track.")
    ] = "state",
    identity: Annotated[
        Path | None, typer.Option("--identity", help="Your own identity table (YAML, docs/replay.md).")
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=0, help="Local Dask worker processes; 0: in this process.")
    ] = 2,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Address of an existing Dask scheduler.")] = None,
    partition_rows: Annotated[
        int, typer.Option("--partition-rows", help="Positions per partition (memory per worker).")
    ] = 1_000_000,
    buckets: Annotated[
        int, typer.Option("--buckets", help="Identity buckets per day (partitioning by aircraft/vessel).")
    ] = 4,
    also: Annotated[
        list[str] | None, typer.Option("--also", help="Also write: gpkg, csv (repeat or comma-separate).")
    ] = None,
    no_report: Annotated[bool, typer.Option("--no-report", help="Skip the HTML report and its plots.")] = False,
) -> None:
    """Replay traffic archives: did the flights and ships follow the rules?"""
    from ..service.replay import replay_archive  # Dask, pyarrow, pyais: loaded by this command only

    outputs = [o.strip() for value in also or [] for o in value.split(",") if o.strip()]
    quiet = not err_console().is_terminal
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console(),
        disable=quiet,
        transient=False,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task("reading files" if stage == "read" else "screening partitions", total=total)
            bar.update(tasks[stage], completed=done)

        def cluster(link: str | None) -> None:
            if link:
                err_console().print(f"Dask dashboard: {link}", highlight=False)

        done = replay_archive(
            inputs,
            format=format,
            out=out,
            settings=settings(),
            policy_dir=policy,
            at=at,
            traffic=traffic,
            identity=identity,
            workers=workers,
            scheduler=scheduler,
            partition_rows=partition_rows,
            buckets=buckets,
            outputs=outputs,
            report=not no_report,
            progress=progress,
            on_cluster=cluster,
            warn=warn,
        )
    r = done.result
    s = r.summary
    table = Table("outcome", "tracks", title=f"{s.get('tracks', 0):,} tracks from {s.get('positions', 0):,} positions")
    for outcome in ("permitted", "conditional", "referred", "denied"):
        table.add_row(outcome, f"{s.get('by_outcome', {}).get(outcome, 0):,}")
    console().print(table)
    counts = r.report.counts
    skipped = {
        k: v for k, v in sorted(counts.items()) if k not in ("records", "positions", "sentences", "messages") and v
    }
    if skipped:
        console().print("skipped: " + ", ".join(f"{k} {v:,}" for k, v in skipped.items()), highlight=False)
    for p in r.report.problems[:5]:
        warn(p)
    for f in r.failed_files + r.failed_partitions:
        err_console().print(f"[red]failed:[/red] {f}", highlight=False)
    for name, path in done.files.items():
        console().print(f"{name}: {path}", highlight=False)
    raise typer.Exit(1 if r.failed_files or r.failed_partitions else 0)
