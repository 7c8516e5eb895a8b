"""Reservations: explicit 4D airspace volumes (docs/airspace.md).

A volume is a horizontal shape, a vertical band and one or more time windows:

- shape: a polygon (lon/lat vertices, geodesic edges), a circle (centre and geodesic radius) or a
  corridor (a track and a lateral half-width either side of it);
- band: a lower and an upper limit, each with its reference: ``SFC``, ``AMSL`` or ``AGL`` (metres)
  or ``FL`` (flight level), ``UNL``;
- windows: half-open ``[start, end)`` UTC intervals, given one by one or by a daily schedule.

Bands are compared in one datum, metres AMSL, conservatively (`amsl_band`): a flight level is
taken in the standard atmosphere (FL n = n × 100 ft), and a height above ground, without terrain
data, could sit anywhere from sea level to the highest terrain of Norway, so an AGL lower limit
is taken over sea level (its lowest) and an AGL upper limit over `MAX_TERRAIN_M` (its highest).
The band can only grow, so a conflict is never missed for want of terrain.

A volume derived from an activity uses the default widths `CORRIDOR_M` (5 NM either side of a
track) and `POINT_RADIUS_M` (1 NM around a point); an airspace manager replaces them with
explicit volumes.

>>> import datetime as dt
>>> t = lambda h: dt.datetime(2025, 6, 1, h, tzinfo=dt.UTC)
>>> v = parse_volume({"shape": {"type": "circle", "center": [25, 70], "radius_m": 5000},
...     "lower": {"ref": "AGL", "value": 0}, "upper": {"ref": "FL", "value": 95},
...     "windows": [{"start": "2025-06-01T08:00:00Z", "end": "2025-06-01T10:00:00Z"}]}, "v1")
>>> v.amsl_band, v.windows == ((t(8), t(10)),)
((0.0, 2895.6), True)
>>> parse_volume({"shape": {"type": "circle", "center": [25, 70], "radius_m": 5000},
...     "lower": {"ref": "AMSL", "value": 900}, "upper": {"ref": "AMSL", "value": 300},
...     "windows": [{"start": "2025-06-01T08:00:00Z", "end": "2025-06-01T10:00:00Z"}]}, "v1")
Traceback (most recent call last):
...
highnorth.model.errors.InputError: volume `v1`: band: the lower limit `900 m AMSL` is not below the upper limit `300 m AMSL`
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from ..geo.zones.projection import geodesic_buffer, geodesic_circle
from ..model.activity import Activity
from ..model.errors import GeometryError, InputError
from ..model.time import format_time, parse_time
from ..model.zone import FT

__all__ = [
    "CORRIDOR_M",
    "MAX_TERRAIN_M",
    "POINT_RADIUS_M",
    "Limit",
    "Volume",
    "default_volumes",
    "expand_schedule",
    "parse_volume",
    "volume_of",
    "windows_json",
]

CORRIDOR_M = 9_260.0  # 5 NM either side of a track or route
POINT_RADIUS_M = 1_852.0  # 1 NM around a point
MAX_TERRAIN_M = 2_469.0  # Galdhøpiggen, the highest terrain of Norway: where an AGL upper limit may reach
REFERENCES = ("SFC", "AMSL", "AGL", "FL", "UNL")
WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
MAX_WINDOWS = 1000
# a circle's polygon is drawn around the circle (its edges touch it), with enough sides that it
# strays less than 0.1 m outside: a conflict is never missed, and a gap of 1 m is never closed
_CIRCLE_SLACK_M = 0.1


@dataclass(frozen=True, slots=True)
class Limit:
    """One vertical limit: a value in the reference's unit (metres; flight levels for ``FL``)."""

    ref: str
    value: float = 0.0

    def amsl(self, *, upper: bool) -> float:
        """Metres AMSL, conservatively for AGL (module docstring)."""
        match self.ref:
            case "SFC":
                return -math.inf if not upper else 0.0
            case "UNL":
                return math.inf
            case "FL":
                return round(self.value * 100 * FT, 3)
            case "AGL":
                return float(self.value) + (MAX_TERRAIN_M if upper else 0.0)
        return float(self.value)

    def __str__(self) -> str:
        match self.ref:
            case "SFC" | "UNL":
                return self.ref
            case "FL":
                return f"FL{self.value:03g}"
        return f"{self.value:g} m {self.ref}"

    def json(self) -> dict[str, Any]:
        return {"ref": self.ref} if self.ref in ("SFC", "UNL") else {"ref": self.ref, "value": self.value}


@dataclass(frozen=True)
class Volume:
    """One reserved 4D volume. `spec` is its shape as given (JSON); `footprint` the area in lon/lat."""

    id: str
    shape: Mapping[str, Any]
    lower: Limit
    upper: Limit
    windows: tuple[tuple[dt.datetime, dt.datetime], ...]
    schedule: Mapping[str, Any] | None = None
    owner: str = ""  # the request it belongs to (or the standing zone / NOTAM it stands for)
    _footprint: BaseGeometry | None = field(default=None, compare=False, repr=False)

    @cached_property
    def footprint(self) -> BaseGeometry:
        return self._footprint if self._footprint is not None else _footprint(self.id, self.shape)

    @property
    def amsl_band(self) -> tuple[float, float]:
        return (self.lower.amsl(upper=False), self.upper.amsl(upper=True))

    @property
    def start(self) -> dt.datetime:
        return self.windows[0][0]

    @property
    def end(self) -> dt.datetime:
        return max(e for _, e in self.windows)

    def json(self) -> dict[str, Any]:
        """The volume as its JSON spec (what `parse_volume` reads back)."""
        out: dict[str, Any] = {"shape": dict(self.shape), "lower": self.lower.json(), "upper": self.upper.json()}
        if self.schedule is not None:
            out["schedule"] = dict(self.schedule)
        else:
            out["windows"] = [{"start": format_time(s), "end": format_time(e)} for s, e in self.windows]
        return out


def _footprint(name: str, shape: Mapping[str, Any]) -> BaseGeometry:
    try:
        match shape["type"]:
            case "polygon":
                geom = shapely.Polygon(shape["coordinates"])
            case "circle":
                lon, lat = shape["center"]
                radius = float(shape["radius_m"])
                quad = max(8, math.ceil(math.pi / 4 / math.acos(radius / (radius + _CIRCLE_SLACK_M))))
                grow = 1 / math.cos(math.pi / 4 / quad)  # the chords' mid-points on the circle
                geom = geodesic_circle(lon, lat, radius * grow, quad_segs=quad)
            case _:  # corridor
                geom = geodesic_buffer(shapely.LineString(shape["track"]), float(shape["half_width_m"]))
        valid = geom.is_valid and not geom.is_empty and geom.area > 0
    except (shapely.errors.GEOSException, ValueError, TypeError) as exc:
        raise GeometryError(f"volume `{name}`: its footprint cannot be built: {exc}") from None
    if not valid:
        raise GeometryError(
            f"volume `{name}`: its {shape['type']} footprint is not a valid area (self-crossing, or across the antimeridian?)"
        )
    return geom


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"{where}: `{value}` is not a number")
    return float(value)


def _point(value: object, where: str) -> list[float]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise InputError(f"{where}: `{value}` is not a [lon, lat] pair")
    lon, lat = _number(value[0], where), _number(value[1], where)
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InputError(f"{where}: `{[lon, lat]}` is not a longitude and latitude in degrees")
    return [lon, lat]


def _points(value: object, where: str, least: int) -> list[list[float]]:
    if not isinstance(value, list) or len(value) < least:
        raise InputError(f"{where}: expected a list of at least {least} [lon, lat] points")
    return [_point(p, f"{where}[{i}]") for i, p in enumerate(value)]


def _shape(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise InputError(f"{where}: expected an object with `type` polygon, circle or corridor")
    kind = value.get("type")
    match kind:
        case "polygon":
            ring = _points(value.get("coordinates"), f"{where}.coordinates", 3)
            if ring[0] != ring[-1]:
                ring.append(ring[0])
            if len(ring) < 4:
                raise InputError(f"{where}.coordinates: a polygon needs at least 3 distinct vertices")
            return {"type": "polygon", "coordinates": ring}
        case "circle":
            radius = _number(value.get("radius_m"), f"{where}.radius_m")
            if not 0 < radius <= 500_000:
                raise InputError(f"{where}.radius_m: `{radius:g}` is not between 0 and 500000 m")
            return {"type": "circle", "center": _point(value.get("center"), f"{where}.center"), "radius_m": radius}
        case "corridor":
            width = _number(value.get("half_width_m"), f"{where}.half_width_m")
            if not 0 < width <= 100_000:
                raise InputError(f"{where}.half_width_m: `{width:g}` is not between 0 and 100000 m")
            return {
                "type": "corridor",
                "track": _points(value.get("track"), f"{where}.track", 2),
                "half_width_m": width,
            }
    raise InputError(f"{where}.type: `{kind}` is not a shape; expected polygon, circle or corridor")


def _limit(value: object, where: str) -> Limit:
    if not isinstance(value, Mapping) or value.get("ref") not in REFERENCES:
        got = value.get("ref") if isinstance(value, Mapping) else value
        raise InputError(f"{where}.ref: `{got}` is not a vertical reference; expected one of {', '.join(REFERENCES)}")
    ref = value["ref"]
    if ref in ("SFC", "UNL"):
        return Limit(ref)
    number = _number(value.get("value"), f"{where}.value")
    if ref == "FL" and not 0 <= number <= 999:
        raise InputError(f"{where}.value: `FL{number:g}` is not a flight level from 0 to 999")
    return Limit(ref, number)


def _time(value: object, where: str) -> dt.datetime:
    try:
        return parse_time(value, allow_date=False)
    except (ValueError, TypeError) as exc:
        raise InputError(f"{where}: {exc}") from None


def _hhmm(text: str, where: str) -> tuple[int, int]:
    if len(text) != 4 or not text.isdigit() or int(text[:2]) > 24 or int(text[2:]) > 59:
        raise InputError(f"{where}: `{text}` is not a time HHMM")
    return int(text[:2]), int(text[2:])


def expand_schedule(schedule: Mapping[str, Any], where: str) -> list[tuple[dt.datetime, dt.datetime]]:
    """The windows of a schedule ``{"from": date, "to": date, "daily": "HHMM-HHMM", "days":
    [weekdays]?}`` (UTC; a window whose end is not after its start runs past midnight)."""
    try:
        first = dt.date.fromisoformat(str(schedule.get("from")))
        last = dt.date.fromisoformat(str(schedule.get("to")))
    except ValueError:
        raise InputError(f"{where}: `from` and `to` must be dates YYYY-MM-DD") from None
    daily = str(schedule.get("daily", ""))
    if "-" not in daily:
        raise InputError(f"{where}.daily: `{daily}` is not a time range HHMM-HHMM")
    (h0, m0), (h1, m1) = (_hhmm(p, f"{where}.daily") for p in daily.split("-", 1))
    days = schedule.get("days") or list(WEEKDAYS)
    if not isinstance(days, list) or any(d not in WEEKDAYS for d in days):
        raise InputError(f"{where}.days: `{days}` is not a list of weekdays ({' '.join(WEEKDAYS)})")
    if last < first or (last - first).days > MAX_WINDOWS:
        raise InputError(f"{where}: the days `{first}` to `{last}` are empty or more than {MAX_WINDOWS}")
    out = []
    day = first
    while day <= last:
        if WEEKDAYS[day.weekday()] in days:
            start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) + dt.timedelta(hours=h0, minutes=m0)
            end = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) + dt.timedelta(hours=h1, minutes=m1)
            out.append((start, end if end > start else end + dt.timedelta(days=1)))
        day += dt.timedelta(days=1)
    return out


def parse_volume(spec: object, volume_id: str, owner: str = "") -> Volume:
    """A volume from its JSON spec; InputError naming the volume and the field when it is wrong
    (an inverted band, an empty window, a shape that is no area)."""
    where = f"volume `{volume_id}`"
    if not isinstance(spec, Mapping):
        raise InputError(f"{where}: expected an object with shape, lower, upper and windows or schedule")
    shape = _shape(spec.get("shape"), f"{where}: shape")
    lower, upper = _limit(spec.get("lower"), f"{where}: lower"), _limit(spec.get("upper"), f"{where}: upper")
    inverted = lower.ref == "UNL" or upper.ref == "SFC" or lower.amsl(upper=False) >= upper.amsl(upper=False)
    if inverted and not (lower.ref == "AGL" and upper.ref == "AGL" and lower.value < upper.value):
        raise InputError(f"{where}: band: the lower limit `{lower}` is not below the upper limit `{upper}`")
    schedule = spec.get("schedule")
    if schedule is not None:
        if not isinstance(schedule, Mapping):
            raise InputError(f"{where}: schedule: expected an object with from, to, daily and days")
        windows = expand_schedule(schedule, f"{where}: schedule")
        if not windows:
            raise InputError(f"{where}: schedule: it has no day on which the volume is in use")
    else:
        given = spec.get("windows")
        if not isinstance(given, list) or not given or len(given) > MAX_WINDOWS:
            raise InputError(f"{where}: windows: expected a list of 1 to {MAX_WINDOWS} {{start, end}} windows")
        windows = []
        for i, w in enumerate(given):
            at = f"{where}: windows[{i}]"
            if not isinstance(w, Mapping):
                raise InputError(f"{at}: expected an object with start and end")
            start, end = _time(w.get("start"), f"{at}.start"), _time(w.get("end"), f"{at}.end")
            if end <= start:
                raise InputError(f"{at}: the window `{format_time(start)}` to `{format_time(end)}` is empty")
            windows.append((start, end))
    windows.sort()
    volume = Volume(volume_id, shape, lower, upper, tuple(windows), dict(schedule) if schedule else None, owner)
    volume.footprint  # noqa: B018 - a shape that is no area is refused here, not when it is compared
    return volume


def _band_of(activity: Activity) -> tuple[Limit, Limit]:
    if activity.altitude is not None:
        return Limit("AMSL", float(activity.altitude[0])), Limit("AMSL", float(activity.altitude[1]))
    geom = activity.geometry
    if geom.geom_type == "LineString" and geom.has_z:
        z = np.asarray(geom.coords)[:, 2]
        if z.max() > z.min():
            return Limit("AMSL", float(z.min())), Limit("AMSL", float(z.max()))
    return Limit("SFC"), Limit("UNL")  # surface to unlimited


def default_volumes(activity: Activity, owner: str) -> list[Volume]:
    """The volumes an activity reserves by default: an area is itself, a track a corridor of
    `CORRIDOR_M` either side, a point a circle of `POINT_RADIUS_M`; its band (surface to
    unlimited when it gives none) and its window. GeometryError when the shape cannot be built."""
    geom = activity.geometry
    coords = [list(c)[:2] for c in shapely.get_coordinates(geom).tolist()]
    match geom.geom_type:
        case "Point":
            shapes = [{"type": "circle", "center": coords[0], "radius_m": POINT_RADIUS_M}]
        case "LineString":
            shapes = [{"type": "corridor", "track": coords, "half_width_m": CORRIDOR_M}]
        case _:
            parts = shapely.get_parts(shapely.force_2d(geom))
            # an area books its outline (holes included: conservative), one volume a part
            shapes = [{"type": "polygon", "coordinates": np.asarray(p.exterior.coords).tolist()} for p in parts]
    lower, upper = _band_of(activity)
    volumes = []
    for i, shape in enumerate(shapes):
        vid = f"{owner}-v{i + 1}"
        v = Volume(vid, shape, lower, upper, ((activity.start, activity.end),), None, owner)
        try:
            v.footprint  # noqa: B018
        except GeometryError as exc:
            raise GeometryError(f"activity `{activity.id}`: {exc}") from None
        volumes.append(v)
    return volumes


def volume_of(activity: Activity, owner: str) -> Volume:
    """The first default volume of an activity (`default_volumes`), for callers that want one."""
    return default_volumes(activity, owner)[0]


def windows_json(windows: Sequence[tuple[dt.datetime, dt.datetime]]) -> list[dict[str, str]]:
    return [{"start": format_time(s), "end": format_time(e)} for s, e in windows]
