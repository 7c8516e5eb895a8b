"""Activity GeoJSON: every bad input gets a clear error naming the activity, the field and what
was expected; a file with one bad activity is rejected whole unless --skip-invalid."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest

from highnorth.formats.activity_geojson import read_activities
from highnorth.model.errors import ActivityInputError

from conftest import collection, feature

LINE = {"type": "LineString", "coordinates": [[20.0, 69.0], [21.0, 69.5]]}
NATIONS = {"USA", "NOR", "GBR"}
SCHEMA = json.loads((resources.files("highnorth") / "schemas" / "activity.schema.json").read_text())


def problems(*features) -> str:
    with pytest.raises(ActivityInputError) as info:
        read_activities(collection(*features), known_nations=NATIONS)
    return str(info.value)


def test_a_good_feature_reads():
    result = read_activities(
        collection(feature("ok", LINE, times=["2025-06-01T10:00:00Z", "2025-06-01T10:30:00+00:00"])),
        known_nations=NATIONS,
    )
    (a,) = result.activities
    assert a.id == "ok" and a.kind == "flight" and len(a.times) == 2
    jsonschema.validate(collection(feature("ok", LINE)), SCHEMA)


@pytest.mark.parametrize(
    ("feat", "expected"),
    [
        (
            feature("a1", LINE, start="2025-06-01T10:00:00"),
            "activity `a1`: properties.start: expected an RFC 3339 time with an offset",
        ),
        (
            feature("a2", {"type": "LineString", "coordinates": [[20, 95], [21, 69]]}),
            "activity `a2`: geometry.coordinates: coordinate 0: latitude `95` is outside [-90, 90]",
        ),
        (
            feature("a3", {"type": "LineString", "coordinates": [[200, 69], [21, 69]]}),
            "longitude `200` is outside [-180, 180]",
        ),
        (
            feature("a4", LINE, end="2025-06-01T09:00:00Z"),
            "activity `a4`: properties.end: `2025-06-01T09:00:00Z` is not after start",
        ),
        (
            feature("a5", LINE, kind="flihgt"),
            "activity `a5`: properties.kind: unknown kind `flihgt`; did you mean `flight`?",
        ),
        (
            feature("a6", LINE, times=["2025-06-01T10:00:00Z"]),
            "activity `a6`: properties.times: expected one time per vertex (2), got 1",
        ),
        (
            feature("a7", LINE, times=["2025-06-01T10:30:00Z", "2025-06-01T10:00:00Z"]),
            "properties.times[1]: `2025-06-01T10:00:00Z` is before the previous vertex",
        ),
        (feature("a8", {"type": "LineString", "coordinates": []}), "activity `a8`: geometry.coordinates: empty"),
        (feature("a9", {"type": "LineString", "coordinates": [[20, 69]]}), "a LineString needs at least 2 positions"),
        (
            feature("a10", LINE, actor={"nation": "USB"}),
            "activity `a10`: properties.actor.nation: unknown nation `USB`; did you mean `USA`?",
        ),
        (feature("a11", LINE, actor={"nation": "us"}), "expected an ISO 3166-1 alpha-3 code"),
        (
            feature("a12", {"type": "Point", "coordinates": [20, 69]}),
            "geometry.type: `Point` is not accepted for kind `flight`",
        ),
        (
            feature("a13", {"type": "Polygon", "coordinates": [[[20, 69], [21, 69], [20, 69]]]}),
            "closed ring of at least 4 positions",
        ),
        (feature("a14", LINE, altitude={"lower_m": 500, "upper_m": 100}), "lower_m 500 is above upper_m 100"),
        (feature("a15", LINE, colour="red"), "properties.colour: unknown property"),
        (
            feature("a16", LINE, start="yesterday"),
            "expected an RFC 3339 time with an offset (like `2025-05-22T10:00:00+02:00`), got `yesterday`",
        ),
        (feature("a17", None), "activity `a17`: geometry: expected a GeoJSON geometry"),
        (
            {"type": "Feature", "geometry": LINE, "properties": {"kind": "flight"}},
            "feature 0: id: expected a non-empty string or integer",
        ),
    ],
)
def test_bad_input_is_named(feat, expected):
    text = problems(feat)
    assert expected in text
    assert "Traceback" not in text


def test_schema_agrees_on_structural_errors():
    for bad in (feature("x", LINE, kind="flihgt"), feature("x", LINE, start="2025-06-01T10:00:00")):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(collection(bad), SCHEMA)


def test_every_problem_of_every_activity_is_listed():
    text = problems(
        feature("good", LINE),
        feature("bad1", LINE, kind="flihgt", start="2025-06-01"),
        feature("bad2", LINE, actor={"nation": "XXX"}),
    )
    assert text.splitlines()[0].endswith("3 problems in the activities")
    assert "`bad1`: properties.kind" in text and "`bad1`: properties.start" in text and "`bad2`" in text


def test_skip_invalid_keeps_the_good_ones_and_warns():
    result = read_activities(
        collection(feature("good", LINE), feature("bad", LINE, kind="x")), known_nations=NATIONS, skip_invalid=True
    )
    assert [a.id for a in result.activities] == ["good"]
    assert any("skipped: activity `bad`" in w for w in result.warnings)


def test_duplicate_ids_are_an_error():
    assert "ids must be unique" in problems(feature("same", LINE), feature("same", LINE))


def test_invalid_polygon_is_repaired_with_a_warning_or_rejected():
    bowtie = {"type": "Polygon", "coordinates": [[[20, 69], [21, 70], [21, 69], [20, 70], [20, 69]]]}
    feat = feature("ex", bowtie, kind="land_exercise")
    result = read_activities(collection(feat), known_nations=NATIONS)
    assert result.activities[0].geometry.is_valid
    assert any("activity `ex`: repaired invalid geometry (Self-intersection" in w for w in result.warnings)
    with pytest.raises(ActivityInputError, match="repair was not allowed"):
        read_activities(collection(feat), known_nations=NATIONS, repair_invalid=False)


def test_not_a_feature_collection():
    with pytest.raises(ActivityInputError, match="expected a GeoJSON `FeatureCollection`, got `Feature`"):
        read_activities(feature("x", LINE))
