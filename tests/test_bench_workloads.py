"""The benchmark's W2 layouts measure what they claim: in the `spread` layout the zones over a
leg (the output per segment) do not depend on the zone count, while in the `dense` layout they
grow with it; the dense layout is the one earlier figures in docs/performance.md were measured on
(bench/README.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from workloads import (
    KM2_PER_ZONE,
    MARGIN_M,
    SPREAD_FRAME,
    flights,
    spread_flights,
    spread_side_m,
    spread_zones,
    synthetic_zones,
)

from highnorth.geo.exposures.index import ZoneIndex
from highnorth.geo.exposures.track import Track
from highnorth.geo.kernels import FastKernel, Segments
from highnorth.geo.zones.projection import GEOD, Frame

FRAME = Frame(*SPREAD_FRAME)


def _met(zones, segs):
    """(segment, zone) pairs where the segment meets the zone's area."""
    index = ZoneIndex(zones, FRAME)
    return len(index.tree.query(segs.geometries(np.arange(len(segs))), predicate="intersects")[0])


def _segments(acts):
    return Segments.of([Track.of(a, FRAME) for a in acts], [None] * len(acts))


@pytest.mark.parametrize("count", [10, 300, 5_000])
def test_spread_legs_keep_their_margin_inside_the_square(count):
    acts = spread_flights(3_000, count, FRAME)
    xyz = np.concatenate([shapely.get_coordinates(a.geometry, include_z=True) for a in acts])
    x, y = FRAME.fwd(xyz[:, 0], xyz[:, 1])
    assert np.abs(np.concatenate([x, y])).max() <= spread_side_m(count) / 2 - MARGIN_M + 1.0
    assert xyz[:, 2].min() >= 0.0


def test_too_few_zones_for_the_legs_are_refused():
    with pytest.raises(ValueError, match="5 zones"):
        spread_flights(100, 5, FRAME)


def test_the_spread_density_is_that_of_a_thousand_dense_zones():
    region = shapely.segmentize(shapely.box(12, 66, 32, 71.5), 0.05)
    area_km2 = abs(GEOD.geometry_area_perimeter(region)[0]) / 1e6
    assert pytest.approx(area_km2 / 1_000, rel=0.001) == KM2_PER_ZONE


def test_spread_layout_keeps_the_output_per_segment():
    # ten worlds of 10 zones (as the bench pools them) against one of 1,000: the same zones met
    # per segment, within what ten small worlds leave to chance
    few = _segments(spread_flights(5_000, 10, FRAME))
    met_few = sum(_met(spread_zones(10, FRAME, seed=7 + k), few) for k in range(10)) / (10 * len(few))
    many = _segments(spread_flights(5_000, 1_000, FRAME))
    met_many = _met(spread_zones(1_000, FRAME), many) / len(many)
    assert 0.8 < met_many < 1.25  # about one zone per segment: the density is what it says
    assert 0.75 < met_few / met_many < 1.33


def test_dense_layout_grows_the_output_per_segment():
    segs = _segments(flights(20_000, seed=11))
    small, large = _met(synthetic_zones(300), segs), _met(synthetic_zones(3_000), segs)
    assert large / small > 5


def test_the_dense_layout_is_the_one_of_the_earlier_figures():
    # docs/performance.md compares W2 figures across versions: 527 intervals at 100 dense zones
    segs = _segments(flights(100_000, seed=11))
    index = ZoneIndex(synthetic_zones(100), FRAME)
    assert len(FastKernel(index).intervals(segs).ga) == 527


def test_spread_legs_cover_their_room():
    # the midpoints use the room they are given (a layout that drew every leg through the centre
    # would measure one spot of the grid)
    acts = spread_flights(20_000, 1_000, FRAME)
    mid = np.array([shapely.get_coordinates(a.geometry)[[0, -1]].mean(axis=0) for a in acts])
    x, y = FRAME.fwd(mid[:, 0], mid[:, 1])
    room = spread_side_m(1_000) / 2 - MARGIN_M - 15_000
    assert np.abs(x).max() > 0.9 * room and np.abs(y).max() > 0.9 * room
    assert np.std(x) > 0.45 * room  # uniform over [-room, room]: std = room / sqrt(3) = 0.58 room


def test_same_legs_control_keeps_the_legs_and_the_cells():
    import run  # bench/run.py

    small, large = run.same_legs(FRAME, 100, 1_000, 0.0, segments=2_000)
    assert small.segs is large.segs
    assert small.grid.cell == large.grid.cell
    assert len(small.index.zones) == 100 and len(large.index.zones) == 1_000
    # the large square holds the small one at the same density: about as many zones met
    work = [w.work() / len(w.segs) for w in (small, large)]
    assert 0.7 < work[1][3] / work[0][3] < 1.4
