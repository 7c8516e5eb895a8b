"""Activities: what an actor plans, where and when."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from shapely.geometry.base import BaseGeometry

from .actor import Actor
from .time import Interval

__all__ = ["KINDS", "Activity", "ActivityKind"]

ActivityKind = Literal[
    "flight",
    "airspace_reservation",
    "port_call",
    "naval_transit",
    "naval_exercise",
    "land_exercise",
    "land_movement",
]
KINDS: tuple[str, ...] = get_args(ActivityKind)


@dataclass(frozen=True, slots=True)
class Activity:
    """One planned activity.

    `geometry` is a shapely geometry in WGS84 lon/lat: a LineString (track or route, optionally
    with altitude in metres AMSL as z), a Polygon (area) or a Point (port or fixed site).
    `times` gives one time per LineString vertex; when absent the actor moves at constant speed
    over `[start, end]`. `altitude` is the band ``(lower_m, upper_m)`` AMSL for areas and points,
    and for tracks without z; None means from the surface up, unlimited.
    """

    id: str
    kind: ActivityKind
    actor: Actor
    start: dt.datetime
    end: dt.datetime
    geometry: BaseGeometry
    times: tuple[dt.datetime, ...] | None = None
    altitude: tuple[float, float] | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    submitted: dt.datetime | None = None
    name: str = ""

    @property
    def window(self) -> Interval:
        return Interval(self.start, self.end)
