"""Alternatives are checked (docs/exercises.md §4): re-screening the suggested start, the cleared
portion of a track or the same activity by the suggested nation gives the claimed outcome and
obligations; no start between the planned one and the suggested one clears the activity, and
where no start is offered none (sampled up to 2031) does."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from highnorth.exercise.alternatives import CLEARED, alternatives, shifted
from highnorth.model.activity import Activity
from highnorth.model.actor import Actor

UTC = dt.UTC
NATIONS = ["USA", "GBR", "DEU", "FIN", "SWE", "NOR", "AUT"]
FAR = dt.datetime(2031, 1, 1, tzinfo=UTC)

lon = st.floats(15.0, 33.0)
lat = st.floats(67.5, 73.0)


@st.composite
def activities(draw: st.DrawFn) -> Activity:
    kind = draw(st.sampled_from(["flight", "land_exercise", "airspace_reservation", "port_call", "land_movement"]))
    start = dt.datetime(2019, 1, 1, tzinfo=UTC) + dt.timedelta(hours=draw(st.integers(0, 8 * 365 * 24)))
    end = start + dt.timedelta(minutes=draw(st.integers(30, 6 * 24 * 60)))
    if kind in ("flight", "land_movement"):
        geometry = shapely.LineString(draw(st.lists(st.tuples(lon, lat), min_size=2, max_size=5)))
        if geometry.length == 0:
            geometry = shapely.LineString([(20.0, 70.0), (26.0, 70.5)])
    elif kind == "port_call":
        geometry = shapely.Point(draw(st.sampled_from([(30.0456, 69.7269), (23.68, 70.66), (25.97, 70.98)])))
    else:
        w, s = draw(lon), draw(lat)
        geometry = shapely.box(w, s, w + draw(st.floats(0.1, 2.0)), s + draw(st.floats(0.05, 0.8)))
    attributes = {
        "surveillance": draw(st.booleans()),
        "nuclear_powered": False,
        "troops": draw(st.sampled_from([0, 500, 9000])),
    }
    late = draw(st.booleans())
    submitted = start - dt.timedelta(days=draw(st.sampled_from([2, 30]))) if late else None
    return Activity(
        "a",
        kind,  # type: ignore[arg-type]
        Actor(draw(st.sampled_from(NATIONS))),
        start,
        end,
        geometry,
        attributes=attributes,
        submitted=submitted,
    )


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(activity=activities(), probes=st.lists(st.floats(0.0, 1.0), min_size=4, max_size=4))
def test_every_alternative_gives_what_it_claims(screener, activity: Activity, probes: list[float]) -> None:
    decision = screener.decide(activity)
    found = alternatives([activity], [decision], screener, nations=NATIONS)
    if decision.outcome in CLEARED:
        assert found == {}  # nothing to change
        return
    alt = found["a"]
    # time: the claimed outcome and obligations at the suggested start
    if alt.time is not None:
        assert alt.time.start > activity.start
        again = screener.decide(shifted(activity, alt.time.start))
        assert again.outcome == alt.time.outcome and again.outcome in CLEARED
        assert again.obligations == alt.time.obligations
    # no earlier start clears it; with none offered, no later start up to 2031 does
    limit = alt.time.start if alt.time is not None else FAR
    span = (limit - activity.start).total_seconds()
    for p in probes:
        start = activity.start + dt.timedelta(seconds=round(p * span))
        if activity.start < start < limit:
            assert screener.decide(shifted(activity, start)).outcome not in CLEARED, start
    # place: the cleared portion is a prefix of the track, ending where and when it stops
    place = alt.place
    assert all(r.effect >= "refer" for r in place.restrictions)
    if place.outcome is not None:
        assert activity.geometry.geom_type == "LineString" and place.stop is not None
        k = int(place.stop_parameter or 0)
        head = list(activity.geometry.coords)[: k + 1]
        portion = replace(activity, end=place.stop_time, geometry=shapely.LineString([*head, place.stop]))
        if place.stop_parameter == k:  # stops on a vertex
            portion = replace(portion, geometry=shapely.LineString(head))
        again = screener.decide(portion)
        assert again.outcome == place.outcome and again.outcome in CLEARED
        assert again.obligations == place.obligations
    # actor: each nation offered is cleared doing the same thing; the others tried are not
    offered = {a.nation: a for a in alt.actors}
    for nation in alt.nations_tried:
        again = screener.decide(replace(activity, actor=Actor(nation)))
        if nation in offered:
            assert again.outcome == offered[nation].outcome and again.obligations == offered[nation].obligations
        else:
            assert again.outcome not in CLEARED


def test_a_denial_no_version_lifts_gets_no_time(screener) -> None:
    """A German surveillance flight east of 27°E is denied under every version (FACTS.md §1)."""
    flight = Activity(
        "p3",
        "flight",
        Actor("DEU"),
        dt.datetime(2024, 3, 8, 6, tzinfo=UTC),
        dt.datetime(2024, 3, 8, 9, tzinfo=UTC),
        shapely.LineString([(20.0, 71.0), (31.0, 72.5)]),
        attributes={"surveillance": True},
    )
    decision = screener.decide(flight)
    assert decision.outcome == "denied"
    alt = alternatives([flight], [decision], screener, nations=["DEU", "USA"])["p3"]
    assert alt.time is None
    assert [a.nation for a in alt.actors] == ["USA"]
    assert alt.place.outcome in CLEARED and alt.place.stop is not None
    assert 26.99 < alt.place.stop[0] < 27.01  # it would have to stop at 27°E


def test_a_late_request_is_cleared_once_its_notice_is_met(screener) -> None:
    start = dt.datetime(2024, 3, 5, 7, tzinfo=UTC)
    call = Activity(
        "late",
        "port_call",
        Actor("GBR"),
        start,
        start + dt.timedelta(days=2),
        shapely.Point(23.68, 70.66),
        attributes={"nuclear_powered": False},
        submitted=start - dt.timedelta(days=5),
    )
    decision = screener.decide(call)
    assert decision.outcome == "referred"
    alt = alternatives([call], [decision], screener)["late"]
    assert alt.time is not None and alt.time.start == call.submitted + dt.timedelta(days=14)
    assert "the notice is met" in alt.time.because
