"""ED-269 and ED-318: the shared samples read (and validated against the EUROCONTROL schemas, with
their results stated), a failing zone left out and named, zones and decision maps written as
ED-318 that the schemas accept, and zones that come back from a round trip."""

from __future__ import annotations

import json
import math

import pytest
import shapely

from highnorth.formats.ed318 import (
    RESTRICTION,
    decision_map_ed318,
    read_ed269,
    read_ed318,
    validate_ed318,
    write_ed318,
)
from highnorth.model.time import Interval, parse_time
from highnorth.model.zone import SFC, UNL, VerticalLimit, Zone

from conftest import shared

pytestmark = pytest.mark.shared_data


def schemas():
    return shared("uas-geozones", "ed318-schema-eurocontrol")


def load(*parts):
    return json.loads(shared("uas-geozones", *parts).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("name", "errors", "zones"),
    [
        ("ed318-schema-eurocontrol/Example_Collection.json", 0, 3),
        ("ed318-schema-eurocontrol/Example_GeoZone_2_Layers.json", 0, 2),
        ("ed318-schema-eurocontrol/Example_GeoZone_Circle.json", 0, 1),
        ("ed318-schema-eurocontrol/Example_GeoZone_with_extension.json", 0, 1),
        ("ed318-schema-eurocontrol/InvalidExample_GeoZone_2_Layers.json", 2, 0),
        ("cis_source_sample_ed318.json", 0, 3),
    ],
)
def test_the_shared_ed318_samples(name, errors, zones):
    doc = load(*name.split("/"))
    assert len(validate_ed318(doc, schemas())) == errors
    read, _ = read_ed318(doc, source=name, schema_dir=schemas())
    assert len(read) == zones
    assert all(z.geometry.is_valid and z.geometry.area > 0 for z in read)


def test_a_zone_that_fails_the_schema_is_left_out_and_named():
    doc = load("ed318-schema-eurocontrol", "InvalidExample_GeoZone_2_Layers.json")
    zones, warnings = read_ed318(doc, source="bad.json", schema_dir=schemas())
    assert zones == []
    assert warnings == [
        "bad.json: fails the ED-318 schema: metadata.validFrom: {'purposely_invalid': 'This object is not a datetime'} "
        "is not of type 'string'",
        "bad.json: features[0] `NFZ6547`: left out: fails the ED-318 schema: features[0].properties: 'lang' is a "
        "required property",
    ]
    good = load("cis_source_sample_ed318.json")
    mixed = {**good, "features": [*good["features"], {**good["features"][0], "properties": {"identifier": 7}}]}
    zones, warnings = read_ed318(mixed, source="mixed.json", schema_dir=schemas())
    assert len(zones) == 3 and len(warnings) == 1  # the other zones are read
    assert warnings[0].startswith("mixed.json: features[3] `7`: left out: fails the ED-318 schema: features[3]")


def test_circles_and_layers():
    (circle,), _ = read_ed318(load("ed318-schema-eurocontrol", "Example_GeoZone_Circle.json"), schema_dir=schemas())
    assert (circle.lower, circle.upper) == (VerticalLimit(50.0, "AGL"), VerticalLimit(150.0, "AGL"))
    lon, lat = 2.636866, 50.122901
    from pyproj import Geod

    ring = shapely.get_coordinates(circle.geometry.exterior)
    _, _, dist = Geod(ellps="WGS84").inv([lon] * len(ring), [lat] * len(ring), ring[:, 0], ring[:, 1])
    assert dist == pytest.approx(3500, abs=0.01)
    layers, _ = read_ed318(load("ed318-schema-eurocontrol", "Example_GeoZone_2_Layers.json"), schema_dir=schemas())
    assert [(z.id, str(z.lower), str(z.upper)) for z in layers] == [
        ("nfz6547-1", "50 m AGL", "150 m AGL"),
        ("nfz6547-2", "SFC", "50 m AGL"),
    ]


def test_the_shared_ed269_samples_and_their_defects():
    # the UASZoneList wrapper; lowerLimit the string "0", upperLimit null: surface to unlimited
    (zone,), warnings = read_ed269(load("cis_source_sample_ed269.json"), source="cis")
    assert (zone.id, zone.lower, zone.upper, "restriction:REQ_AUTHORISATION" in zone.tags) == ("lsxx", SFC, UNL, True)
    # the features wrapper: circles, schedules (SAT/SUN), a mix of AGL and AMSL
    zones, warnings = read_ed269(load("geo-awareness-che-1.json"), source="che")
    assert len(zones) == 10 and not [w for w in warnings if "left out" in w]
    montreux = zones[0]
    assert (str(montreux.lower), str(montreux.upper)) == ("SFC", "6259 m AMSL")
    assert montreux.validity == Interval(parse_time("2022-06-15T09:00:00Z"), parse_time("2023-06-15T09:00:00Z"))
    assert (
        "che: zones[0] `Montreux Concert Area`: a schedule within the period is not modelled: valid throughout"
        in warnings
    )


def _zones() -> list[Zone]:
    box = shapely.box(25, 70, 26, 70.5)
    return [
        Zone("finnmark-east-range", box, "Range", SFC, VerticalLimit(95, "FL"), frozenset({"range"})),
        Zone(
            "kirkenes-ctr-assumed",
            shapely.Polygon([(29.8, 69.6), (30.3, 69.6), (30.1, 69.9)]),
            "Kirkenes",
            VerticalLimit(150.0, "AGL"),
            UNL,
            frozenset({"restriction:PROHIBITED"}),
            Interval(parse_time("2025-06-01T00:00:00Z"), parse_time("2025-07-01T00:00:00Z")),
        ),
    ]


def test_zones_written_as_ed318_are_valid_and_come_back():
    doc = write_ed318(_zones())
    assert validate_ed318(doc, schemas()) == []
    assert all(len(f["properties"]["identifier"]) <= 7 for f in doc["features"])
    back, warnings = read_ed318(json.loads(json.dumps(doc)), source="rt", schema_dir=schemas())
    assert warnings == []
    for before, after in zip(_zones(), back, strict=True):
        assert after.id == before.id and after.name == before.name and after.validity == before.validity
        assert after.geometry.equals(before.geometry)
        # limits in metres: a flight level comes back as the same height AMSL (standard atmosphere)
        for a, b in ((before.lower, after.lower), (before.upper, after.upper)):
            assert (
                (a.metres == b.metres)
                or (math.isinf(a.metres) and math.isinf(b.metres))
                or a.metres == pytest.approx(b.metres)
            )
    assert "restriction:PROHIBITED" in back[1].tags and "restriction:REQ_AUTHORIZATION" in back[0].tags


def test_decision_maps_as_ed318(default_policy):
    from highnorth.service.maps import TimeField, decision_map_at, map_document, map_query
    from highnorth.service.queries import CLI

    query = map_query(default_policy, CLI, actor="USA", kind="port_call", attributes=[])
    m = decision_map_at(default_policy, query, TimeField("2025-06-01", "--at"))
    doc = decision_map_ed318(map_document(m))
    assert validate_ed318(doc, schemas()) == []
    outcomes = {f["properties"]["extendedProperties"]["highnorth"]["outcome"] for f in doc["features"]}
    assert {f["properties"]["type"] for f in doc["features"]} == {RESTRICTION[o] for o in outcomes}
    assert len(outcomes) >= 2
