"""Zones written as a policy zone file (its entries: `rules/loading/zonefile.py`) plus its GeoJSON.

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

import yaml

from ..model.errors import FormatError
from ..model.zone import Zone
from ..rules.loading.zonefile import zone_entries
from .zones_geojson import write_zones_geojson

__all__ = ["write_zone_set"]

_SET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def write_zone_set(zones: Iterable[Zone], out_dir: Path, *, name: str = "imported") -> Path:
    """Write `<out_dir>/<name>.zones.yaml` and `<out_dir>/<name>.geojson`; return the YAML path.

    The zone file is checked against the policy schema before anything is written: a zone id
    that is not a policy identifier, or a zone without a source, raises FormatError naming it.
    """
    if not _SET_NAME.fullmatch(name):
        raise FormatError(f"name: expected a file name of letters, digits, `.`, `_` and `-`, got `{name}`")
    zones = list(zones)
    geometry_file = f"{name}.geojson"
    data = zone_entries(zones, geometry_file)
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
