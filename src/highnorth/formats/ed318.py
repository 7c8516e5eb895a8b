"""EUROCAE ED-318 GeoZones (JSON; the EUROCONTROL schemas) in and out, and ED-269 UAS zones in
(docs/formats.md "ED-269 and ED-318").

Reading an ED-318 collection validates it against the schemas first (when a schema directory is
given) and reads each valid feature as a zone; a feature that fails the schema, or cannot be
read, is reported with its index and identifier and left out, so one bad zone does not take the
file down. Circles (a Point with ``extent: {subType: Circle, radius}``) become geodesic circles.
Limits: ``uom`` m or ft (default m); ``AGL`` stays AGL, ``AMSL`` is AMSL, ``WGS84`` (ellipsoidal)
is read as AMSL with a warning (the geoid is 20-45 m above the ellipsoid over Norway). The
restriction becomes the tag ``restriction:<TYPE>``, each reason ``reason:<REASON>``;
``limitedApplicability`` with a start and an end becomes the zone's validity (a daily schedule
within it is not modelled: the zone is taken as valid throughout, with a warning).

Zone ids are the identifiers made into highnorth ids (lowercase, `#` for the n-th layer becomes
`-n`), unique within the file. Writing: each zone a feature, identifier ``HN`` and five characters of the zone id's hash (ED-318
allows 7), the zone id in ``extendedProperties``; limits in metres, ``SFC`` as 0 m AGL, flight
levels as metres AMSL in the standard atmosphere, ``UNL`` as `UNL_M`. Decision maps: each
outcome's area a feature whose type is the restriction (`RESTRICTION`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping, shape

from ..geo.zones.projection import geodesic_circle
from ..model.errors import FormatError
from ..model.time import Interval, format_time, parse_time
from ..model.zone import FT, SFC, UNL, VerticalLimit, Zone
from ._zone_common import IdMaker, slugify

__all__ = [
    "RESTRICTION",
    "UNL_M",
    "decision_map_ed318",
    "read_ed269",
    "read_ed318",
    "validate_ed318",
    "write_ed318",
]

#: a decision's outcome as an ED-318 restriction (zone type)
RESTRICTION = {
    "denied": "PROHIBITED",
    "referred": "REQ_AUTHORIZATION",
    "conditional": "CONDITIONAL",
    "permitted": "NO_RESTRICTION",
}
UNL_M = 30_000.0  # what an unlimited upper limit is written as (above every flight level)
_AUTHORITY = [{"name": [{"text": "highnorth", "lang": "en-GB"}], "purpose": "AUTHORIZATION"}]


def _validator(schema_dir: Path) -> Any:
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    base = schema_dir.resolve().as_uri() + "/"
    resources = []
    for path in sorted(schema_dir.glob("Schema_*.json")):
        resources.append((base + path.name, Resource.from_contents(json.loads(path.read_text()), DRAFT7)))
    if not resources:
        raise FormatError(f"`{schema_dir}`: no ED-318 schema files (Schema_*.json) there")
    registry = Registry().with_resources(resources)
    root = {"$ref": base + "Schema_GeoZones.json"}
    return jsonschema.Draft7Validator(root, registry=registry)


def validate_ed318(doc: Any, schema_dir: Path) -> list[tuple[int | None, str]]:
    """The schema errors of an ED-318 document: (feature index or None, message naming the path)."""
    errors = []
    for err in _validator(schema_dir).iter_errors(doc):
        path = list(err.absolute_path)
        index = path[1] if len(path) > 1 and path[0] == "features" and isinstance(path[1], int) else None
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".") or "(document)"
        best = err
        if err.context:  # a oneOf: say what the closest branch wanted
            best = min(err.context, key=lambda e: len(list(e.absolute_path)) * -1)
        errors.append((index, f"{where}: {best.message[:300]}"))
    return errors


def _limit(value: Any, ref: Any, uom: str, where: str, warnings: list[str], *, upper: bool) -> VerticalLimit:
    if value is None or value == "":
        return UNL if upper else SFC
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: `{value}` is not a number") from None
    metres = number * (FT if str(uom).lower() == "ft" else 1.0)
    ref = str(ref or "AMSL").upper()
    if ref == "WGS84":
        warnings.append(f"{where}: an ellipsoidal (WGS84) height is read as AMSL")
        ref = "AMSL"
    if ref not in ("AGL", "AMSL"):
        raise ValueError(f"{where}: `{ref}` is not a vertical reference (AGL, AMSL, WGS84)")
    if not upper and ref == "AGL" and metres <= 0:
        return SFC
    if upper and ref == "AMSL" and metres >= UNL_M:
        return UNL
    return VerticalLimit(round(metres, 3), ref)


def _text(value: Any) -> str:
    if isinstance(value, list):
        return " / ".join(str(v.get("text", "")) for v in value if isinstance(v, Mapping))
    return str(value or "")


def _validity(periods: Any, where: str, warnings: list[str]) -> Interval | None:
    if not periods:
        return None
    p = periods[0]
    if len(periods) > 1 or p.get("schedule") or p.get("dailyPeriod"):
        warnings.append(f"{where}: a schedule within the period is not modelled: valid throughout")
    if p.get("permanent") == "YES" or not (p.get("startDateTime") and p.get("endDateTime")):
        return None
    return Interval(parse_time(p["startDateTime"], allow_date=False), parse_time(p["endDateTime"], allow_date=False))


def _circle(center: Any, radius: Any) -> shapely.Geometry:
    return geodesic_circle(float(center[0]), float(center[1]), float(radius))


def read_ed318(doc: Any, *, source: str = "", schema_dir: Path | None = None) -> tuple[list[Zone], list[str]]:
    """Zones from an ED-318 FeatureCollection, and the warnings (with every feature left out and why)."""
    if not isinstance(doc, Mapping) or not isinstance(doc.get("features"), list):
        raise FormatError(f"{source or 'ED-318'}: expected a FeatureCollection with `features`")
    warnings: list[str] = []
    bad: dict[int, str] = {}
    if schema_dir is not None:
        for index, message in validate_ed318(doc, schema_dir):
            if index is None:  # the collection's own members (metadata): said, and the zones read
                warnings.append(f"{source or 'ED-318'}: fails the ED-318 schema: {message}")
            else:
                bad.setdefault(index, message)
    zones = []
    for i, feat in enumerate(doc["features"]):
        props = feat.get("properties") or {} if isinstance(feat, Mapping) else {}
        where = f"{source}: features[{i}] `{props.get('identifier', '?')}`"
        if i in bad:
            warnings.append(f"{where}: left out: fails the ED-318 schema: {bad[i]}")
            continue
        try:
            geom_in = feat["geometry"]
            layers = geom_in["geometries"] if geom_in.get("type") == "GeometryCollection" else [geom_in]
            for k, part in enumerate(layers):
                layer = part.get("layer") or geom_in.get("layer") or {}
                uom = layer.get("uom", "m")
                if part.get("type") == "Point" and (part.get("extent") or {}).get("subType") == "Circle":
                    geom = _circle(part["coordinates"], part["extent"]["radius"])
                else:
                    geom = shape({"type": part["type"], "coordinates": part["coordinates"]})
                sub = dict(props)
                if len(layers) > 1:
                    sub["identifier"] = f"{props.get('identifier')}#{k + 1}"
                zones.append(_zone(sub, geom, where, warnings, source,
                                   lower=(layer.get("lower"), layer.get("lowerReference"), uom),
                                   upper=(layer.get("upper"), layer.get("upperReference"), uom),
                                   periods=props.get("limitedApplicability"), kind="ed318"))  # fmt: skip
        except (KeyError, TypeError, ValueError, shapely.errors.GEOSException) as exc:
            warnings.append(f"{where}: left out: {exc}")
    return _unique(zones), list(dict.fromkeys(warnings))


def _zone(props: Mapping[str, Any], geom: shapely.Geometry, where: str, warnings: list[str], source: str, *,
          lower: tuple[Any, Any, str], upper: tuple[Any, Any, str], periods: Any, kind: str) -> Zone:  # fmt: skip
    if geom.geom_type not in ("Polygon", "MultiPolygon") or not geom.is_valid or geom.is_empty:
        raise ValueError(f"its geometry is not a valid polygon ({geom.geom_type})")
    ext = (props.get("extendedProperties") or {}).get("highnorth") or {}
    if not props.get("identifier"):
        raise ValueError("it has no identifier")
    own = ext.get("zone") if "#" not in str(props.get("identifier")) else None  # written by highnorth
    ident = str(own or slugify(str(props["identifier"])))
    restriction = props.get("type") if kind == "ed318" else props.get("restriction")
    reasons = props.get("reason") or []
    tags = {kind, *(f"reason:{r}" for r in reasons if isinstance(r, str))}
    if isinstance(restriction, str):
        tags.add(f"restriction:{restriction}")
    return Zone(
        id=ident,
        geometry=geom,
        name=_text(props.get("name")) or ident,
        lower=_limit(*lower, f"{where}: lower", warnings, upper=False),
        upper=_limit(*upper, f"{where}: upper", warnings, upper=True),
        tags=frozenset(tags),
        validity=_validity(periods, where, warnings),
        basis="official",
        source=source or kind.upper(),
        note=_text(props.get("message")),
    )


def read_ed269(doc: Any, *, source: str = "") -> tuple[list[Zone], list[str]]:
    """Zones from ED-269 (the ``UASZoneList`` or the ``features`` wrapper; horizontal projections
    Polygon or Circle; limits as numbers or strings, null for none)."""
    items = doc.get("UASZoneList", doc.get("features")) if isinstance(doc, Mapping) else None
    if not isinstance(items, list):
        raise FormatError(f"{source or 'ED-269'}: expected `UASZoneList` or `features` with a list of zones")
    zones: list[Zone] = []
    warnings: list[str] = []
    for i, item in enumerate(items):
        where = f"{source}: zones[{i}] `{item.get('identifier', '?') if isinstance(item, Mapping) else '?'}`"
        try:
            parts = []
            for k, g in enumerate(item["geometry"]):
                hp = g["horizontalProjection"]
                geom = _circle(hp["center"], hp["radius"]) if hp["type"] == "Circle" else shape(hp)
                uom = "ft" if str(g.get("uomDimensions", "M")).upper() == "FT" else "m"
                lower = (g.get("lowerLimit"), g.get("lowerVerticalReference"), uom)
                upper = (g.get("upperLimit"), g.get("upperVerticalReference"), uom)
                sub = {**item, "identifier": item["identifier"] + (f"#{k + 1}" if len(item["geometry"]) > 1 else "")}
                parts.append(_zone(sub, geom, where, warnings, source, lower=lower, upper=upper,
                                   periods=item.get("applicability"), kind="ed269"))  # fmt: skip
            zones.extend(parts)
        except (KeyError, TypeError, ValueError, shapely.errors.GEOSException) as exc:
            warnings.append(f"{where}: left out: {exc}")
    return _unique(zones), list(dict.fromkeys(warnings))


def _unique(zones: list[Zone]) -> list[Zone]:
    """Zone ids made unique (`-2`, `-3` ... for a repeated identifier)."""
    ids = IdMaker()
    return [dataclasses.replace(z, id=ids.take(z.id)) for z in zones]


def _short_id(zone_id: str) -> str:
    return "HN" + hashlib.sha256(zone_id.encode()).hexdigest()[:5].upper()


def _layer(zone: Zone) -> dict[str, Any]:
    def one(limit: VerticalLimit, upper: bool) -> tuple[float, str]:
        if limit.reference == "SFC":
            return 0.0, "AGL"
        if limit.reference == "UNL":
            return UNL_M, "AMSL"
        metres = limit.metres
        return (
            (round(metres, 3), "AGL" if limit.reference == "AGL" else "AMSL")
            if math.isfinite(metres)
            else (UNL_M, "AMSL")
        )

    lo, lo_ref = one(zone.lower, False)
    hi, hi_ref = one(zone.upper, True)
    return {"lower": lo, "lowerReference": lo_ref, "upper": hi, "upperReference": hi_ref, "uom": "m"}


def _feature(geom: Mapping[str, Any], layer: Mapping[str, Any], ident: str, name: str, restriction: str,
             extra: Mapping[str, Any], validity: Interval | None = None, message: str = "") -> dict[str, Any]:  # fmt: skip
    props: dict[str, Any] = {
        "identifier": ident,
        "country": "NOR",
        "name": [{"text": name[:200], "lang": "en-GB"}],
        "type": restriction,
        "variant": "COMMON",
        "reason": ["OTHER"],
        "otherReasonInfo": [{"text": "foreign military activity (highnorth)", "lang": "en-GB"}],
        "zoneAuthority": _AUTHORITY,
        "extendedProperties": {"highnorth": dict(extra)},
    }
    if message:
        props["message"] = [{"text": message[:200], "lang": "en-GB"}]
    if validity is not None:
        props["limitedApplicability"] = [
            {"startDateTime": format_time(validity.start), "endDateTime": format_time(validity.end)}
        ]
    plain = json.loads(json.dumps(geom))  # shapely's tuples as JSON arrays
    return {"type": "Feature", "geometry": {**plain, "layer": dict(layer)}, "properties": props}


def _restriction_of(zone: Zone) -> str:
    for tag in zone.tags:
        if tag.startswith("restriction:") and tag.split(":", 1)[1] in RESTRICTION.values():
            return tag.split(":", 1)[1]
    return "REQ_AUTHORIZATION"  # a zone a rule names: flights in it are decided case by case


def write_ed318(zones: Iterable[Zone], *, title: str = "highnorth zones") -> dict[str, Any]:
    """Zones as an ED-318 FeatureCollection (valid against the schemas; tests check it)."""
    features = [
        _feature(
            mapping(z.geometry),
            _layer(z),
            _short_id(z.id),
            z.name or z.id,
            _restriction_of(z),
            {"zone": z.id, "tags": sorted(z.tags)},
            z.validity,
            z.note,
        )
        for z in zones
    ]
    return {"type": "FeatureCollection", "name": title[:200], "features": features}


def decision_map_ed318(doc: Mapping[str, Any], *, title: str = "highnorth decision map") -> dict[str, Any]:
    """A decision map's GeoJSON (`decision_map_geojson.map_geojson`) as ED-318: each outcome's
    area a GeoZone whose type is the outcome's restriction (`RESTRICTION`)."""
    features = []
    for feat in doc.get("features", []):
        p = feat["properties"]
        alt = p.get("altitude") or {}
        lo, hi = alt.get("lower_m"), alt.get("upper_m")
        layer = {
            "lower": 0.0 if lo is None else lo,
            "lowerReference": "AGL" if lo is None else "AMSL",
            "upper": UNL_M if hi is None else hi,
            "upperReference": "AMSL",
            "uom": "m",
        }
        extra = {k: p.get(k) for k in ("outcome", "actor", "kind", "at", "version", "rules", "area_km2")}
        name = f"{p.get('actor')} {p.get('kind')} {p.get('outcome')} at {p.get('at')}"
        ident = _short_id(f"{p.get('actor')}/{p.get('kind')}/{p.get('at')}/{p.get('outcome')}")
        features.append(_feature(feat["geometry"], layer, ident, name, RESTRICTION[p["outcome"]], extra))
    return {"type": "FeatureCollection", "name": title[:200], "features": features}
