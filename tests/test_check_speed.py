"""The fast paths `highnorth check` takes keep every check: many per-vertex times read at once
give what reading them one by one gives, or hand back to it (which names the wrong one)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from highnorth.formats.activity_geojson import read_activities
from highnorth.model.time import parse_time, parse_times

_PIECES = st.sampled_from(
    ["T", " ", "t", "Z", "z", "+02:00", "-00:30", "+2:00", ".5", ".123456", ".1234567", ":60", ""]
)
times = st.one_of(
    st.datetimes(min_value=dt.datetime(1890, 1, 1), max_value=dt.datetime(9100, 1, 1), timezones=st.just(dt.UTC)).map(  # noqa: DTZ001 (hypothesis bounds are naive)
        lambda t: t.isoformat().replace("+00:00", "Z")
    ),
    st.builds(
        lambda y, mo, d, h, mi, s, sep, frac, off: f"{y:04d}-{mo:02d}-{d:02d}{sep}{h:02d}:{mi:02d}:{s:02d}{frac}{off}",
        st.integers(1899, 9001),
        st.integers(0, 13),
        st.integers(0, 32),
        st.integers(0, 25),
        st.integers(0, 61),
        st.integers(0, 61),
        _PIECES,
        _PIECES,
        _PIECES,
    ),
    st.text(max_size=30),
)


def _one_by_one(values):
    try:
        return [parse_time(v, allow_date=False) for v in values]
    except ValueError:
        return None


@given(st.lists(times, max_size=6))
def test_parse_times_is_parse_time_or_hands_back(values):
    fast = parse_times(values)
    slow = _one_by_one(values)
    if fast is not None:
        assert fast == slow
        assert [t.tzinfo for t in fast] == [t.tzinfo for t in slow]  # UTC, as parse_time gives


def _track(times_):
    coords = [[25.0 + i * 0.01, 70.0] for i in range(len(times_))]
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": "a",
                "geometry": {"type": "LineString", "coordinates": coords},
                "properties": {
                    "kind": "flight",
                    "actor": {"nation": "USA"},
                    "start": "2025-05-22T00:00:00Z",
                    "end": "2025-05-23T00:00:00Z",
                    "times": times_,
                },
            }
        ],
    }


def test_times_errors_name_the_vertex_as_before():
    from highnorth.model.errors import ActivityInputError

    cases = {
        ("2025-05-22T08:00:00Z", "2025-05-22T08:00:00Z"): "properties.times[1]: `2025-05-22T08:00:00Z` is the same as",
        (
            "2025-05-22T08:00:00Z",
            "2025-05-22T09:00:00Z",
            "2025-05-22T08:30:00Z",
        ): "properties.times[2]: `2025-05-22T08:30:00Z` is before",
        ("2025-05-22T08:00:00Z", "2025-02-30T08:00:00Z"): "properties.times[1]: ",
        (
            "2025-05-22T08:00:00Z",
            "2025-05-22T09:00:00",
        ): "properties.times[1]: expected an RFC 3339 time with an offset",
        ("2025-05-22T08:00:00Z", True): "properties.times[1]: expected an RFC 3339 time string",
    }
    for values, message in cases.items():
        try:
            read_activities(_track(list(values)))
        except ActivityInputError as exc:
            assert message in str(exc), (values, str(exc))
        else:
            raise AssertionError(f"{values} was accepted")
    # 1 µs apart is increasing (the float candidates are checked exactly)
    ok = read_activities(_track(["2025-05-22T08:00:00Z", "2025-05-22T08:00:00.000001Z"])).activities[0]
    assert ok.times[1] - ok.times[0] == dt.timedelta(microseconds=1)


def test_a_boolean_among_coordinates_is_still_rejected():
    from highnorth.model.errors import ActivityInputError

    doc = _track(["2025-05-22T08:00:00Z", "2025-05-22T08:01:00Z"])
    doc["features"][0]["geometry"]["coordinates"][1][1] = True
    try:
        read_activities(doc)
    except ActivityInputError as exc:
        assert "coordinates" in str(exc) or "geometry" in str(exc)
    else:
        raise AssertionError("a boolean coordinate was accepted")


def test_the_fast_path_is_taken_when_it_pays(default_policy):
    from highnorth.engine import PathCosts, Screener

    screener = Screener(default_policy)
    assert not screener.kernel.grid_built
    assert not screener.fast_path(20_780)  # building the grid would cost more than it saves
    assert screener.fast_path(2_000_000)
    screener.costs = PathCosts(simple=2e-6, fast=1e-6, grid=0.5)
    assert not screener.fast_path(400_000) and screener.fast_path(600_000)
    _ = screener.kernel.grid
    assert screener.fast_path(3_000)  # once built, it pays for any batch
    assert Screener(default_policy, fast_path_vertices=10).fast_path(10)  # a fixed threshold when asked for
    costs = PathCosts()
    costs.observe(True, 10_000, 0.1)  # 10 µs per vertex measured: the average moves towards it
    assert costs.fast == pytest.approx(0.7 * 0.6e-6 + 0.3 * 10e-6)
    costs.observe(True, 10, 100.0)  # too small a sample to learn from
    assert costs.fast == pytest.approx(0.7 * 0.6e-6 + 0.3 * 10e-6)
    costs = PathCosts(grid=0.5)
    assert not costs.fast_pays(20_000, grid_built=False)
    costs.observe(False, 20_000, 0.3)
    costs.observe(False, 20_000, 0.3)  # 0.6 s spent on the simple kernel: more than the grid costs
    assert costs.fast_pays(20_000, grid_built=False)


def test_slow_first_run_work_is_announced(monkeypatch):
    import io
    import time

    from rich.console import Console

    from highnorth.cli import common

    buf = io.StringIO()
    monkeypatch.setattr(common, "err_console", lambda: Console(file=buf, force_terminal=True))
    with common.announce_after(0.05, "deriving the zones"):
        time.sleep(0.5)
    with common.announce_after(30, "never said"):
        pass
    assert "deriving the zones" in buf.getvalue() and "never said" not in buf.getvalue()


def test_the_cli_starts_without_loading_the_replay_stack():
    """`highnorth check` on a small file should not pay for Dask, pyarrow or matplotlib."""
    import subprocess
    import sys
    from pathlib import Path

    src = Path(__file__).resolve().parents[1] / "src"
    code = "import sys, highnorth.cli.app; print(sorted(m for m in ('dask', 'distributed', 'pyarrow', 'matplotlib', 'pyais') if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", code], env={"PYTHONPATH": str(src)}, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
