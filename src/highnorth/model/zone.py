"""Zones: named 3D volumes with a horizontal geometry, vertical limits, tags and validity."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from shapely.geometry.base import BaseGeometry

from .time import Interval

__all__ = ["FT", "SFC", "UNL", "Basis", "VerticalLimit", "Zone"]

FT = 0.3048
Basis = Literal["official", "reported", "assumption"]
Reference = Literal["SFC", "AMSL", "AGL", "FL", "UNL"]


@dataclass(frozen=True, slots=True)
class VerticalLimit:
    """One vertical limit of a zone.

    The engine compares altitudes in metres above mean sea level. Conversions (documented in
    docs/semantics.md):

    - ``SFC`` is the surface: as a lower limit it admits everything down to minus infinity.
    - ``UNL`` is unlimited: plus infinity.
    - ``AGL`` is treated as AMSL over terrain at 0 m (no terrain model). For a lower limit this
      makes the zone reach lower than it does, so a rule on the zone errs towards applying.
    - ``FL`` is a pressure altitude; FL n is taken as n × 100 ft AMSL (standard atmosphere).

    >>> VerticalLimit(95, "FL").metres
    2895.6
    >>> VerticalLimit(0, "SFC").metres
    -inf
    """

    value: float
    reference: Reference

    @property
    def metres(self) -> float:
        match self.reference:
            case "SFC":
                return -math.inf
            case "UNL":
                return math.inf
            case "FL":
                return round(self.value * 100 * FT, 3)
            case "AMSL" | "AGL":
                return float(self.value)
        raise ValueError(f"unknown vertical reference `{self.reference}`")

    def __str__(self) -> str:
        match self.reference:
            case "SFC" | "UNL":
                return self.reference
            case "FL":
                return f"FL{self.value:g}"
        return f"{self.value:g} m {self.reference}"


SFC = VerticalLimit(0, "SFC")
UNL = VerticalLimit(0, "UNL")


@dataclass(frozen=True, slots=True)
class Zone:
    """A named 3D volume. `geometry` is a valid (Multi)Polygon in WGS84 lon/lat."""

    id: str
    geometry: BaseGeometry
    name: str = ""
    lower: VerticalLimit = SFC
    upper: VerticalLimit = UNL
    tags: frozenset[str] = field(default_factory=frozenset)
    validity: Interval | None = None
    basis: Basis = "assumption"
    source: str = ""
    note: str = ""

    @property
    def band(self) -> tuple[float, float]:
        """The vertical band in metres AMSL, ``(lower, upper)``."""
        return (self.lower.metres, self.upper.metres)

    def in_force(self, interval: Interval) -> bool:
        return self.validity is None or self.validity.overlaps(interval)

    def in_force_at(self, at: object) -> bool:
        """Whether the zone exists at the instant `at` (always, when it has no validity)."""
        return self.validity is None or self.validity.contains(at)  # type: ignore[arg-type]
