"""The working frame of a policy: where its Lambert azimuthal equal-area projection is centred.

A pure value (no pyproj here): `geo.zones.projection.Frame` is the same value with the projection
attached, and the loader builds that one once and hands it to the policy.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Frame"]


@dataclass(frozen=True, eq=False)
class Frame:
    """The centre (`lon0`, `lat0`, degrees) of a working frame. Two frames with the same centre
    are equal, whichever carries the projection."""

    lon0: float
    lat0: float

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Frame) and (self.lon0, self.lat0) == (other.lon0, other.lat0)

    def __hash__(self) -> int:
        return hash((self.lon0, self.lat0))
