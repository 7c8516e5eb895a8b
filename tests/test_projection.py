"""The frame and geodesy: the numbers docs/semantics.md promises, measured."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from highnorth.geo.zones.projection import GEOD, MAX_EDGE_M, Frame, densify_lonlat, geodesic_buffer, geodesic_circle


@pytest.mark.parametrize(("lon", "lat", "az"), [(20, 69, 45), (5, 60, 80), (31, 70, 10), (10, 58, 135), (-5, 55, 60)])
def test_a_ten_km_chord_in_the_frame_stays_within_a_metre_of_the_geodesic(lon, lat, az):
    frame = Frame(20.0, 68.0)
    lon2, lat2, _ = GEOD.fwd(lon, lat, az, MAX_EDGE_M)
    pts = np.array(GEOD.npts(lon, lat, lon2, lat2, 50))
    x, y = frame.fwd(pts[:, 0], pts[:, 1])
    (x1,), (y1,) = frame.fwd(np.array([lon]), np.array([lat]))
    (x2,), (y2,) = frame.fwd(np.array([lon2]), np.array([lat2]))
    off = np.abs((x2 - x1) * (y1 - y) - (x1 - x) * (y2 - y1)) / np.hypot(x2 - x1, y2 - y1)
    assert off.max() < 0.5


def test_densify_follows_the_geodesic_and_keeps_parameters():
    lon, lat, param = densify_lonlat(np.array([20.0, 30.0]), np.array([69.0, 70.0]))
    assert param[0] == 0 and param[-1] == 1 and np.all(np.diff(param) > 0)
    seg = np.hypot(*[np.diff(v) for v in (lon, lat)])
    assert len(lon) > 40 and seg.max() < 0.3
    # every inserted point is on the geodesic: the distances add up to the whole
    _, _, whole = GEOD.inv(20.0, 69.0, 30.0, 70.0)
    _, _, parts = GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    assert np.sum(parts) == pytest.approx(whole, abs=0.01)


def test_geodesic_buffer_grows_by_the_distance():
    point = shapely.Point(25.0, 70.0).buffer(1e-9)
    grown = geodesic_buffer(point, 10_000)
    ring = shapely.get_coordinates(grown.exterior)
    _, _, dist = GEOD.inv(np.full(len(ring), 25.0), np.full(len(ring), 70.0), ring[:, 0], ring[:, 1])
    assert dist.min() > 9_998.5 and dist.max() < 10_001  # 1 m, from arcs drawn in several tiles


def test_buffer_across_tiles_is_seamless():
    line = shapely.LineString([(20.5, 69.5), (27.5, 70.5)]).buffer(1e-6)
    grown = geodesic_buffer(line, 5_000)
    assert grown.geom_type == "Polygon" and grown.is_valid
    frame = Frame(24.0, 70.0)
    length_km = GEOD.line_length([20.5, 27.5], [69.5, 70.5]) / 1000
    assert frame.area_km2(grown) == pytest.approx(length_km * 10 + np.pi * 25, rel=0.01)


def test_circle_radius_and_area():
    circle = geodesic_circle(19.08, 69.775, 500.0)
    ring = shapely.get_coordinates(circle.exterior)
    _, _, dist = GEOD.inv(np.full(len(ring), 19.08), np.full(len(ring), 69.775), ring[:, 0], ring[:, 1])
    assert np.allclose(dist, 500.0, atol=0.01)
    assert Frame(19.0, 69.8).area_km2(circle) == pytest.approx(np.pi * 0.25, rel=1e-3)


def test_the_cheap_length_bound_is_an_upper_bound():
    from highnorth.geo.zones.projection import _chord_upper_bound_m

    rng = np.random.default_rng(0)
    lon = rng.uniform(-30, 60, 5000)
    lat = rng.uniform(-89, 89, 5000)
    az = rng.uniform(0, 360, 5000)
    dist = rng.uniform(1, 50_000, 5000)
    lon2, lat2, _ = GEOD.fwd(lon, lat, az, dist)
    bound = np.array(
        [
            _chord_upper_bound_m(np.array([a, c]), np.array([b, d]))[0]
            for a, b, c, d in zip(lon, lat, lon2, lat2, strict=True)
        ]
    )
    assert np.all(bound >= dist) and np.all(bound <= dist * 1.02)
