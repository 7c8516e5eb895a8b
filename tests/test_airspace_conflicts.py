"""Exact conflicts between airspace volumes: the boundary cases at 1 cm and 1 s from both sides
(the way the InterUSS qualifier tests tiny overlaps and near misses), the geodesic tolerance for
circles, and a property test against an independent slow computation (shapely on densified
geodesics in another projection, interval arithmetic by loops)."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod, Transformer

from highnorth.geo.zones.projection import Frame
from highnorth.model.errors import InputError
from highnorth.workflow.conflicts import conflicts, window_overlaps
from highnorth.workflow.reservations import Limit, Volume, parse_volume

UTC = dt.UTC
FRAME = Frame(25.0, 70.0)
T0 = dt.datetime(2025, 6, 1, 8, tzinfo=UTC)
GEOD = Geod(ellps="WGS84")


def square(vid: str, x0: float, x1: float, *, band=(0.0, 1000.0), window=(T0, T0 + dt.timedelta(hours=2))) -> Volume:
    """A square drawn in the working frame (metres; edges of 5 km, so no densification: exact in
    the frame), given to highnorth in lon/lat as any client would."""
    xs, ys = np.array([x0, x1, x1, x0, x0]), np.array([0.0, 0.0, 5000.0, 5000.0, 0.0])
    lon, lat = FRAME.inv(xs, ys)
    shape = {"type": "polygon", "coordinates": np.column_stack([lon, lat]).tolist()}
    return Volume(vid, shape, Limit("AMSL", band[0]), Limit("AMSL", band[1]), (window,))


@pytest.mark.parametrize(
    ("shift_m", "expected"),
    [(-0.01, True), (0.0, False), (0.01, False), (-1.0, True), (1.0, False)],
    ids=["overlap-1cm", "touching", "gap-1cm", "overlap-1m", "gap-1m"],
)
def test_space_at_one_centimetre(shift_m, expected):
    a = square("a", 0, 5000)
    b = square("b", 5000 + shift_m, 10000)
    found = conflicts([a, b], FRAME)
    assert bool(found) == expected
    if expected:
        (c,) = found
        assert c.area_km2 * 1e6 == pytest.approx(-shift_m * 5000, rel=1e-4)  # a sliver 5 km long


@pytest.mark.parametrize(
    ("lower", "expected"),
    [(999.99, True), (1000.0, False), (1000.01, False)],
    ids=["overlap-1cm", "stacked", "gap-1cm"],
)
def test_band_at_one_centimetre(lower, expected):
    a = square("a", 0, 5000, band=(0, 1000))
    b = square("b", 2000, 7000, band=(lower, 2000))
    assert bool(conflicts([a, b], FRAME)) == expected


@pytest.mark.parametrize(
    ("start_s", "expected"),
    [(-1, True), (0, False), (1, False)],
    ids=["overlap-1s", "handover", "gap-1s"],
)
def test_time_at_one_second(start_s, expected):
    end_a = T0 + dt.timedelta(hours=2)
    a = square("a", 0, 5000, window=(T0, end_a))
    b = square("b", 2000, 7000, window=(end_a + dt.timedelta(seconds=start_s), end_a + dt.timedelta(hours=1)))
    found = conflicts([a, b], FRAME)
    assert bool(found) == expected
    if expected:
        assert found[0].windows == ((end_a - dt.timedelta(seconds=1), end_a),)


def circle(vid: str, lon: float, lat: float, radius: float) -> Volume:
    return parse_volume(
        {
            "shape": {"type": "circle", "center": [lon, lat], "radius_m": radius},
            "lower": {"ref": "SFC"},
            "upper": {"ref": "UNL"},
            "windows": [{"start": "2025-06-01T08:00:00Z", "end": "2025-06-01T10:00:00Z"}],
        },
        vid,
    )


@pytest.mark.parametrize(
    ("gap_m", "expected"),
    [(-0.01, True), (1.0, False), (-1.0, True), (5.0, False)],
    ids=["overlap-1cm", "gap-1m", "overlap-1m", "gap-5m"],
)
@pytest.mark.parametrize("where", [(25.0, 70.0), (15.0, 68.0), (31.0, 71.5)], ids=["centre", "west", "north-east"])
def test_circles_at_the_geodesic_tolerance(gap_m, expected, where):
    """Circles are not exact in the frame: their polygons are drawn around them (at most 0.1 m
    outside), so an overlap of 1 cm is always found and a gap of 1 m (DESIGN.md §3.4) never
    closes, also far from the frame's centre."""
    lon, lat = where
    r = 2000.0
    lon2, lat2, _ = GEOD.fwd(lon, lat, 60.0, 2 * r + gap_m)
    found = conflicts([circle("a", lon, lat, r), circle("b", lon2, lat2, r)], FRAME)
    assert bool(found) == expected


def test_several_windows_and_the_shared_ones():
    t = lambda h: T0.replace(hour=h)  # noqa: E731
    assert window_overlaps([(t(8), t(9)), (t(10), t(12))], [(t(9), t(10)), (t(11), t(13))]) == ((t(11), t(12)),)
    spec = {
        "shape": {"type": "polygon", "coordinates": [[25, 70], [25.1, 70], [25.1, 70.1], [25, 70.1]]},
        "lower": {"ref": "SFC"},
        "upper": {"ref": "FL", "value": 100},
    }
    a = parse_volume(
        {**spec, "schedule": {"from": "2025-06-02", "to": "2025-06-08", "daily": "0800-1000", "days": ["MON", "WED"]}},
        "a",
    )
    b = parse_volume({**spec, "windows": [{"start": "2025-06-04T09:00:00Z", "end": "2025-06-06T00:00:00Z"}]}, "b")
    (c,) = conflicts([a, b], FRAME)
    assert c.windows == ((dt.datetime(2025, 6, 4, 9, tzinfo=UTC), dt.datetime(2025, 6, 4, 10, tzinfo=UTC)),)


def test_agl_is_taken_conservatively():
    """Without terrain data an AGL band reaches from its lower limit over sea level to its upper
    limit over the highest terrain: 0–500 m AGL conflicts with 2,500–3,000 m AMSL."""
    base = {
        "shape": {"type": "circle", "center": [25, 70], "radius_m": 3000},
        "windows": [{"start": "2025-06-01T08:00:00Z", "end": "2025-06-01T10:00:00Z"}],
    }
    low = parse_volume({**base, "lower": {"ref": "AGL", "value": 0}, "upper": {"ref": "AGL", "value": 500}}, "low")
    high = parse_volume(
        {**base, "lower": {"ref": "AMSL", "value": 2500}, "upper": {"ref": "AMSL", "value": 3000}}, "high"
    )
    higher = parse_volume(
        {**base, "lower": {"ref": "AMSL", "value": 2969}, "upper": {"ref": "AMSL", "value": 3000}}, "higher"
    )
    assert low.amsl_band == (0.0, 2969.0)
    assert [(c.a, c.b) for c in conflicts([low, high, higher], FRAME)] == [("high", "higher"), ("high", "low")]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            {"lower": {"ref": "AMSL", "value": 900}, "upper": {"ref": "AMSL", "value": 300}},
            "volume `v`: band: the lower limit `900 m AMSL` is not below the upper limit `300 m AMSL`",
        ),
        (
            {"lower": {"ref": "FL", "value": 100}, "upper": {"ref": "FL", "value": 100}},
            "volume `v`: band: the lower limit `FL100` is not below the upper limit `FL100`",
        ),
        (
            {"windows": [{"start": "2025-06-01T10:00:00Z", "end": "2025-06-01T10:00:00Z"}]},
            "volume `v`: windows[0]: the window `2025-06-01T10:00:00Z` to `2025-06-01T10:00:00Z` is empty",
        ),
        (
            {"windows": [{"start": "2025-06-01T10:00:00", "end": "2025-06-01T11:00:00Z"}]},
            "volume `v`: windows[0].start:",
        ),
        (
            {"shape": {"type": "circle", "center": [25, 70], "radius_m": -1}},
            "volume `v`: shape.radius_m: `-1` is not between 0 and 500000 m",
        ),
        (
            {"shape": {"type": "blob"}},
            "volume `v`: shape.type: `blob` is not a shape; expected polygon, circle or corridor",
        ),
        ({"lower": {"ref": "QFE", "value": 1}}, "volume `v`: lower.ref: `QFE` is not a vertical reference"),
        (
            {"schedule": {"from": "2025-06-02", "to": "2025-06-01", "daily": "0800-1000"}, "windows": None},
            "volume `v`: schedule: the days",
        ),
    ],
)
def test_bad_volumes_are_refused_naming_the_volume_and_field(spec, message):
    good = {
        "shape": {"type": "circle", "center": [25, 70], "radius_m": 3000},
        "lower": {"ref": "SFC"},
        "upper": {"ref": "FL", "value": 95},
        "windows": [{"start": "2025-06-01T08:00:00Z", "end": "2025-06-01T10:00:00Z"}],
    }
    with pytest.raises(InputError) as err:
        parse_volume({**good, **spec}, "v")
    assert str(err.value).startswith(message)


def test_a_self_crossing_polygon_is_refused():
    bowtie = {"type": "polygon", "coordinates": [[25, 70], [25.1, 70.1], [25.1, 70], [25, 70.1]]}
    with pytest.raises(Exception, match="volume `v`: its polygon footprint is not a valid area"):
        parse_volume(
            {
                "shape": bowtie,
                "lower": {"ref": "SFC"},
                "upper": {"ref": "UNL"},
                "windows": [{"start": "2025-06-01T08:00:00Z", "end": "2025-06-01T10:00:00Z"}],
            },
            "v",
        )


# -- the property test -----------------------------------------------------------------------

CENTRE = (25.0, 70.0)
_AEQD = Transformer.from_crs(
    "EPSG:4326", f"+proj=aeqd +lat_0={CENTRE[1]} +lon_0={CENTRE[0]} +ellps=WGS84", always_xy=True
)


def _slow_shape(spec) -> shapely.Geometry:
    """The footprint the slow way: geodesic edges densified to 50 m with Geod.npts, circles as
    2,000 geodesic points, corridors left out (not generated); projected with pyproj directly to
    an azimuthal equidistant frame (not highnorth's equal-area one)."""
    if spec["type"] == "circle":
        lon, lat = spec["center"]
        az = np.linspace(0, 360, 2000, endpoint=False)
        plon, plat, _ = GEOD.fwd(
            np.full(az.shape, lon), np.full(az.shape, lat), az, np.full(az.shape, spec["radius_m"])
        )
        pts = list(zip(plon, plat, strict=True))
    else:
        ring = spec["coordinates"]
        pts = []
        for (x0, y0), (x1, y1) in itertools.pairwise(ring):
            n = max(0, int(GEOD.inv(x0, y0, x1, y1)[2] // 50))
            pts.append((x0, y0))
            pts.extend(GEOD.npts(x0, y0, x1, y1, n))
    x, y = _AEQD.transform([p[0] for p in pts], [p[1] for p in pts])
    return shapely.Polygon(list(zip(x, y, strict=True)))


def _slow_band(limit) -> float:
    ref, value = limit["ref"], limit.get("value", 0)
    return {"SFC": -math.inf, "UNL": math.inf}.get(ref, value * 30.48 if ref == "FL" else value)


def _slow_conflicts(specs) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """The pairs in conflict, and the pairs too close to touching in space to call (within 1 m)."""
    shapes = {k: _slow_shape(s["shape"]) for k, s in specs.items()}
    found, unsure = set(), set()
    names = sorted(specs)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            sa, sb = specs[a], specs[b]
            lo = max(_slow_band(sa["lower"]), _slow_band(sb["lower"]))
            hi = min(_slow_band(sa["upper"]), _slow_band(sb["upper"]))
            if not lo < hi:
                continue
            timed = any(
                max(wa["start"], wb["start"]) < min(wa["end"], wb["end"])
                for wa in sa["windows"]
                for wb in sb["windows"]
            )
            if not timed:
                continue
            if shapes[a].buffer(-1.0).intersects(shapes[b].buffer(-1.0)):
                found.add((a, b))
            elif shapes[a].buffer(1.0).intersects(shapes[b].buffer(1.0)):
                unsure.add((a, b))
    return found, unsure


def _iso(h: int) -> str:
    return (T0 + dt.timedelta(minutes=30 * h)).isoformat()


@st.composite
def volume_specs(draw):
    """Boxes and triangles on a 0.02° grid (so edges touch and coincide often) and circles on a
    1 km grid, bands on a 500 m grid and windows on a 30-minute grid, so that touching in every
    dimension is common."""
    specs = {}
    for k in range(draw(st.integers(2, 9))):
        if draw(st.booleans()):
            x0 = 24.8 + 0.02 * draw(st.integers(0, 15))
            y0 = 69.9 + 0.02 * draw(st.integers(0, 10))
            w, h = 0.02 * draw(st.integers(1, 8)), 0.02 * draw(st.integers(1, 6))
            ring = [[x0, y0], [x0 + w, y0], [x0 + w, y0 + h]]
            if draw(st.booleans()):
                ring.append([x0, y0 + h])
            shape = {"type": "polygon", "coordinates": [*ring, ring[0]]}
        else:
            lon, lat, _ = GEOD.fwd(CENTRE[0], CENTRE[1], 90.0, 1000.0 * draw(st.integers(-10, 10)))
            shape = {"type": "circle", "center": [lon, lat], "radius_m": 1000.0 * draw(st.integers(1, 6))}
        lo = draw(st.integers(0, 6))
        band = [{"ref": "AMSL", "value": 500.0 * lo}, {"ref": "AMSL", "value": 500.0 * draw(st.integers(lo + 1, 8))}]
        if draw(st.integers(0, 4)) == 0:
            band = [{"ref": "SFC"}, {"ref": "FL", "value": 10 * draw(st.integers(1, 20))}]
        windows = []
        for _ in range(draw(st.integers(1, 3))):
            s = draw(st.integers(0, 10))
            windows.append({"start": _iso(s), "end": _iso(s + draw(st.integers(1, 4)))})
        specs[f"v{k}"] = {"shape": shape, "lower": band[0], "upper": band[1], "windows": windows}
    return specs


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(volume_specs())
def test_conflicts_agree_with_a_slow_independent_computation(specs):
    for s in specs.values():  # overlapping windows of one volume are merged by neither side: keep them apart
        s["windows"] = [
            w
            for i, w in enumerate(s["windows"])
            if all(w["start"] >= o["end"] or w["end"] <= o["start"] for o in s["windows"][:i])
        ]
    volumes = [parse_volume(s, k) for k, s in specs.items()]
    fast = {(c.a, c.b): c for c in conflicts(volumes, FRAME)}
    slow, unsure = _slow_conflicts(specs)
    assert set(fast) - unsure == slow - unsure
    for pair in slow & set(fast):
        a, b = (_slow_shape(specs[p]["shape"]) for p in pair)
        assert fast[pair].area_km2 == pytest.approx(a.intersection(b).area / 1e6, rel=2e-3, abs=2e-4)
