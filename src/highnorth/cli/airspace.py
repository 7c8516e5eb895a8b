"""`highnorth airspace plan|conflicts`: the daily airspace use plan of a database, and the
conflicts among the volumes held there (or in a file), with the standing airspace and the areas
of NOTAM files. Use cases: `service.plan`, `service.airspace`, `service.notams`."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from ..formats.decision_json import dumps
from ..model.errors import InputError
from ..service import airspace, plan
from ..service.notams import read_notam_files
from ..workflow.access import Principal
from .common import console, get_screener, warn, write_or_print
from .server import DbOpt, _settings

app = typer.Typer(help="The daily airspace use plan and airspace conflicts.", no_args_is_help=True)
OPERATOR = Principal("cli", "admin")  # whoever holds the database sees every allocation


class PlanFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class ConflictFormat(StrEnum):
    table = "table"
    geojson = "geojson"


def _service(database: str | None, policy: Path | None) -> Any:
    from ..service.context import load_service

    return load_service(_settings(database).but(policy_dir=policy), on_warning=warn)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None


@app.command("plan")
def plan_command(
    day: Annotated[str | None, typer.Option("--day", help="The UTC day, YYYY-MM-DD (default today).")] = None,
    format: Annotated[PlanFormat, typer.Option("--format", "-f")] = PlanFormat.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")] = None,
    database: DbOpt = None,
    policy: Annotated[Path | None, typer.Option("--policy", help="Policy directory.")] = None,
) -> None:
    """The daily airspace use plan: every volume allocated for the day, its times, band and user,
    the day's updates marked."""
    service = _service(database, policy)
    try:
        doc = plan.daily_plan(service, OPERATOR, day)
    finally:
        service.store.close()
    text = dumps(doc) if format is PlanFormat.json else plan.render_plan(doc, format.value)
    write_or_print(text, output)


@app.command("conflicts")
def conflicts_command(
    volumes: Annotated[
        Path | None, typer.Option("--volumes", help='A JSON file {"volumes": [...]} instead of the database.')
    ] = None,
    notams: Annotated[
        list[Path] | None, typer.Option("--notams", help="A NOTAM file whose areas count as standing (repeatable).")
    ] = None,
    standing: Annotated[bool, typer.Option(help="Also against the policy's restricted and danger areas.")] = True,
    format: Annotated[ConflictFormat, typer.Option("--format", "-f")] = ConflictFormat.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="GeoJSON file of the conflicts.")] = None,
    database: DbOpt = None,
    policy: Annotated[Path | None, typer.Option("--policy", help="Policy directory.")] = None,
) -> None:
    """Every conflict among the volumes held (or in --volumes), and with the standing airspace and
    the NOTAM areas: where (km²), which band, which windows. Exit 0 with none, 5 with some."""
    feed = read_notam_files(notams or [], warn)
    if volumes is not None:  # a file: no database
        found = airspace.read_volume_file(_read_json(volumes), str(volumes))
        screener = get_screener(policy)
        doc = airspace.file_conflicts(screener.policy, screener.frame, found, feed, standing=standing)
    else:
        service = _service(database, policy)
        try:
            service.notam_feed = feed
            doc = airspace.conflicts_document(service, OPERATOR, standing=standing)
        finally:
            service.store.close()
    for w in doc.get("warnings", []):
        warn(w)
    if output:
        write_or_print(dumps(doc), output)
    if format is ConflictFormat.geojson:
        if not output:
            write_or_print(dumps(doc), None)
    else:
        table = Table(title=f"{len(doc['features'])} conflicts", title_justify="left")
        for col in ("a", "b", "windows (UTC)", "band m AMSL", "km²"):
            table.add_column(col, overflow="fold")
        for f in doc["features"]:
            p = f["properties"]
            windows = ", ".join(f"{w['start']} → {w['end']}" for w in p["windows"])
            band = f"{p['lower_m'] if p['lower_m'] is not None else 'SFC'} – {p['upper_m'] if p['upper_m'] is not None else 'UNL'}"
            table.add_row(p["volume_a"], p["volume_b"], windows, band, f"{p['area_km2']:.3f}")
        console().print(table)
    if doc["features"]:
        raise typer.Exit(5)
