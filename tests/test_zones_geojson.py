"""Zone GeoJSON reading and writing, and zone sets written as policy zone files."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
import shapely
import yaml

from highnorth.formats.zones_geojson import (
    HIGHNORTH_MAPPING,
    LUFTROM_MAPPING,
    read_zones_geojson,
    write_zones_geojson,
)
from highnorth.formats.zones_yaml import write_zone_set
from highnorth.geo.zones.projection import Frame
from highnorth.model.errors import FormatError
from highnorth.model.time import FAR_FUTURE, Interval, parse_time
from highnorth.model.zone import FT, SFC, UNL, VerticalLimit, Zone
from highnorth.rules.loading.loader import load_policy

DATA = Path(__file__).parents[1] / ".." / "shared" / "data"
SQUARE = {"type": "Polygon", "coordinates": [[[20, 69], [21, 69], [21, 70], [20, 70], [20, 69]]]}


def fc(*props, geometry=SQUARE) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "geometry": geometry, "properties": p} for p in props],
    }


def square(x: float, y: float, size: float = 0.5) -> shapely.Polygon:
    return shapely.box(x, y, x + size, y + size)


ZONES = [
    Zone(
        "enr409",
        square(30, 69.5),
        "ENR409 Barents 1",
        SFC,
        UNL,
        frozenset({"class:R", "border"}),
        None,
        "official",
        "AIP Norway ENR 5.1",
    ),
    Zone(
        "cta-15",
        square(24, 70.5),
        "Polaris CTA 15",
        VerticalLimit(105, "FL"),
        VerticalLimit(660, "FL"),
        frozenset({"class:C"}),
        None,
        "official",
        "AIP Norway ENR 2.1",
    ),
    Zone(
        "tmp",
        shapely.MultiPolygon([square(20, 69), square(22, 69)]),
        "Temporary area",
        VerticalLimit(457.2, "AMSL"),
        VerticalLimit(609.6, "AGL"),
        frozenset(),
        Interval(parse_time("2025-05-22T10:00:00+02:00"), FAR_FUTURE),
        "reported",
        "NOTAM A1234/25",
        "a note",
    ),
]


# --- reading ---------------------------------------------------------------------------------


def test_reads_limits_ids_and_tags_with_a_mapping():
    doc = fc(
        {"name": "Low", "bottom": 0, "top": 1500, "top_ref": "AGL", "kind": "danger"},
        {"name": "Low", "bottom": 95, "bottom_ref": "FL", "top": None, "kind": ["x", "y"]},
        {"name": "Ground", "bottom_ref": "SFC", "top": "600"},
    )
    mapping = {
        "lower_m": "bottom",
        "upper_m": "top",
        "lower_ref": "bottom_ref",
        "upper_ref": "top_ref",
        "tags": "kind",
    }
    zones, warnings = read_zones_geojson(doc, mapping=mapping, source="test", basis="assumption")
    assert [z.id for z in zones] == ["low", "low-2", "ground"]
    assert [(z.lower, z.upper) for z in zones] == [
        (VerticalLimit(0.0, "AMSL"), VerticalLimit(1500.0, "AGL")),
        (VerticalLimit(95.0, "FL"), UNL),
        (SFC, VerticalLimit(600.0, "AMSL")),
    ]
    assert [sorted(z.tags) for z in zones] == [["kind:danger"], ["x", "y"], []]
    assert {(z.basis, z.source) for z in zones} == {("assumption", "test")}
    assert warnings == []


def test_luftrom_layout_is_detected_and_read():
    doc = fc(
        {
            "name": "CTA",
            "class": "C",
            "from (fl)": "105",
            "from (ft amsl)": 10500,
            "from (m amsl)": 3200,
            "to (fl)": "660",
            "to (ft amsl)": 66000,
            "to (m amsl)": 20116,
        },
        {
            "name": "Border",
            "class": "R",
            "from (ft amsl)": 0,
            "from (m amsl)": 0,
            "to (ft amsl)": 999999,
            "to (m amsl)": 304799,
        },
        {
            "name": "Notam only",
            "class": "R",
            "from (ft amsl)": "0",
            "from (m amsl)": "0",
            "to (ft amsl)": "0",
            "to (m amsl)": "99999",
        },
        {
            "name": "TIZ",
            "class": "G",
            "from (ft amsl)": 0,
            "from (m amsl)": 0,
            "to (ft amsl)": "3500",
            "to (m amsl)": 1066,
        },
    )
    detected, warnings = read_zones_geojson(doc)
    explicit, _ = read_zones_geojson(doc, mapping=LUFTROM_MAPPING)
    assert detected == explicit and warnings == []
    assert [(str(z.lower), str(z.upper)) for z in detected] == [
        ("FL105", "FL660"),
        ("0 m AMSL", "UNL"),
        ("0 m AMSL", "UNL"),
        ("0 m AMSL", "1066.8 m AMSL"),
    ]
    assert detected[3].upper.value == pytest.approx(3500 * FT)
    assert [sorted(z.tags) for z in detected] == [
        ["class:C"],
        ["class:R"],
        ["class:R"],
        ["class:G"],
    ]


def test_ids_come_from_the_id_property_or_the_feature_id_or_the_name():
    doc = fc({"id": "a", "name": "Alpha"}, {"name": "B"}, {"name": "a"})
    doc["features"][1]["id"] = 7
    zones, warnings = read_zones_geojson(doc)
    assert [(z.id, z.name) for z in zones] == [("a", "Alpha"), ("7", "B"), ("a-2", "a")]
    assert warnings == [
        "no vertical limit properties found (`lower`/`upper`, or luftrom's `from (ft amsl)`/"
        "`to (ft amsl)`); every zone is taken as SFC to UNL"
    ]
    assert {(z.lower, z.upper) for z in zones} == {(SFC, UNL)}
    zones, _ = read_zones_geojson(fc({"code": "x1", "title": "X"}), id_prop="code", name_prop="title")
    assert (zones[0].id, zones[0].name) == ("x1", "X")


@pytest.mark.parametrize(
    ("doc", "kw", "message"),
    [
        ({"type": "Feature"}, {}, "expected a GeoJSON FeatureCollection, got `Feature`"),
        (
            fc({"name": "P"}, geometry={"type": "Point", "coordinates": [20, 69]}),
            {},
            "feature 0 (`P`): `geometry`: expected a Polygon or MultiPolygon, got `Point`",
        ),
        (
            fc(
                {"name": "P"},
                geometry={"type": "Polygon", "coordinates": [[[20, 69], [21], [21, 70], [20, 69]]]},
            ),
            {},
            "feature 0 (`P`): `geometry`: ring 0: position 1: expected `[lon, lat]` of finite numbers, got `[21]`",
        ),
        (
            fc(
                {"name": "P"},
                geometry={
                    "type": "MultiPolygon",
                    "coordinates": [[[[20, 69], [21, 69], [21, 70], [20, 70]]]],
                },
            ),
            {},
            "feature 0 (`P`): `geometry`: polygon 0: ring 0: expected a closed ring "
            "(the last position "
            "equal to the first)",
        ),
        (
            fc(
                {"name": "P"},
                geometry={
                    "type": "Polygon",
                    "coordinates": [[[69, 20], [70, 95], [69, 21], [69, 20]]],
                },
            ),
            {},
            "feature 0 (`P`): `geometry`: coordinate 1: latitude `95` is outside [-90, 90]; "
            "are longitude and latitude swapped?",
        ),
        (
            fc({"name": "A", "lower": "high"}),
            {},
            "feature 0 (`A`): `lower`: expected an altitude like `SFC`, `FL95`, `1500ft AMSL`, "
            "`2000ft AGL`, `600 m AMSL` or `UNL`, got `high`",
        ),
        (
            fc({"id": "x", "from (ft amsl)": "ten"}),
            {},
            "feature 0 (`x`): `from (ft amsl)`: expected a number of feet, got `ten`",
        ),
        (
            fc({"id": "x", "from (ft amsl)": True}),
            {},
            "feature 0 (`x`): `from (ft amsl)`: expected a number of feet, got `true`",
        ),
        (
            fc({"id": "x"}, {"id": "x"}),
            {},
            "feature 1 (`x`): `properties.id`: `x` is the id of an earlier feature too",
        ),
        (
            fc({"id": "ENR 409"}),
            {},
            "feature 0 (`ENR 409`): `properties.id`: expected an id of lowercase letters, "
            "digits, `.`, `_` "
            "and `-` (like `enr-409`), got `ENR 409`",
        ),
        (
            fc({"name": "A", "tags": [1]}),
            {},
            "feature 0 (`A`): `tags`: expected a list of strings, got `[1]`",
        ),
        (
            fc({"name": "A", "basis": "rumour"}),
            {},
            "feature 0 (`A`): `basis`: expected `official`, `reported` or `assumption`, got `rumour`",
        ),
        (
            fc({"name": "A", "valid_from": "2025-05-22T10:00:00"}),
            {},
            "feature 0 (`A`): `valid_from`: expected an RFC 3339 time with an offset (like "
            "`2025-05-22T10:00:00+02:00`), got `2025-05-22T10:00:00` without one",
        ),
        (
            fc({"name": "A", "lower": "SFC"}),
            {"mapping": {"lowr": "x"}},
            "mapping: unknown zone field `lowr`; did you mean `lower`?",
        ),
        (
            fc({"name": "A", "ref": "MSL", "m": 3}),
            {"mapping": {"lower_m": "m", "lower_ref": "ref"}},
            "feature 0 (`A`): `ref`: expected one of `AMSL`, `AGL`, `FL`, `SFC`, `UNL`, got `MSL`",
        ),
    ],
)
def test_errors_name_the_feature_the_property_and_what_was_expected(doc, kw, message):
    with pytest.raises(FormatError) as info:
        read_zones_geojson(doc, **kw)
    assert str(info.value).startswith(message)
    assert not str(info.value).endswith(".")


def test_invalid_geometry_is_repaired_with_a_warning_or_rejected():
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[20, 69], [21, 70], [21, 69], [20, 70], [20, 69]]],
    }
    doc = fc({"id": "bow", "lower": "SFC"}, geometry=bowtie)
    zones, warnings = read_zones_geojson(doc)
    assert zones[0].geometry.is_valid and zones[0].geometry.area == pytest.approx(0.5)
    assert len(warnings) == 1 and warnings[0].startswith("feature 0 (`bow`): repaired invalid geometry (")
    with pytest.raises(FormatError, match=r"^feature 0 \(`bow`\): invalid geometry .*; repair was not allowed$"):
        read_zones_geojson(doc, repair_invalid=False)


# --- writing ---------------------------------------------------------------------------------


def test_writes_the_documented_properties():
    doc = write_zones_geojson(ZONES)
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == 3
    props = [f["properties"] for f in doc["features"]]
    assert props[0] == {
        "id": "enr409",
        "name": "ENR409 Barents 1",
        "lower": "SFC",
        "upper": "UNL",
        "lower_m": None,
        "upper_m": None,
        "tags": ["border", "class:R"],
        "basis": "official",
        "source": "AIP Norway ENR 5.1",
        "valid_from": None,
        "valid_until": None,
    }
    assert (props[1]["lower"], props[1]["lower_m"], props[1]["upper"]) == ("FL105", 3200.4, "FL660")
    assert (props[2]["lower"], props[2]["upper"], props[2]["upper_m"]) == (
        "457.2 m AMSL",
        "609.6 m AGL",
        609.6,
    )
    assert (props[2]["valid_from"], props[2]["valid_until"]) == ("2025-05-22T08:00:00Z", None)
    assert doc["features"][2]["geometry"]["type"] == "MultiPolygon"
    json.dumps(doc, allow_nan=False)  # plain JSON: no NaN or Infinity


def test_write_then_read_gives_the_same_zones():
    doc = json.loads(json.dumps(write_zones_geojson(ZONES)))
    zones, warnings = read_zones_geojson(doc)
    assert warnings == []
    assert zones == [z if not z.note else Zone(**{**_fields(z), "note": ""}) for z in ZONES]
    explicit, _ = read_zones_geojson(doc, mapping=HIGHNORTH_MAPPING)
    assert explicit == zones


def _fields(zone: Zone) -> dict:
    return {name: getattr(zone, name) for name in Zone.__dataclass_fields__}


# --- zone sets as policy zone files ------------------------------------------------------------


def _policy_dir(root: Path, zone_files: list[str]) -> Path:
    (root / "actors.yaml").write_text("nations: []\n")
    (root / "rules.yaml").write_text(
        yaml.safe_dump(
            {
                "rules": [
                    {
                        "id": "r1",
                        "title": "everything is permitted",
                        "effect": "permit",
                        "basis": "assumption",
                        "source": "test",
                    }
                ]
            }
        )
    )
    (root / "policy.yaml").write_text(
        yaml.safe_dump(
            {
                "id": "t",
                "title": "test",
                "jurisdiction": "NOR",
                "extent": [4.0, 57.0, 32.0, 72.0],
                "zones": zone_files,
                "versions": [{"version": "1", "effective": dt.date(2025, 1, 1), "rules": ["rules.yaml"]}],
            }
        )
    )
    return root


def _assert_same_zones(loaded: dict[str, Zone], zones: list[Zone]) -> None:
    assert sorted(loaded) == sorted(z.id for z in zones)
    for z in zones:
        got = loaded[z.id]
        assert _fields(got) | {"geometry": None} == _fields(z) | {"geometry": None}
        # the loader densifies edges along their geodesics and projects there and back: compare
        # in an equal-area frame, where both sides' edges are geodesics
        frame = Frame.around(z.geometry)
        mine, theirs = frame.to_frame(got.geometry), frame.to_frame(z.geometry)
        assert mine.symmetric_difference(theirs).area < 1e-6 * theirs.area


def test_zone_set_round_trips_through_a_policy_directory(tmp_path):
    path = write_zone_set(ZONES, tmp_path / "zones", name="imported")
    assert path == tmp_path / "zones" / "imported.zones.yaml"
    assert (tmp_path / "zones" / "imported.geojson").is_file()
    spec = yaml.safe_load(path.read_text())["zones"][1]
    assert spec["geometry"] == {"file": "imported.geojson", "select": {"id": "cta-15"}}
    assert (spec["lower"], spec["upper"]) == (
        {"value": 105, "ref": "FL"},
        {"value": 660, "ref": "FL"},
    )
    result = load_policy(_policy_dir(tmp_path, ["zones/imported.zones.yaml"]))
    assert result.warnings == []
    _assert_same_zones(dict(result.policy.zones), ZONES)


def test_zone_set_refuses_what_a_policy_cannot_load(tmp_path):
    nameless = Zone("x", square(20, 69), "X", source="")
    with pytest.raises(FormatError, match=r"^zone `x`: `source`: string should have at least 1 character"):
        write_zone_set([nameless], tmp_path)
    with pytest.raises(FormatError, match=r"^zone `Bad Id`: `id`: string should match pattern"):
        write_zone_set([Zone("Bad Id", square(20, 69), source="s")], tmp_path)
    assert list(tmp_path.iterdir()) == []


# --- real data ---------------------------------------------------------------------------------


def _luftrom() -> dict:
    path = DATA / "airspace" / "luftrom.geojson"
    if not path.is_file():
        pytest.skip(f"shared airspace data not found: {path.resolve()}")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.shared_data
def test_luftrom_geojson_reads_writes_and_loads_as_a_policy(tmp_path):
    doc = _luftrom()
    zones, warnings = read_zones_geojson(copy.deepcopy(doc), source="luftrom.geojson")
    assert len(zones) == 494 and len({z.id for z in zones}) == 494
    assert sorted(w.split("`")[1] for w in warnings) == ["END138 Starmoen D", "Hovden TIZ"]
    assert all("repaired invalid geometry" in w for w in warnings)
    east = [z for z in zones if z.geometry.bounds[0] >= 24.0]  # the Finnmark part, east of 24°E
    assert len(east) > 10
    write_zone_set(east, tmp_path, name="finnmark")
    result = load_policy(_policy_dir(tmp_path, ["finnmark.zones.yaml"]))
    _assert_same_zones(dict(result.policy.zones), east)
