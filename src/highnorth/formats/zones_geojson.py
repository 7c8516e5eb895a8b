"""Zones as GeoJSON: a FeatureCollection of (Multi)Polygons, one Feature per zone.

Reading maps properties to zone fields with a `mapping` (zone field -> property name):

- ``lower``, ``upper``: a limit as text: `SFC`, `FL95`, `1500ft AMSL`, `457.2 m AMSL`, `UNL`.
- ``lower_fl``, ``upper_fl``: a flight level (a number or numeric text).
- ``lower_ft``, ``upper_ft``: feet above mean sea level (a number or numeric text).
- ``lower_m``, ``upper_m``: metres; ``lower_ref``, ``upper_ref`` the reference of that number:
  `AMSL` (the default), `AGL`, `FL` (the number is a flight level), `SFC` or `UNL`, like the
  ``{value, ref}`` limits of the policy zone files.
- ``tags``: a property or a list of properties; a list value adds its strings as tags, a single
  value `v` of property `p` adds the tag ``p:v``.
- ``valid_from``, ``valid_until``: RFC 3339 times (null: open).
- ``basis``, ``source``: the basis and source of each feature (else the function's arguments).

For each limit the first mapped property that is present and not null wins, in the order text,
flight level, feet, metres. A number of 99999 or more, in feet or metres, means unlimited (a
sentinel several exports use, luftrom among them). A limit with no property is SFC (lower) or
UNL (upper).

Without a `mapping` the layout is detected: `LUFTROM_MAPPING` when a feature has luftrom's
``from (ft amsl)``/``to (ft amsl)``, else `HIGHNORTH_MAPPING` (the layout `write_zones_geojson`
writes), with a warning when no feature has a vertical limit at all.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any, cast

import shapely
from shapely.geometry import shape

from ..geo.zones.repair import check_lonlat, repair
from ..model.errors import FormatError, GeometryError, did_you_mean
from ..model.time import EPOCH, FAR_FUTURE, Interval, format_time, parse_time
from ..model.zone import SFC, UNL, Basis, VerticalLimit, Zone
from ._zone_common import UNLIMITED_SENTINEL, IdMaker, feet, parse_limit, slugify

__all__ = [
    "HIGHNORTH_MAPPING",
    "LUFTROM_MAPPING",
    "limit_text",
    "read_zones_geojson",
    "write_zones_geojson",
]

# The layout of luftrom.info's GeoJSON export of AIP Norway: `from (fl)`/`to (fl)` when the AIP
# gives a flight level, always feet and metres AMSL (metres rounded down; feet sometimes as text),
# `class` the ICAO class, R/Q for restricted/danger areas or `Luftsport`. Unlimited is written as
# 999999 ft, or for the NOTAM-only areas as 0 ft with 99999 m (the sentinel makes both UNL).
LUFTROM_MAPPING: dict[str, Any] = {
    "lower_fl": "from (fl)",
    "upper_fl": "to (fl)",
    "lower_ft": "from (ft amsl)",
    "upper_ft": "to (ft amsl)",
    "lower_m": "from (m amsl)",
    "upper_m": "to (m amsl)",
    "tags": ["class"],
}
# The layout written by `write_zones_geojson`.
HIGHNORTH_MAPPING: dict[str, Any] = {
    "lower": "lower",
    "upper": "upper",
    "tags": ["tags"],
    "valid_from": "valid_from",
    "valid_until": "valid_until",
    "basis": "basis",
    "source": "source",
}
FIELDS = (
    *(f"{side}{kind}" for side in ("lower", "upper") for kind in ("", "_fl", "_ft", "_m", "_ref")),
    *("tags", "valid_from", "valid_until", "basis", "source"),
)
IDENT = re.compile(r"[a-z0-9][a-z0-9._-]*")
BASES = ("official", "reported", "assumption")


def _detect(features: list[Any]) -> tuple[dict[str, Any], str | None]:
    keys: set[str] = set()
    for f in features:
        if isinstance(f, dict) and isinstance(f.get("properties"), dict):
            keys.update(f["properties"])
    if keys & {"from (ft amsl)", "to (ft amsl)"}:
        return LUFTROM_MAPPING, None
    if keys & {"lower", "upper"}:
        return HIGHNORTH_MAPPING, None
    return HIGHNORTH_MAPPING, (
        "no vertical limit properties found (`lower`/`upper`, or luftrom's `from (ft amsl)`/"
        "`to (ft amsl)`); every zone is taken as SFC to UNL"
    )


class _Feature:
    """One feature being read: its properties and how to name it in messages."""

    def __init__(self, index: int, props: dict[str, Any], label: str) -> None:
        self.index, self.props = index, props
        self.where = f"feature {index}" + (f" (`{label}`)" if label else "")

    def error(self, prop: str, message: str) -> FormatError:
        return FormatError(f"{self.where}: `{prop}`: {message}")

    def get(self, mapping: Mapping[str, Any], field: str) -> tuple[str, Any]:
        prop = mapping.get(field)
        return (prop, self.props.get(prop)) if isinstance(prop, str) else ("", None)

    def number(self, prop: str, value: Any, unit: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise self.error(prop, f"expected a number of {unit}, got `{json.dumps(value)}`")
        try:
            number = float(value)
        except ValueError:
            raise self.error(prop, f"expected a number of {unit}, got `{value}`") from None
        if not math.isfinite(number):
            raise self.error(prop, f"expected a finite number of {unit}, got `{value}`")
        return number

    def limit(self, mapping: Mapping[str, Any], side: str) -> VerticalLimit:
        prop, text = self.get(mapping, side)
        if text is not None:
            try:
                return parse_limit(str(text))
            except ValueError as exc:
                raise self.error(prop, str(exc)) from None
        prop, fl = self.get(mapping, f"{side}_fl")
        if fl is not None:
            return VerticalLimit(self.number(prop, fl, "flight levels"), "FL")
        ft_prop, ft = self.get(mapping, f"{side}_ft")
        m_prop, m = self.get(mapping, f"{side}_m")
        ft_value = self.number(ft_prop, ft, "feet") if ft is not None else None
        m_value = self.number(m_prop, m, "metres") if m is not None else None
        if any(v is not None and v >= UNLIMITED_SENTINEL for v in (ft_value, m_value)):
            return UNL
        ref_prop, ref = self.get(mapping, f"{side}_ref")
        ref = "AMSL" if ref is None else str(ref).upper()
        if ref not in ("AMSL", "AGL", "FL", "SFC", "UNL"):
            raise self.error(ref_prop, f"expected one of `AMSL`, `AGL`, `FL`, `SFC`, `UNL`, got `{ref}`")
        if ref in ("SFC", "UNL"):
            return SFC if ref == "SFC" else UNL
        if ft_value is not None:
            return feet(ft_value, "AGL" if ref == "AGL" else "AMSL")
        if m_value is not None:
            return VerticalLimit(m_value, ref)  # type: ignore[arg-type]
        return SFC if side == "lower" else UNL

    def tags(self, mapping: Mapping[str, Any]) -> frozenset[str]:
        props = mapping.get("tags") or []
        out: set[str] = set()
        for prop in [props] if isinstance(props, str) else props:
            value = self.props.get(prop)
            if value is None:
                continue
            if isinstance(value, list):
                if not all(isinstance(v, str) for v in value):
                    raise self.error(prop, f"expected a list of strings, got `{json.dumps(value)}`")
                out.update(value)
            elif isinstance(value, str | int | float) and not isinstance(value, bool):
                out.add(f"{prop}:{value}")
            else:
                raise self.error(prop, f"expected a string or a list of strings, got `{json.dumps(value)}`")
        return frozenset(out)

    def validity(self, mapping: Mapping[str, Any]) -> Interval | None:
        ends = []
        for field, default in (("valid_from", EPOCH), ("valid_until", FAR_FUTURE)):
            prop, value = self.get(mapping, field)
            try:
                ends.append(default if value is None else parse_time(value))
            except ValueError as exc:
                raise self.error(prop, str(exc)) from None
        if ends == [EPOCH, FAR_FUTURE]:
            return None
        if ends[1] <= ends[0]:
            raise self.error(mapping["valid_until"], "expected a time after `valid_from`")
        return Interval(ends[0], ends[1])


def read_zones_geojson(
    doc: dict,
    *,
    id_prop: str | None = "id",
    name_prop: str = "name",
    mapping: dict | None = None,
    source: str = "",
    basis: str = "official",
    repair_invalid: bool = True,
) -> tuple[list[Zone], list[str]]:
    """The zones of a GeoJSON FeatureCollection of (Multi)Polygons, and the warnings raised.

    The id is the property `id_prop`, else the feature's `id`, else a slug of the name made
    unique with `-2`, `-3`; the name is the property `name_prop`, else the id. `mapping` maps
    zone fields to properties (see the module docstring); None detects the layout. Invalid
    geometry is repaired with a warning, or with `repair_invalid` false raises FormatError.

    >>> square = {"type": "Polygon", "coordinates": [[[20, 69], [21, 69], [21, 70], [20, 69]]]}
    >>> doc = {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": square,
    ...        "properties": {"name": "Test area", "lower": "SFC", "upper": "FL95"}}]}
    >>> zones, warnings = read_zones_geojson(doc)
    >>> zones[0].id, str(zones[0].upper), warnings
    ('test-area', 'FL95', [])
    """
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        got = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        raise FormatError(f"expected a GeoJSON FeatureCollection, got `{got}`")
    features = doc.get("features")
    if not isinstance(features, list):
        raise FormatError("`features`: expected a list of features")
    warnings: list[str] = []
    if mapping is None:
        mapping, note = _detect(features)
        if note:
            warnings.append(note)
    for key in mapping:
        if key not in FIELDS:
            raise FormatError(f"mapping: unknown zone field `{key}`{did_you_mean(key, FIELDS)}")
    if basis not in BASES:
        raise FormatError(f"basis: expected one of `official`, `reported`, `assumption`, got `{basis}`")

    rows: list[tuple[_Feature, dict, str | None, str]] = []
    ids = IdMaker()
    for i, f in enumerate(features):
        if not isinstance(f, dict) or f.get("type") != "Feature":
            raise FormatError(f"feature {i}: expected a GeoJSON Feature")
        props = f.get("properties") or {}
        if not isinstance(props, dict):
            raise FormatError(f"feature {i}: `properties`: expected an object")
        raw_id = props.get(id_prop) if id_prop else None
        id_field = f"properties.{id_prop}" if raw_id is not None else "id"
        raw_id = f.get("id") if raw_id is None else raw_id
        name = props.get(name_prop)
        feat = _Feature(i, props, str(raw_id if raw_id is not None else name or ""))
        zid = None
        if raw_id is not None:
            zid = str(raw_id)
            if not IDENT.fullmatch(zid):
                raise feat.error(
                    id_field,
                    "expected an id of lowercase letters, digits, `.`, `_` "
                    f"and `-` (like `{slugify(zid)}`), got `{zid}`",
                )
            if zid in ids.used:
                raise feat.error(id_field, f"`{zid}` is the id of an earlier feature too")
            ids.used.add(zid)
        rows.append((feat, f, zid, "" if name is None else str(name)))

    zones = []
    for feat, f, zid, name in rows:
        zid = zid or ids(name or f"feature-{feat.index}")
        geom = _geometry(feat, f.get("geometry"), repair_invalid, warnings)
        prop, feature_basis = feat.get(mapping, "basis")
        feature_basis = basis if feature_basis is None else feature_basis
        if feature_basis not in BASES:
            raise feat.error(prop, f"expected `official`, `reported` or `assumption`, got `{feature_basis}`")
        _, feature_source = feat.get(mapping, "source")
        zones.append(
            Zone(
                id=zid,
                geometry=geom,
                name=name or zid,
                lower=feat.limit(mapping, "lower"),
                upper=feat.limit(mapping, "upper"),
                tags=feat.tags(mapping),
                validity=feat.validity(mapping),
                basis=cast(Basis, feature_basis),
                source=source if feature_source is None else str(feature_source),
            )
        )
    return zones, warnings


def _geometry(feat: _Feature, raw: Any, repair_invalid: bool, warnings: list[str]) -> Any:
    kind = raw.get("type") if isinstance(raw, dict) else None
    if kind not in ("Polygon", "MultiPolygon"):
        raise feat.error("geometry", f"expected a Polygon or MultiPolygon, got `{kind}`")
    bad = _coordinates_problem(kind, raw.get("coordinates"))
    if bad:
        raise feat.error("geometry", bad)
    geom = shape(raw)
    if geom.is_empty:
        raise feat.error("geometry", "expected a non-empty geometry")
    bad = check_lonlat(geom)
    if bad:
        raise feat.error("geometry", bad)
    try:
        geom, warning = repair(geom, feat.where, allow=repair_invalid)
    except GeometryError as exc:
        raise FormatError(str(exc)) from None
    if warning:
        warnings.append(warning)
    return geom


def _coordinates_problem(kind: str, coords: Any) -> str | None:
    """What is wrong with the coordinates of a GeoJSON (Multi)Polygon, or None."""
    polygons = coords if kind == "MultiPolygon" else [coords]
    if not isinstance(polygons, list) or not polygons:
        return f"expected the coordinates of a {kind}, got `{json.dumps(coords)}`"
    for p, rings in enumerate(polygons):
        head = f"polygon {p}: " if kind == "MultiPolygon" else ""
        if not isinstance(rings, list) or not rings:
            return f"{head}expected a list of rings, got `{json.dumps(rings)}`"
        for r, ring in enumerate(rings):
            if not isinstance(ring, list) or len(ring) < 4:
                return f"{head}ring {r}: expected at least 4 positions, got `{json.dumps(ring)[:60]}`"
            for i, pos in enumerate(ring):
                if not (
                    isinstance(pos, list)
                    and 2 <= len(pos) <= 3
                    and all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in pos)
                ):
                    got = json.dumps(pos)
                    return f"{head}ring {r}: position {i}: expected `[lon, lat]` of finite numbers, got `{got}`"
            if ring[0][:2] != ring[-1][:2]:
                return f"{head}ring {r}: expected a closed ring (the last position equal to the first)"
    return None


def _number_text(value: float) -> str:
    return format(round(value, 3), "f").rstrip("0").rstrip(".")


def limit_text(limit: VerticalLimit) -> str:
    """A limit as text that `parse_limit` reads back exactly (to the millimetre).

    >>> limit_text(VerticalLimit(95, "FL")), limit_text(VerticalLimit(457.2, "AMSL"))
    ('FL95', '457.2 m AMSL')
    """
    match limit.reference:
        case "SFC" | "UNL":
            return limit.reference
        case "FL":
            return f"FL{_number_text(limit.value)}"
    return f"{_number_text(limit.value)} m {limit.reference}"


def _metres(limit: VerticalLimit) -> float | None:
    return limit.metres if math.isfinite(limit.metres) else None


def write_zones_geojson(zones: Iterable[Zone]) -> dict:
    """Zones as a GeoJSON FeatureCollection in the layout `HIGHNORTH_MAPPING` reads back.

    Properties: `id`, `name`, `lower`/`upper` as text (`SFC`, `FL95`, `1500 m AMSL`),
    `lower_m`/`upper_m` in metres AMSL (null for SFC and UNL), `tags` (sorted), `basis`,
    `source`, `valid_from`/`valid_until` (RFC 3339, null when open).
    """
    features = []
    for z in zones:
        start = end = None
        if z.validity is not None:
            start = None if z.validity.start <= EPOCH else format_time(z.validity.start)
            end = None if z.validity.end >= FAR_FUTURE else format_time(z.validity.end)
        features.append(
            {
                "type": "Feature",
                "id": z.id,
                "geometry": json.loads(shapely.to_geojson(z.geometry)),
                "properties": {
                    "id": z.id,
                    "name": z.name,
                    "lower": limit_text(z.lower),
                    "upper": limit_text(z.upper),
                    "lower_m": _metres(z.lower),
                    "upper_m": _metres(z.upper),
                    "tags": sorted(z.tags),
                    "basis": z.basis,
                    "source": z.source,
                    "valid_from": start,
                    "valid_until": end,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
