"""The benchmark's W2 layouts measure what they claim: in the `spread` layout the zones over a
flight (the output per segment) do not depend on the zone count, while in the `dense` layout they
grow with it (bench/README.md, docs/performance.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from workloads import SPREAD_FRAME, flights, spread_flights, spread_side_m, spread_zones, synthetic_zones

from highnorth.geo.index import ZoneIndex
from highnorth.geo.kernel import Segments
from highnorth.geo.projection import Frame
from highnorth.geo.track import Track

FRAME = Frame(*SPREAD_FRAME)


def _met_per_segment(zones, acts):
    index = ZoneIndex(zones, FRAME)
    segs = Segments.of([Track.of(a, FRAME) for a in acts], [None] * len(acts))
    met = index.tree.query(segs.geometries(np.arange(len(segs))), predicate="intersects")[0]
    return len(met) / len(segs), segs


@pytest.mark.parametrize("count", [300, 3_000])
def test_spread_flights_stay_in_their_square(count):
    acts = spread_flights(5_000, count, FRAME)
    x, y = FRAME.fwd(*np.concatenate([shapely.get_coordinates(a.geometry) for a in acts]).T)
    assert np.abs(np.concatenate([x, y])).max() <= spread_side_m(count) / 2 + 1.0


def test_spread_layout_keeps_the_output_per_segment():
    small, _ = _met_per_segment(spread_zones(300, FRAME), spread_flights(20_000, 300, FRAME))
    large, _ = _met_per_segment(spread_zones(3_000, FRAME), spread_flights(20_000, 3_000, FRAME))
    assert 0.5 < small < 2.0
    assert 0.85 < large / small < 1.15


def test_dense_layout_grows_the_output_per_segment():
    acts = flights(20_000, seed=11)
    small, _ = _met_per_segment(synthetic_zones(300), acts)
    large, _ = _met_per_segment(synthetic_zones(3_000), acts)
    assert large / small > 5
