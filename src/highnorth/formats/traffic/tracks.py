"""Positions to tracks: one aircraft or vessel, sorted in time, without duplicates, split where
it cannot be one movement (docs/replay.md, "Tracks").

A new track starts where
- the identity changes (ICAO address or MMSI),
- the time gap to the previous position exceeds `MAX_GAP_S` (ADS-B 15 min, AIS 60 min),
- the implied ground speed exceeds `MAX_SPEED_MS` (ADS-B 1,000 m/s, about Mach 3; AIS 40 m/s,
  about 78 kn): a jump no aircraft or ship makes, so a second transponder with the same code or
  a corrupt position; the positions after it become another track,
- the longitude jumps by more than 180° (the track crosses the antimeridian; highnorth's
  geometry is planar in lon/lat, so a track is never drawn the long way round the globe).
A track keeps at least two positions with distinct times; single positions are counted
(`single_position`) and dropped, duplicates (same identity and time) keep the first one
(`duplicate`), positions received out of time order are sorted (`out_of_order`, counted).
Altitudes (ADS-B) missing at some positions are interpolated in time from the track's known
ones; a track without any altitude is screened without one (surface to unlimited: every
airspace counts, which fails closed). Ships are at the surface (0 m).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["EARTH_RADIUS_M", "MAX_GAP_S", "MAX_SPEED_MS", "Track", "split_tracks"]

MAX_GAP_S = {"adsb": 15 * 60, "ais": 60 * 60}
MAX_SPEED_MS = {"adsb": 1000.0, "ais": 40.0}
EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True, slots=True)
class Track:
    """One aircraft's or vessel's movement: times (ms since the epoch, increasing), lon, lat,
    altitude in metres AMSL (None when unknown for the whole track)."""

    source: str
    ident: str
    callsign: str
    ship_type: int
    time: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    alt_m: np.ndarray | None

    @property
    def id(self) -> str:
        start = dt.datetime.fromtimestamp(self.time[0] / 1000, dt.UTC)
        return f"{self.source}-{self.ident}-{start:%Y%m%dT%H%M%S}Z"

    def times(self) -> tuple[dt.datetime, ...]:
        """The times as datetimes (UTC; exact to the millisecond: at 10^9 s a float64 holds a
        millisecond to within 10^-6 ms, and `fromtimestamp` rounds to the microsecond)."""
        seconds = (self.time / 1000.0).tolist()
        return tuple(map(dt.datetime.fromtimestamp, seconds, itertools.repeat(dt.UTC, len(seconds))))


def _distance_m(lon0: np.ndarray, lat0: np.ndarray, lon1: np.ndarray, lat1: np.ndarray) -> np.ndarray:
    """Great-circle distance (haversine), for the plausibility of jumps only."""
    p0, p1 = np.radians(lat0), np.radians(lat1)
    dlon = np.radians(lon1 - lon0)
    h = np.sin((p1 - p0) / 2) ** 2 + np.cos(p0) * np.cos(p1) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0, 1)))


def split_tracks(positions: pa.Table, counts: Counter[str] | None = None) -> Iterator[Track]:
    """The tracks in a positions table (any order, any mix of identities), ordered by source,
    identity and time; `counts` gets what was dropped or repaired."""
    counts = Counter() if counts is None else counts
    if positions.num_rows == 0:
        return
    keys = pc.dictionary_encode(pc.binary_join_element_wise(positions["source"], positions["ident"], ":"))
    keys = keys.combine_chunks() if isinstance(keys, pa.ChunkedArray) else keys
    # codes in the order of the sorted keys, so tracks come out by source and identity
    rank = np.argsort(np.argsort(np.asarray(keys.dictionary.to_pylist(), dtype=object)))
    code = rank[keys.indices.to_numpy(zero_copy_only=False)]
    time = positions["time"].to_numpy()
    # per identity in input order first, to count the positions that came out of time order
    by_code = np.argsort(code, kind="stable")
    same = code[by_code][1:] == code[by_code][:-1]
    counts["out_of_order"] += int((same & (np.diff(time[by_code]) < 0)).sum())
    order = np.lexsort((time, code))
    code, time = code[order], time[order]
    new_key = np.ones(len(code), dtype=bool)
    new_key[1:] = code[1:] != code[:-1]
    dup = np.zeros(len(code), dtype=bool)
    dup[1:] = ~new_key[1:] & (time[1:] == time[:-1])
    counts["duplicate"] += int(dup.sum())
    keep = order[~dup]
    code, time, new_key = code[~dup], time[~dup], new_key[~dup]
    lon, lat = positions["lon"].to_numpy()[keep], positions["lat"].to_numpy()[keep]
    alt = positions["alt_m"].to_numpy()[keep]
    ship_type = positions["ship_type"].to_numpy()[keep]
    adsb = np.asarray(pc.equal(positions["source"], "adsb").to_numpy(zero_copy_only=False), dtype=bool)[keep]
    dt_s = np.diff(time) / 1000.0
    speed = _distance_m(lon[:-1], lat[:-1], lon[1:], lat[1:]) / np.maximum(dt_s, 1e-3)
    gap = dt_s > np.where(adsb[1:], MAX_GAP_S["adsb"], MAX_GAP_S["ais"])
    jump = speed > np.where(adsb[1:], MAX_SPEED_MS["adsb"], MAX_SPEED_MS["ais"])
    dateline = np.abs(np.diff(lon)) > 180
    split = np.ones(len(code), dtype=bool)
    split[1:] = new_key[1:] | gap | jump | dateline
    counts["split_gap"] += int((gap & ~new_key[1:]).sum())
    counts["split_jump"] += int((jump & ~gap & ~new_key[1:]).sum())
    counts["split_antimeridian"] += int((dateline & ~jump & ~gap & ~new_key[1:]).sum())
    starts = np.flatnonzero(split)
    ends = np.append(starts[1:], len(code))
    # per track: source and identity of its first row, its first callsign that is not empty
    firsts = pa.array(keep[starts])
    source = positions["source"].take(firsts).to_pylist()
    ident = positions["ident"].take(firsts).to_pylist()
    named = np.flatnonzero(
        np.asarray(pc.not_equal(positions["callsign"], "").to_numpy(zero_copy_only=False), dtype=bool)[keep]
    )
    first_named = np.searchsorted(named, starts)
    has_name = first_named < len(named)
    has_name[has_name] &= named[first_named[has_name]] < ends[has_name]
    callsigns = (
        positions["callsign"]
        .take(
            pa.array(
                keep[named[np.minimum(first_named, max(len(named) - 1, 0))]]
                if len(named)
                else np.zeros(0, dtype=np.int64)
            )
        )
        .to_pylist()
    )
    ship_types: np.ndarray = np.maximum.reduceat(ship_type, starts) if len(starts) else np.zeros(0, dtype=np.int16)
    for k, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        if b - a < 2:
            counts["single_position"] += 1
            continue
        counts["tracks"] += 1
        yield Track(
            source=str(source[k]),
            ident=str(ident[k]),
            callsign=str(callsigns[k]) if has_name[k] else "",
            ship_type=int(ship_types[k]),
            time=time[a:b],
            lon=lon[a:b],
            lat=lat[a:b],
            alt_m=_altitudes(time[a:b], alt[a:b], counts),
        )


def _altitudes(time: np.ndarray, alt: np.ndarray, counts: Counter[str]) -> np.ndarray | None:
    known = np.isfinite(alt)
    if not known.any():
        counts["track_without_altitude"] += 1
        return None
    if known.all():
        return alt
    counts["altitude_interpolated"] += int((~known).sum())
    return np.interp(time, time[known], alt[known])
