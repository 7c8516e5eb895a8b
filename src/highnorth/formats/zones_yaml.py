"""Zones written as a policy zone file (`rules/loading/schema.py` `ZonesFile`) plus its GeoJSON.

`write_zone_set` turns imported zones (OpenAir, GeoJSON, ...) into files a policy directory can
list under `zones:` in its policy.yaml: ``<name>.zones.yaml`` with one entry per zone, whose
geometry is ``{file: <name>.geojson, select: {id: <zone id>}}``, and ``<name>.geojson`` with the
geometries (written by `write_zones_geojson`, so property `id` selects each zone).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..model.errors import FormatError
from ..model.time import EPOCH, FAR_FUTURE, format_time
from ..model.zone import VerticalLimit, Zone
from ..rules.loading.schema import ZonesFile
from .zones_geojson import write_zones_geojson

__all__ = ["write_zone_set"]

_SET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _limit(limit: VerticalLimit) -> dict[str, Any]:
    if limit.reference in ("SFC", "UNL"):
        return {"ref": limit.reference}
    return {"value": limit.value, "ref": limit.reference}


def _entry(zone: Zone, geometry_file: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": zone.id,
        "name": zone.name,
        "geometry": {"file": geometry_file, "select": {"id": zone.id}},
        "lower": _limit(zone.lower),
        "upper": _limit(zone.upper),
        "tags": sorted(zone.tags),
    }
    if zone.validity is not None:
        valid = {}
        if zone.validity.start > EPOCH:
            valid["from"] = format_time(zone.validity.start)
        if zone.validity.end < FAR_FUTURE:
            valid["until"] = format_time(zone.validity.end)
        entry["valid"] = valid
    entry["basis"] = zone.basis
    entry["source"] = zone.source
    if zone.note:
        entry["note"] = zone.note
    return entry


def write_zone_set(zones: Iterable[Zone], out_dir: Path, *, name: str = "imported") -> Path:
    """Write `<out_dir>/<name>.zones.yaml` and `<out_dir>/<name>.geojson`; return the YAML path.

    The zone file is checked against the policy schema before anything is written: a zone id
    that is not a policy identifier, or a zone without a source, raises FormatError naming it.
    """
    if not _SET_NAME.fullmatch(name):
        raise FormatError(f"name: expected a file name of letters, digits, `.`, `_` and `-`, got `{name}`")
    zones = list(zones)
    geometry_file = f"{name}.geojson"
    data = {"zones": [_entry(z, geometry_file) for z in zones]}
    try:
        ZonesFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        index = err["loc"][1] if len(err["loc"]) > 1 else 0
        zone_id = zones[index].id if isinstance(index, int) and index < len(zones) else "?"
        field = ".".join(str(p) for p in err["loc"][2:])
        raise FormatError(
            f"zone `{zone_id}`: `{field}`: {err['msg'][0].lower()}{err['msg'][1:]}, got `{err['input']}`"
        ) from None
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / geometry_file).write_text(
        json.dumps(write_zones_geojson(zones), ensure_ascii=False) + "\n", encoding="utf-8"
    )
    path = out_dir / f"{name}.zones.yaml"
    header = f"# {len(zones)} zones written by highnorth.formats.zones_yaml; geometry in {geometry_file}\n"
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(header + body, encoding="utf-8")
    return path
