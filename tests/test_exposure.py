"""The geometry stage: exact entry and exit on tiny fixtures whose answers are known."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from highnorth.geo.exposures.stage import ZoneIndex, exposures
from highnorth.geo.zones.projection import GEOD, Frame
from highnorth.model import Activity, Actor, Interval, VerticalLimit, Zone

UTC = dt.UTC
T0 = dt.datetime(2025, 1, 1, tzinfo=UTC)


def index(*zones: Zone, frame: Frame = Frame(1.5, 0.0)) -> ZoneIndex:
    return ZoneIndex(list(zones), frame)


def track(coords, seconds: float = 4000.0, times=None, **kw) -> Activity:
    return Activity(
        id="t",
        kind=kw.pop("kind", "flight"),
        actor=Actor("USA"),
        start=T0,
        end=T0 + dt.timedelta(seconds=seconds),
        geometry=shapely.LineString(coords),
        times=tuple(T0 + dt.timedelta(seconds=s) for s in times) if times else None,
        **kw,
    )


BOX = Zone("box", shapely.box(1, -1, 2, 1))


def test_equator_track_enters_and_leaves_at_the_meridians():
    # along the equator (a geodesic) at constant speed: lon 1 is a quarter of the way, lon 2 half
    (e,) = exposures(track([(0, 0), (4, 0)]), index(BOX))
    assert e.enter == T0 + dt.timedelta(seconds=1000)
    assert e.exit == T0 + dt.timedelta(seconds=2000)
    assert e.where == pytest.approx((1.0, 0.0), abs=1e-6)
    assert e.exit_where == pytest.approx((2.0, 0.0), abs=1e-6)


def test_segment_with_both_ends_outside_is_caught():
    (e,) = exposures(track([(0, 0.5), (3, 0.5)], seconds=300), index(BOX))
    assert 90 < (e.enter - T0).total_seconds() < 110
    assert 190 < (e.exit - T0).total_seconds() < 210


def test_per_vertex_times_drive_the_clock():
    # the first segment takes 100 s, the second 900 s: lon 1 is reached at 100 s, lon 2 at 550 s
    (e,) = exposures(track([(0, 0), (1, 0), (3, 0)], times=[0, 100, 1000], seconds=1000), index(BOX))
    assert (e.enter - T0).total_seconds() == pytest.approx(100, abs=0.01)
    assert (e.exit - T0).total_seconds() == pytest.approx(550, abs=0.01)


def test_vertical_limits_cut_a_climbing_track_exactly():
    high = Zone("high", shapely.box(1, -1, 2, 1), lower=VerticalLimit(1000, "AMSL"), upper=VerticalLimit(1500, "AMSL"))
    # climbs linearly 0 -> 4000 m from lon 0 to lon 4: 1000 m at lon 1 (1000 s), 1500 m at lon 1.5 (1500 s)
    (e,) = exposures(track([(0, 0, 0), (4, 0, 4000)]), index(high))
    assert (e.enter - T0).total_seconds() == pytest.approx(1000, abs=0.01)
    assert (e.exit - T0).total_seconds() == pytest.approx(1500, abs=0.01)
    assert (e.lower, e.upper) == pytest.approx((1000, 1500), abs=0.01)


def test_track_below_a_zone_is_not_exposed():
    high = Zone("high", shapely.box(1, -1, 2, 1), lower=VerticalLimit(95, "FL"), upper=VerticalLimit(0, "UNL"))
    assert exposures(track([(0, 0, 500), (4, 0, 500)]), index(high)) == []


def test_two_dimensional_track_takes_its_altitude_band():
    high = Zone("high", shapely.box(1, -1, 2, 1), lower=VerticalLimit(1000, "AMSL"), upper=VerticalLimit(2000, "AMSL"))
    low = track([(0, 0), (4, 0)], altitude=(0.0, 900.0))
    up = track([(0, 0), (4, 0)], altitude=(0.0, 1200.0))
    assert exposures(low, index(high)) == []
    assert [e.zone for e in exposures(up, index(high))] == ["high"]


def test_re_entry_gives_two_exposures():
    coords = [(0, 0), (1.5, 0), (1.5, 2), (1.7, 2), (1.7, 0), (3, 0)]
    found = exposures(track(coords), index(BOX))
    assert len(found) == 2
    assert found[0].exit < found[1].enter


def test_touching_a_corner_is_not_an_exposure_but_running_along_an_edge_is():
    corner = track([(1, 1), (1, 2)], seconds=100)  # starts on the corner (1, 1), heads north
    assert exposures(corner, index(BOX)) == []
    along = track([(1, -1), (1, 1)], seconds=100)  # runs along the western edge
    (e,) = exposures(along, index(BOX))
    assert (e.exit - e.enter).total_seconds() == pytest.approx(100, abs=0.01)


def test_hovering_in_place_is_exposed_for_its_duration():
    hover = track([(1.5, 0), (1.5, 0)], seconds=600)
    (e,) = exposures(hover, index(BOX))
    assert (e.exit - e.enter).total_seconds() == pytest.approx(600, abs=0.01)


def test_zone_validity_clips_exposure_times():
    temporary = Zone(
        "tmp",
        shapely.box(1, -1, 2, 1),
        validity=Interval(T0 + dt.timedelta(seconds=1500), T0 + dt.timedelta(seconds=9000)),
    )
    (e,) = exposures(track([(0, 0), (4, 0)]), index(temporary))
    assert e.enter == T0 + dt.timedelta(seconds=1500)
    assert e.exit == T0 + dt.timedelta(seconds=2000)


def test_points_and_areas():
    port = Activity("p", "port_call", Actor("USA"), T0, T0 + dt.timedelta(hours=5), shapely.Point(1.5, 0.5))
    on_edge = Activity("q", "port_call", Actor("USA"), T0, T0 + dt.timedelta(hours=5), shapely.Point(1.0, 0.5))
    area = Activity("a", "land_exercise", Actor("USA"), T0, T0 + dt.timedelta(days=2), shapely.box(1.5, 0.5, 2.5, 1.5))
    beside = Activity("b", "land_exercise", Actor("USA"), T0, T0 + dt.timedelta(days=2), shapely.box(2, 0, 3, 1))
    idx = index(BOX)
    assert [e.zone for e in exposures(port, idx)] == ["box"]
    assert [e.zone for e in exposures(on_edge, idx)] == ["box"]  # zones are closed
    (e,) = exposures(area, idx)
    assert str(e.part).startswith("area 25") and (e.enter, e.exit) == (T0, T0 + dt.timedelta(days=2))
    assert exposures(beside, idx) == []  # sharing an edge is no overlap


def test_crossing_a_meridian_far_from_the_frame_centre_is_geodesic_to_a_metre():
    # a long north-easterly segment near Kirkenes crossing 30°E; the true crossing point on the
    # geodesic is found by bisection on pyproj's geodesic, then compared with the kernel's
    lon1, lat1, lon2, lat2 = 28.0, 69.0, 32.0, 70.5
    east = Zone("east", shapely.box(30.0, 60.0, 40.0, 80.0))
    (e,) = exposures(track([(lon1, lat1), (lon2, lat2)], seconds=1000), index(east, frame=Frame(20.0, 68.0)))
    az, _, dist = GEOD.inv(lon1, lat1, lon2, lat2)
    lo, hi = 0.0, dist
    for _ in range(60):
        mid = (lo + hi) / 2
        lon, _, _ = GEOD.fwd(lon1, lat1, az, mid)
        lo, hi = (mid, hi) if lon < 30.0 else (lo, mid)
    lon, lat, _ = GEOD.fwd(lon1, lat1, az, lo)
    _, _, miss = GEOD.inv(lon, lat, *e.where)
    assert miss < 1.0, f"entry point off the geodesic crossing by {miss:.2f} m"
    assert abs((e.enter - T0).total_seconds() - 1000 * lo / dist) < 1.0


# property: the exact kernel agrees with dense sampling ------------------------------------------

coord = st.floats(min_value=-0.5, max_value=3.5, allow_nan=False).map(lambda v: round(v, 3))


@st.composite
def polygons(draw):
    """Concave shapes, holes and multipolygons on a small grid."""
    kind = draw(st.sampled_from(["box", "concave", "holed", "multi"]))
    x0, y0 = draw(coord), draw(coord)
    w, h = draw(st.floats(0.3, 2.0)), draw(st.floats(0.3, 2.0))
    box = shapely.box(x0, y0, x0 + w, y0 + h)
    if kind == "box":
        return box
    if kind == "concave":
        return box.difference(shapely.box(x0 + w / 3, y0 + h / 3, x0 + w, y0 + 2 * h / 3))
    if kind == "holed":
        return box.difference(shapely.box(x0 + w / 4, y0 + h / 4, x0 + 3 * w / 4, y0 + 3 * h / 4))
    return shapely.MultiPolygon([box, shapely.box(x0 + w + 0.2, y0, x0 + w + 0.6, y0 + h)])


@settings(max_examples=60, deadline=None)
@given(poly=polygons(), pts=st.lists(st.tuples(coord, coord), min_size=2, max_size=6))
def test_exact_exposure_agrees_with_dense_sampling(poly, pts):
    zone = Zone("z", poly)
    act = track(pts, seconds=1000)
    found = exposures(act, index(zone))
    # sample the track densely by time, independently: positions along each geodesic by pyproj,
    # at constant speed within each segment
    from highnorth.geo.exposures.track import track_times

    lon0, lat0 = np.array([p[0] for p in pts]), np.array([p[1] for p in pts])
    secs = track_times(act, lon0, lat0)
    if secs[-1] <= 0:
        return
    ts = np.linspace(0, secs[-1], 4001)
    seg = np.clip(np.searchsorted(secs, ts, side="right") - 1, 0, len(pts) - 2)
    span = secs[seg + 1] - secs[seg]
    frac = np.where(span > 0, (ts - secs[seg]) / np.where(span > 0, span, 1), 0.0)
    az, _, dist = GEOD.inv(lon0[seg], lat0[seg], lon0[seg + 1], lat0[seg + 1])
    lon, lat, _ = GEOD.fwd(lon0[seg], lat0[seg], az, dist * frac)
    # distance of each sample from the zone boundary (degrees); skip samples near the boundary
    near = shapely.distance(shapely.points(lon, lat), poly.boundary) < 2e-3
    inside = shapely.contains_xy(poly, lon, lat)
    covered = np.zeros_like(ts, dtype=bool)
    for e in found:
        a, b = (e.enter - T0).total_seconds(), (e.exit - T0).total_seconds()
        covered |= (ts >= a) & (ts <= b)
        near |= (np.abs(ts - a) <= 1.0) | (np.abs(ts - b) <= 1.0)  # within the 1 s tolerance
    disagree = (inside != covered) & ~near
    assert not disagree.any(), f"{disagree.sum()} samples disagree, e.g. t={ts[disagree][:3]}"


def test_a_segment_grazing_a_corner_within_the_tolerance_is_not_exposed():
    # passes 0.5 m outside the corner (2, 1) of BOX at its midpoint: a touch, not a stay
    frame = Frame(1.5, 0.0)
    (cx,), (cy,) = frame.fwd(np.array([2.0]), np.array([1.0]))
    lon, lat = frame.inv(
        np.array([cx - 4000, cx + 4000]), np.array([cy + 4000.0 + 0.5 * 2**0.5, cy - 4000 + 0.5 * 2**0.5])
    )
    graze = track(list(zip(lon, lat, strict=True)), seconds=3600)
    assert exposures(graze, index(BOX)) == []


def test_hovering_just_outside_the_edge_is_on_the_boundary():
    frame = Frame(1.5, 0.0)
    (ex,), (ey,) = frame.fwd(np.array([2.0]), np.array([0.0]))
    lon, lat = frame.inv(np.array([ex + 0.5]), np.array([ey]))
    hover = track([(lon[0], lat[0]), (lon[0], lat[0])], seconds=600)
    (e,) = exposures(hover, index(BOX))
    assert (e.exit - e.enter).total_seconds() == pytest.approx(600, abs=0.01)


def test_an_area_sharing_an_edge_and_overlapping_a_little_is_exposed():
    # shares the eastern edge lon 2 for 2 degrees and overlaps by a 0.01° x 0.02° notch
    area = shapely.Polygon(
        [(2, -1), (3, -1), (3, 1), (2, 1), (2, 0.01), (1.99, 0.01), (1.99, -0.01), (2, -0.01), (2, -1)]
    )
    act = Activity("a", "land_exercise", Actor("USA"), T0, T0 + dt.timedelta(days=1), area)
    (e,) = exposures(act, index(BOX))
    assert e.zone == "box" and 1.98 < e.where[0] < 2.0


def test_cut_pieces_get_their_own_entry_points():
    # equator track at constant speed, cut at 1500 s: the second piece starts at lon 1.5
    cut = T0 + dt.timedelta(seconds=1500)
    first, second = exposures(track([(0, 0), (4, 0)]), index(BOX), cuts=[cut])
    assert (first.exit, second.enter) == (cut, cut)
    assert second.where == pytest.approx((1.5, 0.0), abs=1e-6)
    assert first.exit_where == pytest.approx((1.5, 0.0), abs=1e-6)
    assert first.where == pytest.approx((1.0, 0.0), abs=1e-6)
