"""A screener shared by threads (as in the server) gives the same decisions as one used alone,
and does not crash: GEOS prepared geometries are not thread-safe, so the screener serialises."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from highnorth.formats.activity_geojson import load_activities

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "nordic-response" / "activities.geojson"


def test_threads_share_a_screener(screener):
    activities = load_activities(EXAMPLE).activities
    alone = [screener.decide(a) for a in activities]
    with ThreadPoolExecutor(8) as pool:
        rounds = list(pool.map(lambda _: screener.screen(activities), range(24)))
    assert all(r == alone for r in rounds)


def test_a_warm_screener_takes_the_fast_path_with_the_same_decisions(default_policy, screener):
    from highnorth.engine import Screener

    activities = load_activities(EXAMPLE).activities
    warm = Screener(default_policy).warm(fast_path_vertices=1)  # every call on the fast path
    assert [warm.screen([a]) for a in activities] == [screener.screen([a]) for a in activities]
    assert warm.screen(activities) == screener.screen(activities)
