"""NOTAMs for reserved volumes, and volumes for the areas NOTAMs announce (docs/airspace.md).

Out (`notam_for`): one NOTAM per volume. Q code QRTCA (temporary restricted area, activated),
traffic IV, purpose BO, scope W; lower and upper as flight levels, the lower rounded down and the
upper up (SFC is 000, UNL 999, an AGL upper limit over `MAX_TERRAIN_M`); a centre at whole
minutes and a radius in whole NM, rounded up, that contains the whole area: the radius is
measured from the rounded centre to every vertex of the area densified to `CHECK_STEP_M`, plus
`CHECK_MARGIN_M`, and checked again after rounding. Items B and C are the first start and the
last end; item D is the schedule (``DAILY 0800-1600``, ``MON WED 0800-1600``) or, for several
windows, the dated form (``JUN 01 0800-1600, JUN 03 0900-1200``); item E the area's
coordinates to the second; F and G the band as given.

In (`area_spec`): the area of a NOTAM as a volume spec, from item E (a polygon of three or more
coordinates joined by ``-``, a circle ``RADIUS 2NM`` around a coordinate, or our corridor form)
or else from the Q line's circle when it has a radius; None when it announces no area (no guess).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import shapely

from ..formats.notam import MONTHS, Notam, item_d_windows, whole_minutes
from ..geo.zones.projection import GEOD, densify_lonlat
from ..model.errors import GeometryError
from ..model.time import FAR_FUTURE
from ..model.zone import FT
from .reservations import WEEKDAYS, Limit, Volume

__all__ = ["AREA_CODES", "CHECK_MARGIN_M", "CHECK_STEP_M", "NM", "area_spec", "notam_for", "q_circle"]

NM = 1852.0
CHECK_STEP_M = 100.0
CHECK_MARGIN_M = 50.0
AREA_CODES = ("QR", "QW")  # airspace restrictions and warnings: the NOTAMs that announce areas
_COORD = re.compile(r"(\d{2})(\d{2})(\d{2})?([NS])\s?(\d{3})(\d{2})(\d{2})?([EW])")


def _dms(value: float, width: int, hemi: str) -> str:
    s = round(abs(value) * 3600)
    return f"{s // 3600:0{width}d}{s // 60 % 60:02d}{s % 60:02d}{hemi}"


def coord_text(lon: float, lat: float) -> str:
    """``DDMMSSN DDDMMSSE`` to the nearest second."""
    return f"{_dms(lat, 2, 'N' if lat >= 0 else 'S')} {_dms(lon, 3, 'E' if lon >= 0 else 'W')}"


def q_circle(footprint: shapely.Geometry) -> tuple[tuple[float, float], int]:
    """The Q line's centre (lat, lon at whole minutes) and radius (whole NM, rounded up) that
    contain the whole footprint; GeometryError when no 3-digit radius does."""
    minx, miny, maxx, maxy = footprint.bounds
    lat0, lon0 = whole_minutes((miny + maxy) / 2), whole_minutes((minx + maxx) / 2)
    lons, lats = [], []
    for part in shapely.get_parts(footprint):
        ring = np.asarray(part.exterior.coords)
        lo, la, _ = densify_lonlat(ring[:, 0], ring[:, 1], CHECK_STEP_M)
        lons.append(lo)
        lats.append(la)
    lon, lat = np.concatenate(lons), np.concatenate(lats)
    _, _, dist = GEOD.inv(np.full(len(lon), lon0), np.full(len(lat), lat0), lon, lat)
    radius = math.ceil((float(np.max(dist)) + CHECK_MARGIN_M) / NM)
    if radius > 999:
        raise GeometryError(f"the area reaches {radius} NM from its centre; a NOTAM's radius is at most 999 NM")
    if float(np.max(dist)) > radius * NM:  # the check after rounding
        raise GeometryError("the rounded NOTAM circle does not contain the area")
    return (lat0, lon0), radius


def _fl(metres: float, *, up: bool) -> int:
    if math.isinf(metres):
        return 999 if metres > 0 else 0
    hundreds = metres / FT / 100
    value = math.ceil(hundreds - 1e-9) if up else math.floor(hundreds + 1e-9)
    return min(999, max(0, value))


def limit_text(limit: Limit, *, upper: bool) -> str:
    """Item F or G: SFC, UNL, FL095, or whole feet AMSL/AGL (lower rounded down, upper up)."""
    match limit.ref:
        case "SFC" | "UNL":
            return limit.ref
        case "FL":
            return f"FL{round(limit.value):03d}"
    if limit.value == 0:
        return "SFC" if limit.ref == "AGL" else "MSL"
    feet = limit.value / FT
    return f"{math.ceil(feet - 1e-9) if upper else math.floor(feet + 1e-9)}FT {limit.ref}"


def _schedule_text(volume: Volume) -> str | None:
    if volume.schedule is not None:
        days = volume.schedule.get("days") or list(WEEKDAYS)
        head = "DAILY" if len(days) == 7 else " ".join(d for d in WEEKDAYS if d in days)
        return f"{head} {volume.schedule['daily']}"
    if len(volume.windows) == 1:
        return None
    return ", ".join(f"{MONTHS[s.month - 1]} {s:%d %H%M}-{e:%H%M}" for s, e in volume.windows)


def _area_text(volume: Volume) -> str:
    shape = volume.shape
    match shape["type"]:
        case "circle":
            return f"CIRCLE RADIUS {shape['radius_m'] / NM:.2f}NM CENTRED ON {coord_text(*shape['center'])}"
        case "corridor":
            line = " - ".join(coord_text(*p) for p in shape["track"])
            return f"CORRIDOR {shape['half_width_m'] / NM:.2f}NM EITHER SIDE OF LINE {line}"
    return "AREA " + " - ".join(coord_text(*p) for p in shape["coordinates"])


def notam_for(
    volume: Volume,
    series: str,
    number: int,
    year: int,
    *,
    user: str,
    fir: str = "ENOR",
    kind: str = "N",
    replaces: str | None = None,
) -> Notam:
    """The NOTAM that publishes `volume`."""
    centre, radius = q_circle(volume.footprint)
    lower_m, upper_m = volume.amsl_band
    text = f"TEMPO RESTRICTED AREA {volume.id.upper()} ACTIVATED FOR MILITARY TRAINING BY {user}. {_area_text(volume)}"
    return Notam(
        series=series,
        number=number,
        year=year,
        kind=kind,
        replaces=replaces,
        fir=fir,
        code="QRTCA" if kind != "C" else "QRTCC",
        traffic="IV",
        purpose="BO",
        scope="W",
        lower=_fl(lower_m, up=False),
        upper=_fl(upper_m, up=True),
        centre=centre,
        radius_nm=radius,
        locations=(fir,),
        start=volume.start,
        end=volume.end,
        schedule=_schedule_text(volume),
        text=text,
        lower_text=limit_text(volume.lower, upper=False),
        upper_text=limit_text(volume.upper, upper=True),
    )


def _limit_spec(text: str | None, fl: int, *, upper: bool) -> dict[str, Any]:
    if text is None:
        if (fl == 0 and not upper) or (fl == 999 and upper):
            return {"ref": "UNL" if upper else "SFC"}
        return {"ref": "FL", "value": fl}
    norm = " ".join(text.upper().split())
    if norm in ("SFC", "GND"):
        return {"ref": "SFC"}
    if norm == "MSL":
        return {"ref": "AMSL", "value": 0.0}
    if norm == "UNL":
        return {"ref": "UNL"}
    if m := re.fullmatch(r"FL ?(\d{1,3})", norm):
        return {"ref": "FL", "value": int(m[1])}
    if m := re.fullmatch(r"(\d+(?:\.\d+)?) ?(FT|M) ?(AMSL|MSL|AGL|GND|SFC)", norm):
        metres = float(m[1]) * (FT if m[2] == "FT" else 1.0)
        return {"ref": "AMSL" if m[3] in ("AMSL", "MSL") else "AGL", "value": round(metres, 3)}
    raise ValueError(f"item {'G' if upper else 'F'}: `{text}` is not a vertical limit (SFC, FL095, 2000FT AMSL, UNL)")


def _point(m: re.Match[str]) -> list[float]:
    lat = int(m[1]) + int(m[2]) / 60 + int(m[3] or 0) / 3600
    lon = int(m[5]) + int(m[6]) / 60 + int(m[7] or 0) / 3600
    return [lon * (1 if m[8] == "E" else -1), lat * (1 if m[4] == "N" else -1)]


def area_spec(notam: Notam) -> Mapping[str, Any] | None:
    """The NOTAM's area as a volume spec (shape, band, windows), or None when it announces none.
    ValueError when item E, F or G describes an area that cannot be read."""
    if not notam.code.startswith(AREA_CODES) or notam.kind == "C":
        return None
    text = " ".join(notam.text.upper().split())
    shape: dict[str, Any] | None = None
    corridor = re.search(r"CORRIDOR (\d+(?:\.\d+)?) ?NM EITHER SIDE OF LINE ((?:[0-9NSEW ]+ - )+[0-9NSEW ]+)", text)
    polygon = re.search(r"(?:\d{4,6}[NS] ?\d{5,7}[EW](?: ?- ?)){2,}\d{4,6}[NS] ?\d{5,7}[EW]", text)
    radius = re.search(r"RADIUS (\d+(?:\.\d+)?) ?(NM|KM|M)\b", text)
    if corridor:
        track = [_point(m) for m in _COORD.finditer(corridor[2])]
        shape = {"type": "corridor", "track": track, "half_width_m": float(corridor[1]) * NM}
    elif polygon:
        ring = [_point(m) for m in _COORD.finditer(polygon[0])]
        shape = {"type": "polygon", "coordinates": ring}
    elif radius and (centre := _COORD.search(text)):
        unit = {"NM": NM, "KM": 1000.0, "M": 1.0}[radius[2]]
        shape = {"type": "circle", "center": _point(centre), "radius_m": float(radius[1]) * unit}
    elif notam.radius_nm:
        lat, lon = notam.centre
        shape = {"type": "circle", "center": [lon, lat], "radius_m": notam.radius_nm * NM}
    if shape is None:
        return None
    end = notam.end or FAR_FUTURE
    windows = [(notam.start, end)]
    if notam.schedule and notam.end is not None and not notam.warnings:
        windows = item_d_windows(notam.schedule, notam.start, end)
    if not windows:
        raise ValueError(f"item D: `{notam.schedule}` leaves no time between items B and C")
    return {
        "shape": shape,
        "lower": _limit_spec(notam.lower_text, notam.lower, upper=False),
        "upper": _limit_spec(notam.upper_text, notam.upper, upper=True),
        "windows": [{"start": s.isoformat(), "end": e.isoformat()} for s, e in windows],
    }


def end_of(notam: Notam) -> dt.datetime:
    return notam.end or FAR_FUTURE
