"""OpenAir airspace files (the Winpilot text format) read as zones.

Records read (one a line, `*` starts a comment):

- ``AC`` class (starts a zone; becomes the tag ``class:<AC>``), ``AN`` name, ``AY`` type (tag
  ``type:<AY>``), ``AL``/``AH`` lower and upper limit (see `_zone_common.parse_limit`).
- ``DP`` a point: ``69:43:30 N 029:53:15 E``, ``69:43.5 N 029:53.25 E`` or ``69.725 N 29.8875 E``.
- ``V X=<point>`` the centre of the arcs and circles that follow; ``V D=+`` / ``V D=-`` their
  direction, clockwise (the default) or counter-clockwise. Both reset at each new zone.
- ``DA r, a1, a2`` an arc of radius `r` NM from bearing `a1` to `a2` (degrees true, from the
  centre); ``DB p1, p2`` an arc from `p1` to `p2` around the centre; ``DC r`` a circle of `r` NM.

Display records (``AT``, ``SP``, ``SB``, ``V Z``) and radio information (``AF``, ``AG``) are
skipped; any other record is skipped and named in one warning per file.

Arcs and circles are geodesic: every point is at the stated geodesic distance from the centre
(pyproj `Geod.fwd`), spaced so that the chord between two points strays at most `ARC_TOLERANCE_M`
from the arc. A `DB` arc starts and ends exactly at its two points; when they are at different
distances from the centre, the radius changes linearly along the arc (with a warning when they
differ by more than 1 % and `DB_RADIUS_SLACK_M`: more than coordinates rounded to the second).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import shapely

from ..geo.zones.projection import GEOD
from ..geo.zones.repair import repair
from ..model.errors import FormatError, GeometryError
from ..model.zone import SFC, UNL, VerticalLimit, Zone
from ._zone_common import IdMaker, parse_limit

__all__ = ["ARC_TOLERANCE_M", "read_openair"]

NM = 1852.0
ARC_TOLERANCE_M = 1.0
MAX_ARC_STEP_DEG = 5.0
DB_RADIUS_SLACK_M = 100.0
COORD_EXAMPLE = "`69:43:30 N 029:53:15 E`"
SKIPPED = {"AT", "SP", "SB", "AF", "AG", "V Z"}
KNOWN = {"AN", "AY", "AL", "AH", "DP", "V X", "V D", "DA", "DB", "DC"}

_PART = r"(\d{1,3}(?:\.\d+)?)(?::(\d{1,2}(?:\.\d+)?))?(?::(\d{1,2}(?:\.\d+)?))?\s*([NSEW])"
_COORD = re.compile(rf"{_PART}\s*,?\s*{_PART}", re.IGNORECASE)
_NUMBER = r"\s*([-+]?\d+(?:\.\d+)?)\s*"

LonLat = tuple[float, float]


class _LineError(Exception):
    """A malformed record; `read_openair` adds the line number and raises FormatError."""


@dataclass
class _Block:
    """The records of one zone while it is being read."""

    line: int
    cls: str = ""
    name: str = ""
    kind: str = ""
    lower: VerticalLimit | None = None
    upper: VerticalLimit | None = None
    points: list[LonLat] = field(default_factory=list)
    circle: bool = False
    centre: LonLat | None = None
    clockwise: bool = True


def parse_coordinate(text: str) -> LonLat:
    """(lon, lat) from an OpenAir point such as ``69:43:30 N 029:53:15 E``.

    >>> parse_coordinate("69:43:30 N 029:53:15 E")
    (29.8875, 69.725)
    >>> parse_coordinate("69:43.5S 29.8875W")
    (-29.8875, -69.725)
    """
    m = _COORD.fullmatch(text.strip())
    if m is None:
        raise _LineError(f"expected a coordinate like {COORD_EXAMPLE}, got `{text.strip()}`")
    lat_parts, lon_parts = m.groups()[:4], m.groups()[4:]
    if lat_parts[3].upper() not in "NS" or lon_parts[3].upper() not in "EW":
        raise _LineError(f"expected latitude (N/S) then longitude (E/W) like {COORD_EXAMPLE}, got `{text.strip()}`")
    lat, lon = _angle(lat_parts, 90, text), _angle(lon_parts, 180, text)
    return lon, lat


def _angle(parts: tuple[str, ...], limit: float, text: str) -> float:
    deg, minutes, seconds, hemi = parts
    if ("." in deg and minutes) or (minutes and "." in minutes and seconds):
        raise _LineError(f"only the last field of an angle may have decimals, got `{text.strip()}`")
    m, s = float(minutes or 0), float(seconds or 0)
    if m >= 60 or s >= 60:
        raise _LineError(f"minutes and seconds must be below 60, got `{text.strip()}`")
    value = float(deg) + m / 60 + s / 3600
    if value > limit:
        raise _LineError(f"angle above {limit} degrees in `{text.strip()}`")
    return round(-value if hemi.upper() in "SW" else value, 9)


def _numbers(arg: str, count: int, example: str) -> list[float]:
    m = re.fullmatch(",".join([_NUMBER] * count), arg)
    if m is None:
        raise _LineError(f"expected {example}, got `{arg}`")
    return [float(g) for g in m.groups()]


def arc_points(centre: LonLat, r_start: float, r_end: float, az_start: float, sweep: float) -> np.ndarray:
    """Points (lon, lat) of a geodesic arc around `centre` from bearing `az_start`, turning
    `sweep` degrees (positive clockwise), radius changing linearly from `r_start` to `r_end` m.

    >>> pts = arc_points((20.0, 69.0), 1852.0, 1852.0, 0.0, 90.0)
    >>> [round(float(v), 4) for v in (*pts[0], *pts[-1])]
    [20.0, 69.0166, 20.0463, 69.0]
    """
    radius = max(r_start, r_end, ARC_TOLERANCE_M)
    step = min(MAX_ARC_STEP_DEG, math.degrees(2 * math.acos(1 - ARC_TOLERANCE_M / radius)))
    n = max(1, math.ceil(abs(sweep) / step))
    t = np.linspace(0.0, 1.0, n + 1)
    lon, lat, _ = GEOD.fwd(
        np.full(n + 1, centre[0]),
        np.full(n + 1, centre[1]),
        az_start + sweep * t,
        r_start + (r_end - r_start) * t,
    )
    return np.column_stack([lon, lat])


def _sweep(a1: float, a2: float, clockwise: bool) -> float:
    """Degrees turned from bearing a1 to a2, negative counter-clockwise; equal ones: a circle."""
    if clockwise:
        return (a2 - a1) % 360 or 360.0
    return -((a1 - a2) % 360 or 360.0)


class _Reader:
    def __init__(self, source: str, repair_invalid: bool) -> None:
        self.source = source
        self.repair_invalid = repair_invalid
        self.zones: list[Zone] = []
        self.warnings: list[str] = []
        self.unknown: Counter[str] = Counter()
        self.unknown_first: dict[str, int] = {}
        self.ids = IdMaker()
        self.block: _Block | None = None
        self.line = 0

    def record(self, n: int, code: str, arg: str) -> None:
        self.line = n
        if code == "AC":
            self.finish()
            self.block = _Block(n, cls=arg)
            return
        if code == "AN" and (self.block is None or self.block.name):
            self.finish()
            self.block = _Block(n)
        key = f"V {arg[:1].upper()}" if code == "V" else code
        if key in SKIPPED:
            return
        if key not in KNOWN:
            self.unknown[key] += 1
            self.unknown_first.setdefault(key, n)
            return
        if self.block is None:
            raise _LineError("expected `AC` or `AN` to start a zone first")
        self.apply(self.block, code, arg)

    def apply(self, b: _Block, code: str, arg: str) -> None:
        match code:
            case "AN":
                b.name = arg
            case "AY":
                b.kind = arg
            case "AL" | "AH":
                try:
                    limit = parse_limit(arg)
                except ValueError as exc:
                    raise _LineError(str(exc)) from None
                if code == "AL":
                    b.lower = limit
                else:
                    b.upper = limit
            case "DP":
                self.add(b, [parse_coordinate(arg)])
            case "V":
                key, _, value = arg.partition("=")
                if key.strip().upper() == "X":
                    b.centre = parse_coordinate(value)
                elif value.strip() in ("+", "-"):
                    b.clockwise = value.strip() == "+"
                else:
                    raise _LineError(f"expected `V D=+` or `V D=-`, got `V {arg}`")
            case "DA":
                r, a1, a2 = _numbers(arg, 3, "radius in NM and two bearings like `5, 270, 90`")
                if r <= 0:
                    raise _LineError(f"expected a positive radius in NM, got `{arg}`")
                centre = self.centre(b)
                self.add(b, arc_points(centre, r * NM, r * NM, a1, _sweep(a1, a2, b.clockwise)))
            case "DB":
                ends = arg.split(",")
                if len(ends) != 2:
                    raise _LineError(f"expected two points like {COORD_EXAMPLE}, separated by a comma, got `{arg}`")
                self.add(b, self.between(b, parse_coordinate(ends[0]), parse_coordinate(ends[1])))
            case "DC":
                (r,) = _numbers(arg, 1, "a radius in NM like `2.5`")
                if r <= 0:
                    raise _LineError(f"expected a positive radius in NM, got `{arg}`")
                if b.points:
                    raise _LineError("a circle cannot be added to a zone that already has points")
                b.points = [tuple(p) for p in arc_points(self.centre(b), r * NM, r * NM, 0.0, 360.0)[:-1]]
                b.circle = True

    @staticmethod
    def centre(b: _Block) -> LonLat:
        if b.centre is None:
            raise _LineError("no centre for the arc; expected a `V X=` record before it")
        return b.centre

    def between(self, b: _Block, p1: LonLat, p2: LonLat) -> list[LonLat]:
        c = self.centre(b)
        az, _, dist = GEOD.inv([c[0], c[0]], [c[1], c[1]], [p1[0], p2[0]], [p1[1], p2[1]])
        r1, r2 = float(dist[0]), float(dist[1])
        if abs(r1 - r2) > max(DB_RADIUS_SLACK_M, 0.01 * max(r1, r2)):
            self.warnings.append(
                f"line {self.line}: `DB`: zone `{b.name}`: the arc's ends are {r1 / NM:.3f} and "
                f"{r2 / NM:.3f} NM from the centre; the radius changes linearly between them"
            )
        pts = arc_points(c, r1, r2, float(az[0]), _sweep(az[0], az[1], b.clockwise))
        return [p1, *(tuple(p) for p in pts[1:-1]), p2]

    @staticmethod
    def add(b: _Block, points: list[LonLat] | np.ndarray) -> None:
        if b.circle:
            raise _LineError("a zone with a `DC` circle cannot have other points")
        for p in points:
            q = (float(p[0]), float(p[1]))
            if not b.points or b.points[-1] != q:
                b.points.append(q)

    def finish(self) -> None:
        b, self.block = self.block, None
        if b is None:
            return
        where = f"line {b.line}"
        if not b.name:
            raise FormatError(f"{where}: the zone has no name; expected an `AN` record")
        what = f"{where}: zone `{b.name}`"
        pts = b.points[:-1] if len(b.points) > 1 and b.points[0] == b.points[-1] else b.points
        if len(pts) < 3:
            raise FormatError(f"{what}: expected at least 3 points (`DP`, `DA`, `DB`) or a `DC` circle, got {len(pts)}")
        lower, upper = b.lower or SFC, b.upper or UNL
        for record, limit, got in (("AL", lower, b.lower), ("AH", upper, b.upper)):
            if got is None:
                self.warnings.append(f"{what}: no `{record}` record; taken as {limit}")
        if upper.metres <= lower.metres:
            self.warnings.append(
                f"{what}: upper limit `{upper}` is not above lower limit `{lower}`; the zone has no height"
            )
        try:
            geom, warning = repair(shapely.Polygon(pts), what, allow=self.repair_invalid)
        except GeometryError as exc:
            raise FormatError(str(exc)) from None
        if warning:
            self.warnings.append(warning)
        tags = {f"class:{b.cls}"} if b.cls else set()
        if b.kind:
            tags.add(f"type:{b.kind}")
        self.zones.append(
            Zone(
                id=self.ids(b.name),
                geometry=geom,
                name=b.name,
                lower=lower,
                upper=upper,
                tags=frozenset(tags),
                basis="official",
                source=self.source,
            )
        )


def read_openair(text: str, *, source: str = "", repair_invalid: bool = True) -> tuple[list[Zone], list[str]]:
    """The zones of an OpenAir file and the warnings raised while reading it.

    Zone ids are slugs of the names, made unique with `-2`, `-3`; each zone is tagged
    ``class:<AC>``, has basis ``official`` and `source` as its source. An invalid ring is repaired
    with a warning, or with `repair_invalid` false raises FormatError. A malformed line raises
    FormatError naming the line and what was expected.

    >>> zones, warnings = read_openair('''AC R
    ... AN ENR 999 Test
    ... AL SFC
    ... AH FL95
    ... V X=69:00:00 N 020:00:00 E
    ... DC 1''')
    >>> z = zones[0]
    >>> z.id, sorted(z.tags), str(z.lower), str(z.upper), warnings
    ('enr-999-test', ['class:R'], 'SFC', 'FL95', [])
    >>> read_openair("AC R\\nAN X\\nDP 69:00 N")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    highnorth.model.errors.FormatError: line 3: `DP`: expected a coordinate like ..., got `69:00 N`
    """
    reader = _Reader(source, repair_invalid)
    for n, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("*"):
            continue
        code, arg = [*line.split(None, 1), ""][:2]
        code, arg = code.upper(), arg.strip()
        try:
            reader.record(n, code, arg)
        except _LineError as exc:
            raise FormatError(f"line {n}: `{code}`: {exc}") from None
    reader.finish()
    if reader.unknown:
        listed = ", ".join(
            f"`{key}` ({count} line{'s' if count != 1 else ''}, first line {reader.unknown_first[key]})"
            for key, count in sorted(reader.unknown.items())
        )
        reader.warnings.append(f"skipped unknown OpenAir records: {listed}")
    return reader.zones, reader.warnings
