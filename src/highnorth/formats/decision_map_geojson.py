"""Decision maps and their diffs as GeoJSON (what `highnorth map|diff` write and `/decision-maps`
serves)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping

from ..model.time import format_time
from ..rules.deciding.decision_map import Change, DecisionMap

__all__ = ["diff_geojson", "map_geojson"]


def _to_lonlat(m: DecisionMap, geom):
    def fn(coords: np.ndarray) -> np.ndarray:
        lon, lat = m.frame.inv(coords[:, 0], coords[:, 1])
        return np.column_stack([np.round(lon, 6), np.round(lat, 6)])

    return shapely.transform(geom, fn)


def map_geojson(m: DecisionMap, tolerance_m: float | None = None) -> dict[str, Any]:
    """One Feature per outcome. With `tolerance_m`, the outcome areas are simplified together in
    the frame (`shapely.coverage_simplify`: the boundaries they share stay shared, no gaps or
    overlaps) for display; `area_km2` stays the exact area."""
    feats = []
    items = sorted(m.by_outcome().items(), key=lambda item: str(item[0]))  # by name, as ever
    shown = [g for _, g in items]
    if tolerance_m is not None and shown:
        shown = list(shapely.coverage_simplify(np.array(shown, dtype=object), tolerance_m))
    for (outcome, geom), drawn in zip(items, shown, strict=True):
        cells = [c for c in m.cells if c.outcome == outcome]
        feats.append(
            {
                "type": "Feature",
                "geometry": mapping(_to_lonlat(m, drawn)),
                "properties": {
                    "outcome": outcome,
                    "area_km2": round(geom.area / 1e6, 1),
                    "rules": sorted({r for c in cells for r in c.rules}),
                    "actor": m.actor,
                    "kind": m.kind,
                    "at": format_time(m.at),
                    "version": m.version,
                    **({"altitude": altitude_json(m.altitude)} if m.altitude is not None else {}),
                },
            }
        )
    return {"type": "FeatureCollection", "features": feats}


def altitude_json(band: tuple[float, float]) -> dict[str, float | None]:
    """A band in metres AMSL as Decision JSON writes one: an unbounded limit is null."""
    lo, hi = band
    return {"lower_m": lo if math.isfinite(lo) else None, "upper_m": hi if math.isfinite(hi) else None}


def diff_geojson(before: DecisionMap, after: DecisionMap, changes: Sequence[Change]) -> dict[str, Any]:
    """Where the outcome changed between two maps, one Feature per (before, after) pair, with km²."""
    return {
        "type": "FeatureCollection",
        "from": {"at": format_time(before.at), "version": before.version},
        "to": {"at": format_time(after.at), "version": after.version},
        "features": [
            {
                "type": "Feature",
                "geometry": mapping(_to_lonlat(before, c.geometry)),
                "properties": {
                    "before": c.before,
                    "after": c.after,
                    "area_km2": round(c.area_km2, 1),
                    "actor": before.actor,
                    "kind": before.kind,
                },
            }
            for c in changes
        ],
    }
