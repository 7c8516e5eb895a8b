"""`highnorth zones list|import|export`."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..formats.decision_json import dumps
from ..geo.zones.projection import Frame
from ..model.errors import FormatError, InputError
from .common import console, get_policy, parse_when, warn, write_or_print

app = typer.Typer(help="List, import and export zones.", no_args_is_help=True)


class ZoneFormat(StrEnum):
    openair = "openair"
    geojson = "geojson"


@app.command("list")
def list_zones(
    at: Annotated[str | None, typer.Option("--at", help="Only zones in force at this time.")] = None,
    tag: Annotated[str | None, typer.Option("--tag", help="Only zones with this tag.")] = None,
    policy: Annotated[Path | None, typer.Option("--policy", help="Policy directory.")] = None,
) -> None:
    """The zones of the policy with their limits, area, basis and source."""
    pol = get_policy(policy)
    when = parse_when(at, "--at", pol)
    frame = Frame.of(pol.frame)
    table = Table(title=f"zones of {pol.id}", title_justify="left")
    for col in ("id", "name", "lower", "upper", "km²", "tags", "basis"):
        table.add_column(col, overflow="fold", justify="right" if col == "km²" else "left")
    for z in pol.zones.values():
        if (when and not z.in_force_at(when)) or (tag and tag not in z.tags):
            continue
        table.add_row(
            z.id,
            z.name,
            str(z.lower),
            str(z.upper),
            f"{frame.area_km2(z.geometry):,.1f}",
            ", ".join(sorted(z.tags)),
            z.basis,
        )
    console().print(table)


@app.command("export")
def export_zones(
    output: Annotated[Path, typer.Option("--output", "-o", help="GeoJSON file to write.")],
    at: Annotated[str | None, typer.Option("--at", help="Only zones in force at this time.")] = None,
    policy: Annotated[Path | None, typer.Option("--policy", help="Policy directory.")] = None,
) -> None:
    """Write the zones (in force at a time) as GeoJSON."""
    from ..formats.zones_geojson import write_zones_geojson

    pol = get_policy(policy)
    when = parse_when(at, "--at", pol)
    zones = [z for z in pol.zones.values() if when is None or z.in_force_at(when)]
    write_or_print(dumps(write_zones_geojson(zones)), output)


@app.command("import")
def import_zones(
    file: Annotated[Path, typer.Argument(help="An OpenAir or GeoJSON file of zones.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory for <name>.zones.yaml and <name>.geojson.")],
    format: Annotated[
        ZoneFormat | None, typer.Option("--format", help="Input format (default: by file ending).")
    ] = None,
    name: Annotated[str, typer.Option("--name", help="Base name of the written files.")] = "imported",
    source: Annotated[str, typer.Option("--source", help="Source to record on every zone.")] = "",
    reject_invalid_geometry: Annotated[bool, typer.Option("--reject-invalid-geometry")] = False,
) -> None:
    """Convert OpenAir or GeoJSON zones into a zone file a policy can include."""
    from ..formats.openair import read_openair
    from ..formats.zones_geojson import read_zones_geojson
    from ..formats.zones_yaml import write_zone_set

    fmt = format or (ZoneFormat.geojson if file.suffix.lower() in (".geojson", ".json") else ZoneFormat.openair)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise InputError(f"{file}: cannot read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        if fmt is not ZoneFormat.openair:
            raise FormatError(f"{file}: not UTF-8 text; GeoJSON is UTF-8 (RFC 7946)") from None
        text = raw.decode("latin-1")  # many OpenAir files are Latin-1
        warn(f"{file}: not UTF-8; read as Latin-1")
    src = source or str(file.name)
    if fmt is ZoneFormat.openair:
        zones, warnings = read_openair(text, source=src, repair_invalid=not reject_invalid_geometry)
    else:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FormatError(f"{file}:{exc.lineno}: not valid JSON: {exc.msg}") from None
        zones, warnings = read_zones_geojson(doc, source=src, repair_invalid=not reject_invalid_geometry)
    for w in warnings:
        warn(w)
    if not zones:
        raise FormatError(
            f"{file}: no zones found (read as {fmt.value}); expected OpenAir AC/AN/DP records or GeoJSON polygons"
        )
    try:
        output.mkdir(parents=True, exist_ok=True)
        path = write_zone_set(zones, output, name=name)
    except OSError as exc:
        raise InputError(f"--output: cannot write into `{output}`: {exc.strerror or exc}") from None
    console().print(f"imported {len(zones)} zones into {path}", highlight=False)
