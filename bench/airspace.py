"""Airspace benchmarks (bench/README.md): W6, all conflicts among 10,000 reserved volumes; W7,
reading a feed of area NOTAMs. Each measures its baseline in the same run."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import time

import numpy as np

from highnorth.formats.notam import format_notam, parse_notams
from highnorth.geo.zones.projection import Frame
from highnorth.workflow.conflicts import conflicts_prepared, prepare
from highnorth.workflow.notams import area_spec, notam_for
from highnorth.workflow.reservations import Volume, parse_volume

__all__ = ["FRAME", "airspace_volumes", "naive_conflict_pairs", "notam_corpus", "w6", "w7"]

FRAME = Frame(18.5, 69.5)  # northern Norway and its seas
MONTH = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
KM = 1000.0


def _offset(lon: float, lat: float, dx_km: float, dy_km: float) -> list[float]:
    return [lon + dx_km / (111.32 * np.cos(np.radians(lat))), lat + dy_km / 110.57]


def airspace_volumes(count: int, seed: int = 5) -> list[dict]:
    """`count` volume specs 5–50 km across (polygons, circles and corridors in equal parts),
    centred over 5–32°E, 66–73.5°N (land and sea), bands in 500 m steps up to FL400, windows of
    1–8 hours in June 2025 (one in ten has two to five windows)."""
    rng = np.random.default_rng(seed)
    specs = []
    for i in range(count):
        lon, lat = float(rng.uniform(5, 32)), float(rng.uniform(66, 73.5))
        size = float(rng.uniform(5, 50))  # km across
        match i % 3:
            case 0:
                n = int(rng.integers(3, 9))
                angles = 2 * np.pi * (np.arange(n) + rng.uniform(0, 0.8, n)) / n  # a star around the centre
                radii = size / 2 * rng.uniform(0.6, 1.0, n)
                ring = [_offset(lon, lat, r * np.cos(a), r * np.sin(a)) for a, r in zip(angles, radii, strict=True)]
                shape = {"type": "polygon", "coordinates": [*ring, ring[0]]}
            case 1:
                shape = {"type": "circle", "center": [lon, lat], "radius_m": size / 2 * KM}
            case _:
                a = rng.uniform(0, np.pi)
                half = size / 2 - 2.5
                track = [
                    _offset(lon, lat, -half * np.cos(a), -half * np.sin(a)),
                    _offset(lon, lat, half * np.cos(a), half * np.sin(a)),
                ]
                shape = {"type": "corridor", "track": track, "half_width_m": 2500.0}
        lo = int(rng.integers(0, 20))
        band = ({"ref": "AMSL", "value": 500.0 * lo}, {"ref": "AMSL", "value": 500.0 * (lo + int(rng.integers(1, 6)))})
        windows = []
        start = MONTH + dt.timedelta(minutes=30 * int(rng.integers(0, 30 * 48 - 16)))
        for _ in range(1 if rng.random() < 0.9 else int(rng.integers(2, 6))):
            end = start + dt.timedelta(hours=int(rng.integers(1, 9)))
            windows.append({"start": start.isoformat(), "end": end.isoformat()})
            start = end + dt.timedelta(hours=int(rng.integers(2, 30)))
        specs.append({"shape": shape, "lower": band[0], "upper": band[1], "windows": windows})
    return specs


def naive_conflict_pairs(volumes: list[Volume], shapes: list) -> set[tuple[str, str]]:
    """The baseline: every pair, shapely's `intersects` and the overlap's area, then the bands and
    the windows (a loop, no index)."""
    found = set()
    for i in range(len(volumes)):
        for j in range(i + 1, len(volumes)):
            if not shapes[i].intersects(shapes[j]):
                continue
            a, b = volumes[i], volumes[j]
            if max(a.amsl_band[0], b.amsl_band[0]) >= min(a.amsl_band[1], b.amsl_band[1]):
                continue
            if not any(max(x[0], y[0]) < min(x[1], y[1]) for x in a.windows for y in b.windows):
                continue
            overlap = shapes[i].intersection(shapes[j])
            if overlap.area > 0 and 2 * overlap.area > 1e-3 * overlap.length:
                found.add(tuple(sorted((a.id, b.id))))
    return found


def w6(say, count: int = 10_000, sample: int = 600) -> None:
    specs = airspace_volumes(count)
    t = time.perf_counter()
    volumes = [parse_volume(s, f"v{i:05d}") for i, s in enumerate(specs)]
    build_s = time.perf_counter() - t  # read, checked, footprints built (geodesic circles and buffers)
    t = time.perf_counter()
    prepared = prepare(volumes, FRAME)
    prepare_s = time.perf_counter() - t  # projected into the working frame
    t = time.perf_counter()
    found = conflicts_prepared(prepared)
    conflicts_s = time.perf_counter() - t
    # the naive loop on a sample, scaled by the number of pairs (n²/2)
    sub = volumes[:sample]
    shapes = list(prepared.shapes[:sample])
    t = time.perf_counter()
    naive = naive_conflict_pairs(sub, shapes)
    naive_sample_s = time.perf_counter() - t
    naive_s = naive_sample_s * (count * (count - 1)) / (sample * (sample - 1))
    fast_sample = {(c.a, c.b) for c in conflicts_prepared(prepare(sub, FRAME))}
    say(
        "W6",
        volumes=count,
        build_s=round(build_s, 3),
        prepare_s=round(prepare_s, 3),
        conflicts_s=round(conflicts_s, 3),
        conflicts=len(found),
        naive_sample=sample,
        naive_s_scaled=round(naive_s, 1),
        ratio_vs_naive=round(naive_s / conflicts_s, 1),
        equal_on_sample=naive == fast_sample,
        sample_conflicts=len(naive),
        mean_area_km2=round(float(np.mean([c.area_km2 for c in found])), 2) if found else 0.0,
    )


def notam_corpus(count: int, seed: int = 9) -> str:
    """A feed of `count` area NOTAMs (distinct numbers), as highnorth writes them for the W6
    volumes, one blank line between them."""
    specs = airspace_volumes(min(count, 2_000), seed)
    made = [notam_for(parse_volume(s, f"v{i}"), "W", 1, 25, user="NOR") for i, s in enumerate(specs)]
    texts = []
    for i in range(count):
        n = made[i % len(made)]
        texts.append(format_notam(dataclasses.replace(n, number=i % 9999 + 1, year=25 + i // 9999)))
    return "\n\n".join(texts) + "\n"


def w7(say, count: int = 50_000, sample: int = 2_000) -> None:
    text = notam_corpus(count)
    t = time.perf_counter()
    read = parse_notams(text)
    parse_s = time.perf_counter() - t
    assert len(read.notams) == count and not read.quarantine
    t = time.perf_counter()
    areas = [area_spec(n) for n in read.notams[:sample]]
    areas_s = time.perf_counter() - t
    values = {"notams": count, "parse_s": round(parse_s, 3), "notams_per_s": round(count / parse_s)}
    values["areas_per_s"] = round(sample / areas_s)
    values["with_area"] = sum(a is not None for a in areas) == sample
    try:
        from aviconv_notam import parser as aviconv
    except ImportError:
        say("W7", **values)
        return
    blocks = re.split(r"\n\n", text.strip())[:sample]
    t = time.perf_counter()
    for block in blocks:
        aviconv.parse(block)
    oracle = sample / (time.perf_counter() - t)
    say("W7", **values, aviconv_per_s=round(oracle), ratio_vs_aviconv=round(values["notams_per_s"] / oracle, 1))


if __name__ == "__main__":  # a quick look: python bench/airspace.py

    def show(name: str, **values: object) -> None:
        print(name, " ".join(f"{k}={v}" for k, v in values.items()), flush=True)

    w6(show)
    w7(show)
