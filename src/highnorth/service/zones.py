"""Zones as use cases: the zones in force at a time (with a tag), one zone by id, and converting
OpenAir, GeoJSON, ED-269 or ED-318 zone files into a zone set a policy can include (the running policy is not
changed: imported zones enter through a new policy version)."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..formats.ed318 import read_ed269, read_ed318, validate_ed318, write_ed318
from ..formats.openair import read_openair
from ..formats.zones_geojson import limit_text, read_zones_geojson, write_zones_geojson
from ..formats.zones_yaml import write_zone_set
from ..geo.zones.projection import Frame
from ..model.errors import FormatError, InputError, NotFoundError, did_you_mean
from ..model.rule import Policy
from ..model.zone import Zone
from .inputs import parse_json
from .queries import parse_when

__all__ = [
    "decode_zone_text",
    "export_zones",
    "import_zone_body",
    "import_zone_file",
    "read_zone_text",
    "zone_areas_km2",
    "zone_document",
    "zone_list",
    "zones_at",
]


def zones_at(policy: Policy, at: str | None, at_name: str, tag: str | None = None) -> list[Zone]:
    """The policy's zones in force at `at` (all when None) that carry `tag` (all when None)."""
    when = parse_when(at, at_name, policy)
    return [
        z for z in policy.zones.values() if (when is None or z.in_force_at(when)) and (tag is None or tag in z.tags)
    ]


def zone_areas_km2(policy: Policy, zones: list[Zone]) -> list[float]:
    """The area of each zone in km², measured in the policy's equal-area frame."""
    frame = Frame.of(policy.frame)
    return [frame.area_km2(z.geometry) for z in zones]


def zone_list(zones: list[Zone]) -> dict[str, Any]:
    """The zones with their vertical limits, tags, basis and source (no geometry)."""
    return {
        "zones": [
            {
                "id": z.id,
                "name": z.name,
                "lower": limit_text(z.lower),
                "upper": limit_text(z.upper),
                "tags": sorted(z.tags),
                "basis": z.basis,
                "source": z.source,
            }
            for z in zones
        ]
    }


def zone_document(policy: Policy, zone_id: str) -> dict[str, Any]:
    """One zone as a GeoJSON FeatureCollection of one Feature (NotFoundError for an unknown id)."""
    if zone_id not in policy.zones:
        raise NotFoundError(f"no zone `{zone_id}`{did_you_mean(zone_id, policy.zones)}")
    return write_zones_geojson([policy.zones[zone_id]])


def decode_zone_text(raw: bytes, fmt: str, label: str, warn: Callable[[str], None] | None = None) -> str:
    """Zone file bytes as text: UTF-8; an OpenAir file that is not UTF-8 is read as Latin-1 (many
    are), with a warning when `warn` is given. GeoJSON is UTF-8 (RFC 7946)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        if fmt != "openair":
            raise FormatError(f"{label}: not UTF-8 text; GeoJSON, ED-269 and ED-318 are UTF-8") from None
        if warn is not None:
            warn(f"{label}: not UTF-8; read as Latin-1")
        return raw.decode("latin-1")


def _read_json_zones(
    doc: Any, fmt: str, label: str, source: str, repair: bool, schema_dir: Path | None
) -> tuple[list[Zone], list[str]]:
    if fmt == "ed318":
        return read_ed318(doc, source=source or label, schema_dir=schema_dir)
    if fmt == "ed269":
        return read_ed269(doc, source=source or label)
    if not isinstance(doc, dict):
        raise InputError(f"{label}: expected a GeoJSON FeatureCollection")
    return read_zones_geojson(doc, source=source, repair_invalid=repair)


def read_zone_text(
    text: str,
    fmt: str,
    label: str,
    source: str,
    *,
    repair: bool = True,
    warn: Callable[[str], None],
    schema_dir: Path | None = None,
) -> list[Zone]:
    """The zones of an OpenAir or GeoJSON text; every repair goes to `warn`, then no zones at all
    is an error."""
    if fmt == "openair":
        zones, warnings = read_openair(text, source=source, repair_invalid=repair)
    else:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FormatError(f"{label}:{exc.lineno}: not valid JSON: {exc.msg}") from None
        zones, warnings = _read_json_zones(doc, fmt, label, source, repair, schema_dir)
    for w in warnings:
        warn(w)
    _require_zones(zones, label, fmt)
    return zones


def _require_zones(zones: list[Zone], label: str, fmt: str) -> None:
    if not zones:
        raise FormatError(
            f"{label}: no zones found (read as {fmt}); expected OpenAir AC/AN/DP records, GeoJSON polygons, "
            "ED-269 UAS zones or ED-318 GeoZones"
        )


def import_zone_body(body: bytes, fmt: str, name: str, source: str) -> dict[str, Any]:
    """`POST /zones/import`: the zone file (YAML) and its geometry (GeoJSON) of a request body,
    with every repair as a warning."""
    if fmt == "openair":
        zones, warnings = read_openair(decode_zone_text(body, fmt, "body"), source=source)
    else:
        zones, warnings = _read_json_zones(parse_json(body), fmt, "body", source, True, None)
    _require_zones(zones, "body", fmt)
    with tempfile.TemporaryDirectory(prefix="highnorth-import-") as tmp:
        path = write_zone_set(zones, Path(tmp), name=name)
        zone_file = path.read_text(encoding="utf-8")
        geometry = json.loads((Path(tmp) / f"{name}.geojson").read_text(encoding="utf-8"))
    return {"zones": len(zones), "warnings": warnings, "zone_file": zone_file, "geometry": geometry}


def import_zone_file(
    file: Path,
    fmt: str,
    output: Path,
    *,
    name: str,
    source: str,
    repair: bool,
    warn: Callable[[str], None],
    schema_dir: Path | None = None,
) -> tuple[int, Path]:
    """`highnorth zones import`: a zone file converted into `<name>.zones.yaml` and
    `<name>.geojson` in `output`; how many zones and the path of the zone file."""
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise InputError(f"{file}: cannot read: {exc.strerror}") from None
    text = decode_zone_text(raw, fmt, str(file), warn)
    zones = read_zone_text(
        text, fmt, str(file), source or str(file.name), repair=repair, warn=warn, schema_dir=schema_dir
    )
    try:
        output.mkdir(parents=True, exist_ok=True)
        path = write_zone_set(zones, output, name=name)
    except OSError as exc:
        raise InputError(f"--output: cannot write into `{output}`: {exc.strerror or exc}") from None
    return len(zones), path


def export_zones(zones: list[Zone], fmt: str, schema_dir: Path | None = None) -> dict[str, Any]:
    """Zones as GeoJSON or ED-318; an ED-318 document is checked against the schemas in
    `schema_dir` when given (FormatError listing what fails: a bug, never the user's input)."""
    if fmt == "geojson":
        return write_zones_geojson(zones)
    if fmt != "ed318":
        raise InputError(f"format: `{fmt}` is not an export format; expected geojson or ed318")
    doc = write_ed318(zones)
    if schema_dir is not None:
        errors = validate_ed318(doc, schema_dir)
        if errors:
            raise FormatError("the ED-318 written fails its schema: " + "; ".join(m for _, m in errors[:5]))
    return doc
