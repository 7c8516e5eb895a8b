"""Synthetic workloads for the benchmarks: flights over northern Norway, zone sets of any size, and
a mixed exercise plan. Deterministic (seeded)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import shapely

from highnorth.geo.projection import GEOD, geodesic_circle
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
    az, _, dist = GEOD.inv(lon1, lat1, lon2, lat2)
    n = max(2, int(dist / (speed * sample_s)) + 1)
    along = np.linspace(0.0, dist, n)
    lon, lat, _ = GEOD.fwd(np.full(n, lon1), np.full(n, lat1), np.full(n, az), along)
    cruise = rng.uniform(7_000, 11_000)
    climb = np.minimum(along / speed * 10.0, cruise)
    descent = np.minimum((dist - along) / speed * 10.0, cruise)
    alt = np.minimum(climb, descent) + rng.normal(0, 30, n).cumsum() * 0.1
    return np.column_stack([lon, lat, np.clip(alt, 0, 15_000)]), along / speed


def flights(segments: int, seed: int = 1) -> list[Activity]:
    """Flights until there are at least `segments` track segments."""
    rng = np.random.default_rng(seed)
    out: list[Activity] = []
    total = 0
    while total < segments:
        coords, secs = flight(rng)
        start = T0 + dt.timedelta(minutes=int(rng.integers(0, 60 * 24 * 30)))
        times = tuple(start + dt.timedelta(seconds=float(s)) for s in secs)
        nation = NATIONS[int(rng.integers(len(NATIONS)))]
        out.append(
            Activity(
                f"f{len(out)}", "flight", Actor(nation), times[0], times[-1], shapely.LineString(coords), times=times
            )
        )
        total += len(coords) - 1
    return out


def synthetic_zones(count: int, seed: int = 7) -> list[Zone]:
    """`count` zones over northern Scandinavia: circles, boxes and concave shapes, 1 to 40 km
    across, with vertical limits, like an AIP's restricted and danger areas."""
    rng = np.random.default_rng(seed)
    zones = []
    for i in range(count):
        lon, lat = rng.uniform(12, 32), rng.uniform(66, 71.5)
        size = rng.uniform(1_000, 20_000)
        match i % 3:
            case 0:
                geom = geodesic_circle(lon, lat, size, quad_segs=16)
            case 1:
                d_lat, d_lon = size / 111_000, size / (111_000 * np.cos(np.radians(lat)))
                geom = shapely.box(lon - d_lon, lat - d_lat, lon + d_lon, lat + d_lat)
            case _:
                d_lat, d_lon = size / 111_000, size / (111_000 * np.cos(np.radians(lat)))
                geom = shapely.box(lon - d_lon, lat - d_lat, lon + d_lon, lat + d_lat).difference(
                    shapely.box(lon, lat - d_lat / 2, lon + d_lon, lat + d_lat / 2)
                )
        lower = float(rng.choice([0, 300, 1500, 3000]))
        zones.append(
            Zone(
                f"s{i}",
                geom,
                lower=VerticalLimit(lower, "AMSL"),
                upper=VerticalLimit(lower + rng.uniform(2000, 15000), "AMSL"),
            )
        )
    return zones


def exercise_plan(count: int, path: Path, seed: int = 3) -> Path:
    """An Activity GeoJSON plan of `count` mixed activities (flights, convoys, port calls, land
    exercises, airspace reservations) around the High North in 2025–2026."""
    rng = np.random.default_rng(seed)
    features = []
    ports = [
        (30.0456, 69.7269),
        (23.68, 70.66),
        (25.97, 70.98),
        (19.08, 69.775),
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
