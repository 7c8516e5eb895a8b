"""Synthetic workloads for the benchmarks: flights over northern Norway, zone sets of any size, and
a mixed exercise plan. Deterministic (seeded)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import shapely

from highnorth.geo.zones.projection import GEOD, Frame, geodesic_circle
from highnorth.model import Activity, Actor, Zone
from highnorth.model.zone import VerticalLimit

T0 = dt.datetime(2025, 6, 2, 6, 0, tzinfo=dt.UTC)

# aerodromes of FACTS.md §8 (lon, lat)
AIRFIELDS = [
    (14.3653, 67.2692),
    (16.6783, 68.4889),
    (18.5403, 69.0558),
    (16.1442, 69.2925),
    (18.9178, 69.6814),
    (23.3717, 69.9761),
    (24.9739, 70.0667),
    (29.8878, 69.7250),
    (31.0450, 70.3553),
    (29.8447, 70.0653),
    (25.9836, 71.0097),
    (23.6686, 70.6797),
    (20.3356, 67.8214),
    (25.8308, 66.5617),
    (26.6181, 67.3967),
]
NATIONS = ["USA", "GBR", "DEU", "NLD", "FIN", "SWE", "NOR", "FRA", "ITA", "DNK"]


def flight(rng: np.random.Generator, sample_s: float = 5.0, speed: float = 230.0) -> tuple[np.ndarray, np.ndarray]:
    """One flight between two aerodromes along the geodesic: coordinates (lon, lat, alt) and
    seconds, sampled every `sample_s` seconds; climbs at 10 m/s to cruise and descends at the end."""
    a, b = rng.choice(len(AIRFIELDS), 2, replace=False)
    (lon1, lat1), (lon2, lat2) = AIRFIELDS[a], AIRFIELDS[b]
    lon, lat, along = _geodesic(lon1, lat1, lon2, lat2, speed * sample_s)
    dist = along[-1]
    cruise = rng.uniform(7_000, 11_000)
    climb = np.minimum(along / speed * 10.0, cruise)
    descent = np.minimum((dist - along) / speed * 10.0, cruise)
    alt = np.minimum(climb, descent) + rng.normal(0, 30, len(along)).cumsum() * 0.1
    return np.column_stack([lon, lat, np.clip(alt, 0, 15_000)]), along / speed


def _geodesic(lon1: float, lat1: float, lon2: float, lat2: float, step: float) -> tuple[np.ndarray, ...]:
    """Points every `step` metres (about) along the geodesic: lon, lat, distance from the start."""
    az, _, dist = GEOD.inv(lon1, lat1, lon2, lat2)
    n = max(2, int(dist / step) + 1)
    along = np.linspace(0.0, dist, n)
    lon, lat, _ = GEOD.fwd(np.full(n, lon1), np.full(n, lat1), np.full(n, az), along)
    return lon, lat, along


def _activity(rng: np.random.Generator, number: int, coords: np.ndarray, secs: np.ndarray) -> Activity:
    start = T0 + dt.timedelta(minutes=int(rng.integers(0, 60 * 24 * 30)))
    times = tuple(start + dt.timedelta(seconds=float(s)) for s in secs)
    nation = NATIONS[int(rng.integers(len(NATIONS)))]
    return Activity(f"f{number}", "flight", Actor(nation), times[0], times[-1], shapely.LineString(coords), times=times)


def flights(segments: int, seed: int = 1) -> list[Activity]:
    """Flights until there are at least `segments` track segments."""
    rng = np.random.default_rng(seed)
    out: list[Activity] = []
    total = 0
    while total < segments:
        coords, secs = flight(rng)
        out.append(_activity(rng, len(out), coords, secs))
        total += len(coords) - 1
    return out


def synthetic_zones(count: int, seed: int = 7) -> list[Zone]:
    """`count` zones over northern Scandinavia: circles, boxes and concave shapes, 1 to 40 km
    across, with vertical limits, like an AIP's restricted and danger areas. The area stays the
    same whatever the count, so the zones over a point (and the output) grow with it."""
    rng = np.random.default_rng(seed)
    zones = []
    for i in range(count):
        lon, lat = rng.uniform(12, 32), rng.uniform(66, 71.5)
        zones.append(_zone(rng, i, lon, lat, rng.uniform(1_000, 20_000)))
    return zones


#: km² per zone in the constant-density layout: the density of 1,000 `synthetic_zones` (12–32°E,
#: 66–71.5°N is 496,300 km² on the ellipsoid)
KM2_PER_ZONE = 496.3
#: the frame the constant-density layout is drawn in
SPREAD_FRAME = (20.0, 68.0)
#: the flights of the constant-density layout: straight legs of LEG_M, kept MARGIN_M inside the
#: square of zones (the largest zone reaches 20 km from its centre; a box's corner 28 km), so
#: that every position has zone centres drawn all around it
LEG_M = 30_000.0
MARGIN_M = 20_000.0


def spread_side_m(count: int) -> float:
    """Side of the square (frame metres, centred on SPREAD_FRAME) that holds `count` zones at the
    constant density."""
    return float(np.sqrt(count * KM2_PER_ZONE)) * 1_000


def spread_zones(count: int, frame: Frame, seed: int = 7) -> list[Zone]:
    """`count` zones like `synthetic_zones`, at a constant density: centred uniformly in a square
    whose area grows with the count (`spread_side_m`). Away from the square's edges a point has
    the same zones over it on average, whatever the count."""
    rng = np.random.default_rng(seed)
    half = spread_side_m(count) / 2
    x, y = rng.uniform(-half, half, count), rng.uniform(-half, half, count)
    lon, lat = frame.inv(x, y)
    return [_zone(rng, i, float(lon[i]), float(lat[i]), rng.uniform(1_000, 20_000)) for i in range(count)]


def spread_flights(segments: int, count: int, frame: Frame, seed: int = 1) -> list[Activity]:
    """Straight flights of LEG_M (a position every 5 s at 230 m/s, 26 segments) in random
    directions, each at a level between 100 m and 12 km, their midpoints uniform in the square of
    `count` zones shrunk by half a leg and MARGIN_M on each side: the same legs for every count,
    only the region they are drawn in grows with it."""
    half = spread_side_m(count) / 2 - LEG_M / 2 - MARGIN_M
    if half < 0:
        raise ValueError(f"{count} zones: a square of {spread_side_m(count):.0f} m has no room for the flights")
    rng = np.random.default_rng(seed)
    out: list[Activity] = []
    total = 0
    while total < segments:
        mx, my = rng.uniform(-half, half, 2)
        heading = rng.uniform(0, 2 * np.pi)
        dx, dy = np.cos(heading) * LEG_M / 2, np.sin(heading) * LEG_M / 2
        (lon1, lon2), (lat1, lat2) = frame.inv(np.array([mx - dx, mx + dx]), np.array([my - dy, my + dy]))
        lon, lat, along = _geodesic(lon1, lat1, lon2, lat2, 230.0 * 5.0)
        alt = rng.uniform(100, 12_000) + rng.normal(0, 30, len(along)).cumsum() * 0.1
        out.append(_activity(rng, len(out), np.column_stack([lon, lat, np.clip(alt, 0, 15_000)]), along / 230.0))
        total += len(along) - 1
    return out


def _zone(rng: np.random.Generator, i: int, lon: float, lat: float, size: float) -> Zone:
    """Zone `i` centred at (lon, lat), `size` metres from its centre to its side: a circle, a box or
    a box with a notch (by i), and random vertical limits."""
    d_lat, d_lon = size / 111_000, size / (111_000 * np.cos(np.radians(lat)))
    match i % 3:
        case 0:
            geom = geodesic_circle(lon, lat, size, quad_segs=16)
        case 1:
            geom = shapely.box(lon - d_lon, lat - d_lat, lon + d_lon, lat + d_lat)
        case _:
            geom = shapely.box(lon - d_lon, lat - d_lat, lon + d_lon, lat + d_lat).difference(
                shapely.box(lon, lat - d_lat / 2, lon + d_lon, lat + d_lat / 2)
            )
    lower = float(rng.choice([0, 300, 1500, 3000]))
    return Zone(
        f"s{i}", geom, lower=VerticalLimit(lower, "AMSL"), upper=VerticalLimit(lower + rng.uniform(2000, 15000), "AMSL")
    )


def exercise_plan(count: int, path: Path, seed: int = 3) -> Path:
    """An Activity GeoJSON plan of `count` mixed activities (flights, convoys, port calls, land
    exercises, airspace reservations) around the High North in 2025–2026."""
    rng = np.random.default_rng(seed)
    features = []
    ports = [
        (30.0456, 69.7269),
        (23.68, 70.66),
        (25.97, 70.98),
        (19.138, 69.746),  # Grøtsund (ENR424's centroid, FACTS.md §8; before issue 14 19.08, 69.775)
        (16.5111, 68.4942),
        (29.7314, 70.0803),
    ]
    for i in range(count):
        nation = NATIONS[int(rng.integers(len(NATIONS)))]
        start = T0 + dt.timedelta(hours=int(rng.integers(0, 24 * 365)))
        end = start + dt.timedelta(hours=int(rng.integers(2, 72)))
        kind = ["flight", "flight", "land_movement", "port_call", "land_exercise", "airspace_reservation"][i % 6]
        attributes: dict = {}
        if kind == "flight":
            coords, _ = flight(rng, sample_s=60.0)
            geometry = {"type": "LineString", "coordinates": np.round(coords, 5).tolist()}
        elif kind == "land_movement":
            a = AIRFIELDS[int(rng.integers(len(AIRFIELDS)))]
            pts = np.array(a) + np.cumsum(rng.normal(0, 0.05, (40, 2)), axis=0)
            geometry = {"type": "LineString", "coordinates": np.round(pts, 5).tolist()}
        elif kind == "port_call":
            geometry = {"type": "Point", "coordinates": list(ports[int(rng.integers(len(ports)))])}
            attributes = {"nuclear_powered": bool(rng.random() < 0.1)}
        else:
            lon, lat = AIRFIELDS[int(rng.integers(len(AIRFIELDS)))]
            d = rng.uniform(0.05, 0.3)
            ring = [
                [lon - d, lat - d / 2],
                [lon + d, lat - d / 2],
                [lon + d, lat + d / 2],
                [lon - d, lat + d / 2],
                [lon - d, lat - d / 2],
            ]
            geometry = {"type": "Polygon", "coordinates": [ring]}
            attributes = {"troops": int(rng.integers(100, 15000))} if kind == "land_exercise" else {}
        features.append(
            {
                "type": "Feature",
                "id": f"a{i}",
                "geometry": geometry,
                "properties": {
                    "kind": kind,
                    "actor": {"nation": nation},
                    "start": start.isoformat(),
                    "end": end.isoformat(),
                    "attributes": attributes,
                },
            }
        )
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path
