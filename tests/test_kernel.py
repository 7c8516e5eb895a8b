"""The fast kernel (grid fast path) against the simple reference kernel, and batching."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from highnorth.geo.exposures.index import ZoneIndex
from highnorth.geo.exposures.stage import exposures, exposures_many
from highnorth.geo.exposures.track import Track
from highnorth.geo.kernels import FastKernel, ReferenceKernel, Segments
from highnorth.geo.kernels.grid import ZoneGrid
from highnorth.geo.tolerance import TOL_M
from highnorth.geo.zones.projection import Frame
from highnorth.model import Activity, Actor, VerticalLimit, Zone

T0 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
FRAME = Frame(1.5, 0.0)
grid_coord = st.integers(-2, 14).map(lambda v: v / 4)  # a quarter-degree lattice: edges and vertices shared
free_coord = st.floats(-0.5, 3.5, allow_nan=False).map(lambda v: round(v, 3))


@st.composite
def zone_sets(draw):
    zones = []
    for i in range(draw(st.integers(1, 4))):
        x0, y0 = draw(grid_coord), draw(grid_coord)
        w, h = draw(st.integers(1, 8)) / 4, draw(st.integers(1, 8)) / 4
        box = shapely.box(x0, y0, x0 + w, y0 + h)
        shape = draw(st.sampled_from(["box", "concave", "holed", "multi"]))
        if shape == "concave":
            box = box.difference(shapely.box(x0 + w / 3, y0 + h / 3, x0 + w, y0 + 2 * h / 3))
        elif shape == "holed":
            box = box.difference(shapely.box(x0 + w / 4, y0 + h / 4, x0 + 3 * w / 4, y0 + 3 * h / 4))
        elif shape == "multi":
            box = shapely.MultiPolygon([box, shapely.box(x0 + w + 0.25, y0, x0 + w + 0.5, y0 + h)])
        lower, upper = sorted(
            draw(st.lists(st.sampled_from([-1.0, 0.0, 500.0, 1000.0, 3000.0]), min_size=2, max_size=2))
        )
        limits = (
            {}
            if draw(st.booleans())
            else {"lower": VerticalLimit(lower, "AMSL"), "upper": VerticalLimit(upper + 1, "AMSL")}
        )
        zones.append(Zone(f"z{i}", box, **limits))
    return zones


@st.composite
def tracks(draw):
    coord = draw(st.sampled_from([grid_coord, free_coord]))  # on the lattice: along edges, through vertices
    pts = draw(
        st.lists(st.tuples(coord, coord, st.sampled_from([0.0, 400.0, 1000.0, 2500.0])), min_size=2, max_size=12)
    )
    three_d = draw(st.booleans())
    coords = pts if three_d else [(x, y) for x, y, _ in pts]
    return Activity("t", "flight", Actor("USA"), T0, T0 + dt.timedelta(hours=1), shapely.LineString(coords))


def random_flights(seed, count, n, origin, drift, spread, altitude=None):
    """`count` random-walk flights of `n` vertices from `origin` (lon, lat), each step drawn
    around `drift` with `spread`; with `altitude` (start, step spread) they get a third coordinate."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(count):
        lon = origin[0] + np.cumsum(rng.normal(drift[0], spread[0], n))
        lat = origin[1] + np.cumsum(rng.normal(drift[1], spread[1], n))
        cols = [lon, lat]
        if altitude is not None:
            cols.append(np.clip(altitude[0] + np.cumsum(rng.normal(0, altitude[1], n)), 0, 12000))
        geom = shapely.LineString(np.column_stack(cols))
        out.append(Activity(f"a{k}", "flight", Actor("USA"), T0, T0 + dt.timedelta(hours=3), geom))
    return out


def _canon(found):
    order = np.lexsort((found.ga, found.zone, found.track))
    return found.track[order], found.zone[order], found.ga[order], found.gb[order]


@settings(max_examples=80, deadline=None)
@given(
    zones=zone_sets(),
    acts=st.lists(tracks(), min_size=1, max_size=4),
    cell=st.sampled_from([5_000.0, 20_000.0, 60_000.0]),
)
def test_fast_kernel_equals_the_reference(zones, acts, cell):
    index = ZoneIndex(zones, FRAME)
    grid = ZoneGrid(index.geoms, index.edges, index.edge_zone, TOL_M, cell=cell)
    segs = Segments.of([Track.of(a, FRAME) for a in acts], [a.altitude for a in acts])
    ref, fast = _canon(ReferenceKernel(index).intervals(segs)), _canon(FastKernel(index, grid).intervals(segs))
    assert np.array_equal(ref[0], fast[0]) and np.array_equal(ref[1], fast[1])
    # parameters agree to far better than a metre (segments are at most 10 km long)
    assert np.allclose(ref[2], fast[2], atol=1e-6) and np.allclose(ref[3], fast[3], atol=1e-6)


def test_batches_give_the_same_exposures_as_one_by_one():
    zones = [
        Zone("box", shapely.box(1, -1, 2, 1)),
        Zone("high", shapely.box(0.5, -0.5, 3, 0.5), lower=VerticalLimit(1000, "AMSL")),
    ]
    index = ZoneIndex(zones, FRAME)
    acts = random_flights(3, 30, 200, (0.2, 0.0), (0.01, 0.0), (0.01, 0.01), altitude=(0, 200))
    acts += random_flights(4, 5, 10, (0.0, -0.5), (0.3, 0.05), (0.1, 0.1), altitude=(500, 300))  # long edges
    acts.append(Activity("port", "port_call", Actor("USA"), T0, T0 + dt.timedelta(hours=1), shapely.Point(1.5, 0)))
    one_by_one = [exposures(a, index) for a in acts]
    assert exposures_many(acts, index, chunk_segments=1_000) == one_by_one  # many chunks
    assert sum(len(e) for e in one_by_one) > 30


def test_screen_with_workers_gives_the_same_decisions(default_policy):
    from highnorth.engine import FAST_PATH_VERTICES, Screener

    screener = Screener(default_policy, fast_path_vertices=FAST_PATH_VERTICES)
    acts = random_flights(5, 12, FAST_PATH_VERTICES // 6, (18.0, 69.5), (0.005, 0.0), (0.005, 0.002))
    serial = [screener.decide(a) for a in acts]
    assert screener.screen(acts) == serial  # the fast path
    assert screener.screen(acts, workers=2) == serial


def test_screen_in_small_chunks_and_many_parts_gives_the_same_decisions(default_policy, monkeypatch):
    import highnorth.engine as engine
    import highnorth.geo.exposures.stage as stage

    screener = engine.Screener(default_policy, fast_path_vertices=engine.FAST_PATH_VERTICES)
    acts = random_flights(6, 9, engine.FAST_PATH_VERTICES // 4, (18.0, 69.5), (0.005, 0.0), (0.005, 0.002))
    acts.insert(
        4, Activity("port", "port_call", Actor("USA"), T0, T0 + dt.timedelta(hours=1), shapely.Point(18.9, 69.7))
    )
    serial = [screener.decide(a) for a in acts]
    monkeypatch.setattr(engine, "CHUNK_SEGMENTS", 3_000)  # decided chunk by chunk
    chunks = stage.exposed_chunks(acts, screener.index, screener.kernel, screener.cuts, chunk_segments=3_000)
    assert len(list(chunks)) > 3
    assert screener.screen(acts) == serial
    monkeypatch.setattr(engine, "PARTS_PER_WORKER", 3)  # more parts than workers, unequal in size
    assert screener.screen(acts, workers=3) == serial


@pytest.mark.parametrize("cell", [3_000.0, 50_000.0])
def test_the_default_zones_with_both_kernels(screener, cell):
    acts = random_flights(11, 20, 300, (15.0, 68.0), (0.03, 0.01), (0.03, 0.01), altitude=(3000, 100))
    index = screener.index
    grid = ZoneGrid(index.geoms, index.edges, index.edge_zone, TOL_M, cell=cell)
    segs = Segments.of([Track.of(a, index.frame) for a in acts], [None] * len(acts))
    ref, fast = _canon(ReferenceKernel(index).intervals(segs)), _canon(FastKernel(index, grid).intervals(segs))
    assert len(ref[0]) > 50
    assert all(np.array_equal(r, f) for r, f in zip(ref[:2], fast[:2], strict=True))
    assert np.allclose(ref[2], fast[2], atol=1e-6) and np.allclose(ref[3], fast[3], atol=1e-6)


def test_tracks_built_together_equal_tracks_built_alone():
    # steps of about 0.3 degrees: many edges longer than 10 km, so they are densified
    acts = random_flights(7, 5, 50, (15.0, 68.0), (0.3, 0.05), (0.2, 0.1), altitude=(2000, 100))
    acts += random_flights(8, 3, 20, (20.0, 69.0), (0.01, 0.0), (0.005, 0.005))
    together = Track.many(acts, FRAME)
    for a, t in zip(acts, together, strict=True):
        alone = Track.of(a, FRAME)
        for name in ("x", "y", "seconds", "param"):
            assert np.array_equal(getattr(t, name), getattr(alone, name)), name
        assert (t.z is None) == (alone.z is None) and (t.z is None or np.array_equal(t.z, alone.z))


def test_polygons_projected_together_equal_one_by_one():
    holed = shapely.box(10, 60, 12, 61).difference(shapely.box(10.5, 60.2, 11, 60.5))
    multi = shapely.MultiPolygon([shapely.box(20, 68, 20.5, 69), shapely.box(21, 68, 21.3, 68.4)])
    geoms = [shapely.box(25, 69, 25.4, 69.2), holed, multi, shapely.box(5, 58, 9, 59)]  # long edges too
    frame = Frame(20.0, 68.0)
    for together, geom in zip(frame.polygons_to_frame(geoms), geoms, strict=True):
        alone = frame.to_frame(geom)
        assert together.geom_type == alone.geom_type
        assert np.array_equal(shapely.get_coordinates(together), shapely.get_coordinates(alone))


def test_runs_through_cell_borders_and_vertical_limits():
    # short segments deep inside big zones with vertical limits, on a small grid: runs of covered
    # segments continue over segments that cross a cell border (same cover set on both sides) and
    # are cut where the track climbs or descends through a limit
    zones = [
        Zone("low", shapely.box(0.0, -1.0, 3.0, 1.0), upper=VerticalLimit(2000, "AMSL")),
        Zone("high", shapely.box(0.5, -0.8, 2.5, 0.8), lower=VerticalLimit(1500, "AMSL")),
        Zone("all", shapely.box(-0.5, -1.5, 3.5, 1.5)),
        Zone("ring", shapely.box(1.0, -0.5, 2.0, 0.5).difference(shapely.box(1.3, -0.2, 1.7, 0.2))),
    ]
    index = ZoneIndex(zones, FRAME)
    acts = random_flights(21, 12, 400, (0.2, -0.3), (0.006, 0.0015), (0.004, 0.004), altitude=(1000, 80))
    acts += random_flights(22, 4, 400, (0.2, 0.3), (0.006, -0.0015), (0.004, 0.004))  # 2D
    for cell in (2_000.0, 4_000.0, 9_000.0):
        grid = ZoneGrid(index.geoms, index.edges, index.edge_zone, TOL_M, cell=cell)
        segs = Segments.of([Track.of(a, FRAME) for a in acts], [a.altitude for a in acts])
        i0, j0, _ = grid.cells(segs.p[:, 0], segs.p[:, 1])
        i1, j1, _ = grid.cells(segs.q[:, 0], segs.q[:, 1])
        crossing = (i0 != i1) | (j0 != j1)
        assert (crossing & (grid.cover_id[j0 * grid.nx + i0] == grid.cover_id[j1 * grid.nx + i1])).sum() > 100
        ref, fast = _canon(ReferenceKernel(index).intervals(segs)), _canon(FastKernel(index, grid).intervals(segs))
        assert len(ref[0]) > 40
        assert np.array_equal(ref[0], fast[0]) and np.array_equal(ref[1], fast[1])
        assert np.allclose(ref[2], fast[2], atol=1e-6) and np.allclose(ref[3], fast[3], atol=1e-6)
