"""The replay's compliance tables and the files they are written to (docs/replay.md).

Two tables per partition:

- **tracks**: one row per screened track: `track`, `source`, `ident`, `callsign`, `nation`,
  `service`, `state`, `identity` (how the actor was found), `kind`, `start`, `end` (UTC),
  `positions`, `outcome`, `obligations`, `rules`, `zones` (comma-separated), `decision` (the
  Decision JSON of the track, as `highnorth check --format json` writes it) and the track as a
  2D LineString `geometry`.
- **exposures**: one row per reason about a zone: `track`, `nation`, `kind`, `outcome` (of the
  track), `rule`, `effect`, `zone`, `enter`, `exit`, `exit_lon`, `exit_lat`, `lower_m`,
  `upper_m`, `basis`, `version`, and the entry point as a Point `geometry`.

Written as GeoParquet 1.1 (WKB geometry, `geo` metadata; lon/lat, OGC:CRS84), read by pyarrow,
GeoPandas and QGIS; and, from those, as CSV (geometry as WKT) and GeoPackage (through pyogrio,
GDAL's maintained Python binding, without GeoPandas).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import shapely

from ..model.activity import Activity
from ..model.decision import Decision
from .decision_json import decision_json

__all__ = [
    "EXPOSURES_SCHEMA",
    "TRACKS_SCHEMA",
    "compliance_tables",
    "geo_metadata",
    "to_csv",
    "to_geopackage",
    "write_geoparquet",
]

_TS = pa.timestamp("ms", tz="UTC")
TRACKS_SCHEMA = pa.schema(
    [
        ("track", pa.string()),
        ("source", pa.string()),
        ("ident", pa.string()),
        ("callsign", pa.string()),
        ("nation", pa.string()),
        ("service", pa.string()),
        ("state", pa.bool_()),
        ("identity", pa.string()),
        ("kind", pa.string()),
        ("start", _TS),
        ("end", _TS),
        ("positions", pa.int64()),
        ("outcome", pa.string()),
        ("obligations", pa.string()),
        ("rules", pa.string()),
        ("zones", pa.string()),
        ("decision", pa.string()),
        ("geometry", pa.binary()),
    ]
)
EXPOSURES_SCHEMA = pa.schema(
    [
        ("track", pa.string()),
        ("nation", pa.string()),
        ("kind", pa.string()),
        ("outcome", pa.string()),
        ("rule", pa.string()),
        ("effect", pa.string()),
        ("zone", pa.string()),
        ("enter", _TS),
        ("exit", _TS),
        ("exit_lon", pa.float64()),
        ("exit_lat", pa.float64()),
        ("lower_m", pa.float64()),
        ("upper_m", pa.float64()),
        ("basis", pa.string()),
        ("version", pa.string()),
        ("geometry", pa.binary()),
    ]
)


def _bound(v: float | None) -> float | None:
    return None if v is None or not np.isfinite(v) else float(v)


def compliance_tables(
    activities: Sequence[Activity], decisions: Sequence[Decision], extra: Sequence[dict[str, Any]]
) -> tuple[pa.Table, pa.Table]:
    """The tracks and exposures tables of screened activities; `extra` gives per activity
    `source`, `ident`, `state`, `identity` and `positions`."""
    tracks: dict[str, list] = {f.name: [] for f in TRACKS_SCHEMA}
    expo: dict[str, list] = {f.name: [] for f in EXPOSURES_SCHEMA}
    lines = (
        shapely.line_merge(shapely.force_2d(np.array([a.geometry for a in activities], dtype=object)))
        if activities
        else []
    )
    wkb = shapely.to_wkb(lines) if len(activities) else []
    for a, d, x, g in zip(activities, decisions, extra, wkb, strict=True):
        outcome = str(d.outcome)
        zones = sorted({r.zone for r in d.reasons if r.zone})
        row = {
            "track": a.id,
            "source": x["source"],
            "ident": x["ident"],
            "callsign": a.actor.unit or "",
            "nation": a.actor.nation,
            "service": a.actor.service or "",
            "state": x["state"],
            "identity": x["identity"],
            "kind": a.kind,
            "start": a.start,
            "end": a.end,
            "positions": x["positions"],
            "outcome": outcome,
            "obligations": ",".join(sorted({o.obligation.type for o in d.obligations})),
            "rules": ",".join(sorted({r.rule for r in d.reasons})),
            "zones": ",".join(zones),
            "decision": json.dumps(decision_json(d), ensure_ascii=False, separators=(",", ":")),
            "geometry": g,
        }
        for k, v in row.items():
            tracks[k].append(v)
        for r in d.reasons:
            if r.zone is None or r.where is None:
                continue
            for k, v in {
                "track": a.id,
                "nation": a.actor.nation,
                "kind": a.kind,
                "outcome": outcome,
                "rule": r.rule,
                "effect": str(r.effect),
                "zone": r.zone,
                "enter": r.enter,
                "exit": r.exit,
                "exit_lon": r.exit_where[0] if r.exit_where else None,
                "exit_lat": r.exit_where[1] if r.exit_where else None,
                "lower_m": _bound(r.lower),
                "upper_m": _bound(r.upper),
                "basis": str(r.basis),
                "version": r.version,
                "geometry": shapely.to_wkb(shapely.Point(r.where)),
            }.items():
                expo[k].append(v)
    return pa.table(tracks, schema=TRACKS_SCHEMA), pa.table(expo, schema=EXPOSURES_SCHEMA)


def geo_metadata(table: pa.Table, geometry_type: str) -> dict[str, Any]:
    """The GeoParquet 1.1 `geo` metadata of a table with a WKB `geometry` column."""
    column: dict[str, Any] = {"encoding": "WKB", "geometry_types": [geometry_type]}
    if table.num_rows:
        bounds = shapely.total_bounds(shapely.from_wkb(table["geometry"].to_numpy(zero_copy_only=False)))
        if np.all(np.isfinite(bounds)):
            column["bbox"] = [float(b) for b in bounds]
    # no `crs` member: GeoParquet then means OGC:CRS84 (WGS84 lon/lat), which these are
    return {"version": "1.1.0", "primary_column": "geometry", "columns": {"geometry": column}}


def write_geoparquet(table: pa.Table, path: Path, geometry_type: str) -> None:
    """Write a table as one GeoParquet file (written to a temporary name, then renamed, so a
    reader never sees half a file)."""
    meta = dict(table.schema.metadata or {})
    meta[b"geo"] = json.dumps(geo_metadata(table, geometry_type)).encode()
    tmp = path.with_suffix(".tmp")
    pq.write_table(table.replace_schema_metadata(meta), tmp, compression="zstd")
    tmp.replace(path)


def _plain(table: pa.Table) -> tuple[list[str], list[list[Any]]]:
    names = [n for n in table.column_names if n != "geometry"]
    cols = [table[n].to_pylist() for n in names]
    wkt = shapely.to_wkt(shapely.from_wkb(table["geometry"].to_numpy(zero_copy_only=False)), rounding_precision=7)
    rows = [
        [*(c[i].isoformat().replace("+00:00", "Z") if hasattr(c[i], "isoformat") else c[i] for c in cols), wkt[i]]
        for i in range(table.num_rows)
    ]
    return [*names, "geometry_wkt"], rows


def to_csv(parts: Sequence[Path], out: Path) -> int:
    """The parts (GeoParquet files of one table) as one CSV, a part at a time; the geometry as
    WKT. Returns the rows written."""
    count = 0
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        header = False
        for part in parts:
            names, rows = _plain(pq.read_table(part))
            if not header:
                writer.writerow(names)
                header = True
            writer.writerows(rows)
            count += len(rows)
    return count


def to_geopackage(parts: Sequence[Path], out: Path, layer: str, geometry_type: str) -> int:
    """The parts as one layer of a GeoPackage (EPSG:4326), appended a part at a time through
    pyogrio. Returns the features written."""
    import pyogrio.raw

    count = 0
    written = False
    for index, part in enumerate(parts):
        table = pq.read_table(part)
        if not table.num_rows and (written or index < len(parts) - 1):
            continue  # an empty part adds nothing; the last one still makes the layer if none did
        names = [n for n in table.column_names if n not in ("geometry", "decision")]
        fields = []
        for n in names:
            col = table[n]
            if pa.types.is_timestamp(col.type):
                fields.append(
                    np.array(
                        [v.isoformat().replace("+00:00", "Z") if v else None for v in col.to_pylist()], dtype=object
                    )
                )
            elif pa.types.is_string(col.type):
                fields.append(np.array(col.to_pylist(), dtype=object))
            else:
                fields.append(col.to_numpy(zero_copy_only=False))
        pyogrio.raw.write(
            str(out),
            geometry=table["geometry"].to_numpy(zero_copy_only=False),
            field_data=fields,
            fields=names,
            layer=layer,
            driver="GPKG",
            geometry_type=geometry_type,
            crs="EPSG:4326",
            append=written,
        )
        written = True
        count += table.num_rows
    return count
