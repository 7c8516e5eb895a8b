"""Tracks: an activity's line densified along its geodesics and projected into the frame, with
its clock and altitude per vertex (the kernels compute the intervals a track spends in zones;
the tolerances are in geo/tolerance.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ...model.activity import Activity
from ..zones.projection import Frame, densify_lines, densify_lonlat, geodesic_length_m

__all__ = ["Track", "bands_overlap", "track_times"]


def track_times(activity: Activity, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Seconds since the activity's start at each vertex: the given `times`, or constant speed."""
    if activity.times is not None:
        return np.array([(t - activity.start).total_seconds() for t in activity.times])
    total = (activity.end - activity.start).total_seconds()
    lengths = geodesic_length_m(lon, lat)
    run = np.concatenate([[0.0], np.cumsum(lengths)])
    if run[-1] <= 0:
        return np.linspace(0.0, total, len(lon))
    return run / run[-1] * total


@dataclass(frozen=True)
class Track:
    """A track densified and projected: per vertex its frame position, seconds since the
    activity's start, parameter on the input line and altitude (None for a 2D track)."""

    x: np.ndarray
    y: np.ndarray
    seconds: np.ndarray
    param: np.ndarray
    z: np.ndarray | None
    frame: Frame

    @classmethod
    def of(cls, activity: Activity, frame: Frame) -> Track:
        coords = np.asarray(activity.geometry.coords, dtype=float)
        lon0, lat0 = coords[:, 0], coords[:, 1]
        seconds0 = track_times(activity, lon0, lat0)
        lon, lat, param = densify_lonlat(lon0, lat0)
        vertex = np.arange(len(lon0))
        z = np.interp(param, vertex, coords[:, 2]) if coords.shape[1] == 3 else None
        x, y = frame.fwd(lon, lat)
        return cls(x, y, np.interp(param, vertex, seconds0), param, z, frame)

    @classmethod
    def many(cls, activities: Sequence[Activity], frame: Frame) -> list[Track]:
        """`Track.of` for many activities with one geodesic and one projection call for all (the
        same numbers: the per-vertex arithmetic is the same)."""
        if not activities:
            return []
        coords = [np.asarray(a.geometry.coords, dtype=float) for a in activities]
        lon, lat, slices, params = densify_lines(coords)
        x, y = frame.fwd(lon, lat)
        tracks = []
        for activity, c, (lo, hi), p in zip(activities, coords, slices, params, strict=True):
            seconds0 = track_times(activity, c[:, 0], c[:, 1])
            if len(p) == len(c):  # no vertex added: interpolating at the vertices gives their values
                z = c[:, 2].copy() if c.shape[1] == 3 else None
                tracks.append(cls(x[lo:hi], y[lo:hi], seconds0, p, z, frame))
                continue
            own = np.arange(len(c))
            z = np.interp(p, own, c[:, 2]) if c.shape[1] == 3 else None
            tracks.append(cls(x[lo:hi], y[lo:hi], np.interp(p, own, seconds0), p, z, frame))
        return tracks

    def sample(self, g: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """At many global parameters at once: lon, lat, seconds, altitude (nan in 2D), input
        parameter (one projection call for all)."""
        g = np.asarray(g, dtype=float)
        s = np.clip(np.floor(g).astype(np.int64), 0, len(self.x) - 2)
        t = g - s

        def lerp(v: np.ndarray) -> np.ndarray:
            return v[s] + (v[s + 1] - v[s]) * t

        lon, lat = self.frame.inv(lerp(self.x), lerp(self.y))
        alt = lerp(self.z) if self.z is not None else np.full(len(g), np.nan)
        return np.round(lon, 7), np.round(lat, 7), lerp(self.seconds), alt, lerp(self.param)

    def param_at(self, seconds: float) -> float:
        """The first global parameter at which the track reaches `seconds` since the start."""
        i = int(np.searchsorted(self.seconds, seconds, side="left"))
        if i <= 0:
            return 0.0
        if i >= len(self.seconds):
            return float(len(self.seconds) - 1)
        span = self.seconds[i] - self.seconds[i - 1]
        return float(i - 1 + ((seconds - self.seconds[i - 1]) / span if span > 0 else 1.0))

    def altitudes(self, ga: float, gb: float, alt_a: float, alt_b: float) -> tuple[float, float]:
        """Lowest and highest altitude between two global parameters, whose altitudes are given."""
        assert self.z is not None
        lo_i, hi_i = int(np.floor(ga)), int(np.ceil(gb))
        inner = self.z[lo_i + 1 : hi_i]
        low, high = min(alt_a, alt_b), max(alt_a, alt_b)
        if len(inner):
            low, high = min(low, float(inner.min())), max(high, float(inner.max()))
        return low, high


def bands_overlap(a: tuple[float, float], b_lower: np.ndarray, b_upper: np.ndarray) -> np.ndarray:
    """Positive overlap of vertical bands; a band of one altitude needs only to lie within."""
    lo = np.maximum(a[0], b_lower)
    hi = np.minimum(a[1], b_upper)
    if a[0] == a[1]:
        return lo <= hi
    return lo < hi
