"""Activity GeoJSON v1 (DESIGN.md §4): reading and validation.

A file with one bad activity is rejected as a whole with every problem listed, unless
`skip_invalid` is set, in which case the good activities are kept and each problem becomes a
warning. Every problem names the activity, the field and what was expected.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from ..geo.zones.projection import Frame
from ..geo.zones.repair import check_lonlat, repair
from ..model.activity import KINDS, Activity, ActivityKind
from ..model.actor import Actor
from ..model.errors import ActivityInputError, GeometryError, Problem, did_you_mean
from ..model.time import parse_time, parse_times
from ..model.zone import Zone

__all__ = ["GEOMETRIES", "PORT_TOLERANCE_M", "ReadResult", "load_activities", "port_names", "read_activities"]

#: which geometry types each kind of activity accepts
GEOMETRIES: dict[str, tuple[str, ...]] = {
    "flight": ("LineString", "Polygon"),
    "airspace_reservation": ("Polygon", "LineString"),
    "port_call": ("Point",),
    "naval_transit": ("LineString",),
    "naval_exercise": ("Polygon", "LineString", "Point"),
    "land_exercise": ("Polygon", "Point", "LineString"),
    "land_movement": ("LineString",),
}
#: altitudes highnorth accepts, metres AMSL (below the Dead Sea shore is an error; 100 km is space)
ALTITUDE_RANGE_M = (-1000.0, 100_000.0)
MAX_ID_LENGTH = 200  # activity ids: printable, and short enough for any store
_PROPERTIES = ("name", "kind", "actor", "start", "end", "times", "altitude", "attributes", "submitted", "port")
#: how far a port call's point may lie outside the port it names, metres (docs/formats.md)
PORT_TOLERANCE_M = 1000.0


@dataclass
class ReadResult:
    """The activities read, and warnings (repaired geometry; skipped activities)."""

    activities: list[Activity]
    warnings: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def load_activities(path: Path | str, **options: Any) -> ReadResult:
    """Read an Activity GeoJSON file; see `read_activities` for the options."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ActivityInputError([Problem(str(path), "", f"cannot read: {exc.strerror}")]) from None
    except UnicodeDecodeError as exc:
        raise ActivityInputError(
            [Problem(str(path), "", f"not UTF-8 text (byte {exc.start}); GeoJSON is UTF-8 (RFC 7946)")]
        ) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ActivityInputError(
            [Problem(f"{path}:{exc.lineno}", "", f"not valid JSON: {exc.msg} (column {exc.colno})")]
        ) from None
    return read_activities(doc, source=str(path), **options)


def _locode(name: str) -> str:
    """A UN/LOCODE without its optional space, upper case: `NO KKN` -> `NOKKN`."""
    return name.replace(" ", "").upper()


def port_names(zones: Iterable[Zone]) -> dict[str, Zone]:
    """The names a port call may give in `properties.port`: the id of every zone tagged `port`
    and its UN/LOCODEs (tags `locode:NOKKN`)."""
    out: dict[str, Zone] = {}
    for zone in zones:
        if "port" in zone.tags:
            out[zone.id] = zone
            for tag in zone.tags:
                if tag.startswith("locode:"):
                    out[_locode(tag.removeprefix("locode:"))] = zone
    return out


def read_activities(
    doc: Any,
    *,
    source: str = "",
    known_nations: Collection[str] | None = None,
    skip_invalid: bool = False,
    repair_invalid: bool = True,
    ports: Mapping[str, Zone] | None = None,
) -> ReadResult:
    """Validate an Activity GeoJSON document and build the activities.

    `known_nations` lists the nation codes the policy knows; others are an error. `ports` (from
    `port_names`) are the ports a port call may name; a call naming one must lie in it (within
    `PORT_TOLERANCE_M`). Without `ports` a named port is not checked.
    """
    problems: list[Problem] = []
    if not isinstance(doc, Mapping) or doc.get("type") != "FeatureCollection":
        got = doc.get("type") if isinstance(doc, Mapping) else type(doc).__name__
        raise ActivityInputError(
            [Problem("document", "type", f"expected a GeoJSON `FeatureCollection`, got `{got}`")], source
        )
    features = doc.get("features")
    if not isinstance(features, list):
        raise ActivityInputError([Problem("document", "features", "expected a list of Features")], source)
    result = ReadResult([])
    seen: set[str] = set()
    for i, feature in enumerate(features):
        reader = _FeatureReader(i, feature, known_nations, repair_invalid, ports)
        activity = reader.read()
        if activity is not None and activity.id in seen:
            reader.problem("id", f"`{activity.id}` is used by another activity; ids must be unique")
            activity = None
        if reader.problems:
            problems.extend(reader.problems)
            if skip_invalid:
                result.warnings.extend(f"skipped: {p}" for p in reader.problems)
            continue
        if activity is not None:
            seen.add(activity.id)
            result.activities.append(activity)
            result.warnings.extend(reader.warnings)
    result.problems = problems
    if problems and not skip_invalid:
        raise ActivityInputError(problems, source)
    return result


def _numeric_positions(coords: list) -> np.ndarray | None:
    """The positions as an (n, 2) or (n, 3) float array when every one is well formed (finite
    numbers, not booleans, one dimension for all, altitudes in range), else None (the caller then
    checks position by position to say which one is wrong)."""
    try:
        if bool in set(map(type, itertools.chain.from_iterable(coords))):
            return None
        arr = np.asarray(coords, dtype=float)
    except (TypeError, ValueError):
        return None
    if arr.ndim != 2 or arr.shape[1] not in (2, 3) or not np.isfinite(arr).all():
        return None
    if arr.shape[1] == 3 and not ((arr[:, 2] >= ALTITUDE_RANGE_M[0]) & (arr[:, 2] <= ALTITUDE_RANGE_M[1])).all():
        return None
    return arr


class _FeatureReader:
    """Reads one feature, collecting every problem instead of stopping at the first."""

    def __init__(
        self,
        index: int,
        feature: Any,
        nations: Collection[str] | None,
        repair_ok: bool,
        ports: Mapping[str, Zone] | None = None,
    ) -> None:
        self.ports = ports
        self.index = index
        self.feature = feature
        self.nations = nations
        self.repair_ok = repair_ok
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        self.item = f"feature {index}"

    def problem(self, fld: str, message: str) -> None:
        self.problems.append(Problem(self.item, fld, message))

    def read(self) -> Activity | None:
        f = self.feature
        if not isinstance(f, Mapping) or f.get("type") != "Feature":
            self.problem("type", "expected a GeoJSON `Feature`")
            return None
        raw_id = f.get("id")
        if isinstance(raw_id, bool) or not isinstance(raw_id, str | int) or raw_id == "":
            self.problem("id", "expected a non-empty string or integer identifying the activity")
            ident = None
        elif len(str(raw_id)) > MAX_ID_LENGTH or not str(raw_id).isprintable():
            self.problem("id", f"expected at most {MAX_ID_LENGTH} printable characters, got `{str(raw_id)[:40]!r}…`")
            ident = None
        else:
            ident = str(raw_id)
            self.item = f"activity `{ident}`"
        props = f.get("properties")
        if not isinstance(props, Mapping):
            self.problem("properties", "expected an object with kind, actor, start and end")
            return None
        for key in props:
            if key not in _PROPERTIES:
                self.problem(
                    f"properties.{key}",
                    f"unknown property{did_you_mean(key, _PROPERTIES)}; expected one of {', '.join(_PROPERTIES)}",
                )
        kind = self.kind(props.get("kind"))
        actor = self.actor(props.get("actor"))
        start = self.time(props, "start", required=True)
        end = self.time(props, "end", required=True)
        if start and end and end <= start:
            self.problem(
                "properties.end", f"`{props['end']}` is not after start `{props['start']}`; expected end after start"
            )
        submitted = self.time(props, "submitted", required=False)
        geom = self.geometry(f.get("geometry"), kind)
        times = self.times(props.get("times"), geom, start, end)
        altitude = self.altitude(props.get("altitude"))
        if altitude is not None and geom is not None and geom.has_z:
            self.problem(
                "properties.altitude", "the track has altitudes of its own (a third coordinate); give one or the other"
            )
        attributes = props.get("attributes", {})
        if not isinstance(attributes, Mapping):
            self.problem("properties.attributes", f"expected an object of attribute values, got `{attributes}`")
            attributes = {}
        name = props.get("name", "")
        if not isinstance(name, str):
            self.problem("properties.name", "expected a string")
        if "port" in props:
            self.port(props["port"], kind, geom)
        if (
            self.problems
            or ident is None
            or kind is None
            or actor is None
            or start is None
            or end is None
            or geom is None
        ):
            return None
        return Activity(
            id=ident,
            kind=cast(ActivityKind, kind),
            actor=actor,
            start=start,
            end=end,
            geometry=geom,
            times=times,
            altitude=altitude,
            attributes=dict(attributes),
            submitted=submitted,
            name=str(name),
        )

    def port(self, value: Any, kind: str | None, geom: BaseGeometry | None) -> None:
        """A named port: a port call's, known, and where its point is (within the tolerance)."""
        if not isinstance(value, str) or not value.strip():
            self.problem(
                "properties.port", f"expected a UN/LOCODE like `NO KKN` or a port id of the policy, got `{value}`"
            )
            return
        if kind is not None and kind != "port_call":
            self.problem("properties.port", f"only a port call names a port; this activity is a `{kind}`")
            return
        if self.ports is None or geom is None or geom.geom_type != "Point":
            return
        zone = self.ports.get(value) or self.ports.get(_locode(value))
        if zone is None:
            choices = sorted(self.ports)
            self.problem(
                "properties.port",
                f"unknown port `{value}`{did_you_mean(value, choices)} (expected a UN/LOCODE or port id of the policy: "
                f"{', '.join(choices)})",
            )
            return
        frame = Frame.around(geom)
        metres = frame.to_frame(zone.geometry).distance(frame.to_frame(geom))
        if metres > PORT_TOLERANCE_M:
            self.problem(
                "properties.port",
                f"the point {geom.y:.5f}°N {geom.x:.5f}°E is {metres / 1000:,.1f} km from port `{zone.id}` "
                f"({zone.name}); expected it within {PORT_TOLERANCE_M / 1000:g} km of the port, or no `port`",
            )

    def kind(self, value: Any) -> str | None:
        if value is None:
            self.problem("properties.kind", f"missing; expected one of {', '.join(KINDS)}")
            return None
        if value not in KINDS:
            self.problem(
                "properties.kind",
                f"unknown kind `{value}`{did_you_mean(str(value), KINDS)} (expected one of {', '.join(KINDS)})",
            )
            return None
        return str(value)

    def actor(self, value: Any) -> Actor | None:
        if not isinstance(value, Mapping):
            self.problem("properties.actor", 'expected an object like {"nation": "USA"}')
            return None
        nation = value.get("nation")
        if not isinstance(nation, str) or len(nation) != 3 or not nation.isalpha() or not nation.isupper():
            self.problem("properties.actor.nation", f"expected an ISO 3166-1 alpha-3 code like `USA`, got `{nation}`")
            return None
        if self.nations is not None and nation not in self.nations:
            self.problem(
                "properties.actor.nation",
                f"unknown nation `{nation}`{did_you_mean(nation, self.nations)} (expected one of the {len(self.nations)} nations of the policy's actors)",
            )
            return None
        extra = set(value) - {"nation", "service", "unit"}
        if extra:
            self.problem("properties.actor", f"unknown field `{sorted(extra)[0]}`; expected nation, service, unit")
        for key in ("service", "unit"):
            if key in value and not isinstance(value[key], str):
                self.problem(f"properties.actor.{key}", "expected a string")
        return Actor(nation, value.get("service"), value.get("unit"))

    def time(self, props: Mapping, key: str, *, required: bool):
        if key not in props:
            if required:
                self.problem(f"properties.{key}", "missing; expected an RFC 3339 time with an offset")
            return None
        try:
            return parse_time(props[key], allow_date=False)
        except ValueError as exc:
            self.problem(f"properties.{key}", str(exc))
            return None

    def geometry(self, raw: Any, kind: str | None) -> BaseGeometry | None:
        if not isinstance(raw, Mapping) or "type" not in raw:
            self.problem("geometry", "expected a GeoJSON geometry (LineString, Polygon or Point)")
            return None
        gtype = raw.get("type")
        allowed = GEOMETRIES.get(kind or "", ("LineString", "Polygon", "Point"))
        if gtype not in allowed:
            self.problem(
                "geometry.type", f"`{gtype}` is not accepted for kind `{kind}`; expected {' or '.join(allowed)}"
            )
            return None
        coords = raw.get("coordinates")
        try:
            geom = self._build(gtype, coords)
        except (TypeError, ValueError) as exc:
            self.problem("geometry.coordinates", str(exc))
            return None
        bad = check_lonlat(geom)
        if bad:
            self.problem("geometry.coordinates", bad)
            return None
        if gtype == "Polygon":
            try:
                geom, warning = repair(geom, self.item, allow=self.repair_ok)
            except GeometryError as exc:
                self.problem("geometry", str(exc).split(": ", 1)[-1])
                return None
            if warning:
                self.warnings.append(warning)
        return geom

    @staticmethod
    def _position(p: Any, i: int) -> tuple[float, ...]:
        if not isinstance(p, list | tuple) or len(p) not in (2, 3):
            raise ValueError(f"position {i}: expected [lon, lat] or [lon, lat, alt_m], got `{p}`")
        if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in p):
            raise ValueError(f"position {i}: expected finite numbers, got `{p}`")
        if len(p) == 3 and not ALTITUDE_RANGE_M[0] <= p[2] <= ALTITUDE_RANGE_M[1]:
            raise ValueError(f"position {i}: altitude `{p[2]:g}` m is outside {list(ALTITUDE_RANGE_M)} m AMSL")
        return tuple(float(v) for v in p)

    def _build(self, gtype: str, coords: Any) -> BaseGeometry:
        if not isinstance(coords, list) or not coords:
            raise ValueError("empty; expected coordinates")
        match gtype:
            case "Point":
                return shapely.Point(self._position(coords, 0))
            case "LineString":
                fast = _numeric_positions(coords)
                if fast is not None:  # well-formed: checked as one array
                    if len(fast) < 2:
                        raise ValueError(f"a LineString needs at least 2 positions, got {len(fast)}")
                    return shapely.LineString(fast)
                pts = [self._position(p, i) for i, p in enumerate(coords)]
                if len(pts) < 2:
                    raise ValueError(f"a LineString needs at least 2 positions, got {len(pts)}")
                if len({len(p) for p in pts}) != 1:
                    raise ValueError("mixes [lon, lat] and [lon, lat, alt] positions; expected all one or the other")
                return shapely.LineString(pts)
            case _:
                rings = []
                for r, ring in enumerate(coords):
                    if not isinstance(ring, list):
                        raise ValueError(f"ring {r}: expected a list of positions")
                    pts = [self._position(p, i)[:2] for i, p in enumerate(ring)]
                    if len(pts) < 4 or pts[0] != pts[-1]:
                        raise ValueError(f"ring {r}: expected a closed ring of at least 4 positions (first = last)")
                    rings.append(pts)
                return shapely.Polygon(rings[0], rings[1:])

    def times(self, raw: Any, geom: BaseGeometry | None, start, end):
        if raw is None:
            return None
        if geom is None or geom.geom_type != "LineString":
            self.problem("properties.times", "only a LineString takes per-vertex times")
            return None
        if not isinstance(raw, list) or len(raw) != len(geom.coords):
            got = len(raw) if isinstance(raw, list) else type(raw).__name__
            self.problem("properties.times", f"expected one time per vertex ({len(geom.coords)}), got {got}")
            return None
        fast = parse_times(raw)
        out = fast if fast is not None else []
        for i, value in enumerate(raw if fast is None else ()):  # one by one, to name the wrong one
            try:
                out.append(parse_time(value, allow_date=False))
            except ValueError as exc:
                self.problem(f"properties.times[{i}]", str(exc))
                return None
        # candidates in float seconds (rounding is monotone: every real step back is among them;
        # far in the future two times 1 µs apart may round together), each checked exactly
        seconds = np.fromiter(map(dt.datetime.timestamp, out), dtype=np.float64, count=len(out))
        for i in (np.flatnonzero(np.diff(seconds) <= 0) + 1).tolist():
            if out[i] <= out[i - 1]:
                relation = "is before" if out[i] < out[i - 1] else "is the same as"
                self.problem(
                    f"properties.times[{i}]",
                    f"`{raw[i]}` {relation} the previous vertex's `{raw[i - 1]}`; expected increasing times "
                    "(to stay in place, repeat the position with a later time)",
                )
                return None
        if start and end and (out[0] < start or out[-1] > end):
            self.problem("properties.times", f"expected times within start and end, got {raw[0]} .. {raw[-1]}")
            return None
        return tuple(out)

    def altitude(self, raw: Any) -> tuple[float, float] | None:
        if raw is None:
            return None
        if not isinstance(raw, Mapping):
            self.problem("properties.altitude", 'expected {"lower_m": number, "upper_m": number}')
            return None
        values = []
        for key in ("lower_m", "upper_m"):
            v = raw.get(key)
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                self.problem(f"properties.altitude.{key}", f"expected a number of metres AMSL, got `{v}`")
                return None
            values.append(float(v))
        if values[0] > values[1]:
            self.problem("properties.altitude", f"lower_m {values[0]:g} is above upper_m {values[1]:g}")
            return None
        if not all(ALTITUDE_RANGE_M[0] <= v <= ALTITUDE_RANGE_M[1] for v in values):
            self.problem("properties.altitude", f"expected metres AMSL within {list(ALTITUDE_RANGE_M)}, got {values}")
            return None
        return (values[0], values[1])
