"""`highnorth zones list|import|export` (OpenAir, GeoJSON, ED-269, ED-318). Use cases: `service.zones` (`zones_at`, `zone_areas_km2`,
`import_zone_file`)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..formats.decision_json import dumps
from ..service.zones import export_zones as export_zone_doc
from ..service.zones import import_zone_file, zone_areas_km2, zones_at
from .common import console, get_policy, warn, write_or_print

app = typer.Typer(help="List, import and export zones.", no_args_is_help=True)


class ZoneFormat(StrEnum):
    openair = "openair"
    geojson = "geojson"
    ed269 = "ed269"
    ed318 = "ed318"


class ExportFormat(StrEnum):
    geojson = "geojson"
    ed318 = "ed318"


SchemaOpt = Annotated[
    Path | None,
    typer.Option(
        "--schema", help="Directory of the ED-318 JSON Schemas (Schema_GeoZones.json ...): validate against them."
    ),
]


@app.command("list")
def list_zones(
    at: Annotated[str | None, typer.Option("--at", help="Only zones in force at this time.")] = None,
    tag: Annotated[str | None, typer.Option("--tag", help="Only zones with this tag.")] = None,
    policy: Annotated[Path | None, typer.Option("--policy", help="Policy directory.")] = None,
) -> None:
    """The zones of the policy with their limits, area, basis and source."""
    pol = get_policy(policy)
    zones = zones_at(pol, at, "--at", tag or None)
    table = Table(title=f"zones of {pol.id}", title_justify="left")
    for col in ("id", "name", "lower", "upper", "km²", "tags", "basis"):
        table.add_column(col, overflow="fold", justify="right" if col == "km²" else "left")
    for z, km2 in zip(zones, zone_areas_km2(pol, zones), strict=True):
        table.add_row(
            z.id,
            z.name,
            str(z.lower),
            str(z.upper),
            f"{km2:,.1f}",
            ", ".join(sorted(z.tags)),
            z.basis,
        )
    console().print(table)


@app.command("export")
def export_zones(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    at: Annotated[str | None, typer.Option("--at", help="Only zones in force at this time.")] = None,
    tag: Annotated[str | None, typer.Option("--tag", help="Only zones with this tag.")] = None,
    format: Annotated[
        ExportFormat, typer.Option("--format", help="geojson or ed318 (ED-318 GeoZones).")
    ] = ExportFormat.geojson,
    schema: SchemaOpt = None,
    policy: Annotated[Path | None, typer.Option("--policy", help="Policy directory.")] = None,
) -> None:
    """Write the zones (in force at a time) as GeoJSON or ED-318 (checked against the schemas with --schema)."""
    zones = zones_at(get_policy(policy), at, "--at", tag or None)
    write_or_print(dumps(export_zone_doc(zones, format.value, schema)), output)


@app.command("import")
def import_zones(
    file: Annotated[Path, typer.Argument(help="An OpenAir, GeoJSON, ED-269 or ED-318 file of zones.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory for <name>.zones.yaml and <name>.geojson.")],
    format: Annotated[
        ZoneFormat | None, typer.Option("--format", help="Input format (default: by file ending).")
    ] = None,
    name: Annotated[str, typer.Option("--name", help="Base name of the written files.")] = "imported",
    source: Annotated[str, typer.Option("--source", help="Source to record on every zone.")] = "",
    reject_invalid_geometry: Annotated[bool, typer.Option("--reject-invalid-geometry")] = False,
    schema: SchemaOpt = None,
) -> None:
    """Convert OpenAir, GeoJSON, ED-269 or ED-318 zones into a zone file a policy can include
    (ED-318 checked against the schemas with --schema; a zone that fails is left out and named)."""
    fmt = format or (ZoneFormat.geojson if file.suffix.lower() in (".geojson", ".json") else ZoneFormat.openair)
    count, path = import_zone_file(
        file,
        fmt.value,
        output,
        name=name,
        source=source,
        repair=not reject_invalid_geometry,
        warn=warn,
        schema_dir=schema,
    )
    console().print(f"imported {count} zones into {path}", highlight=False)
