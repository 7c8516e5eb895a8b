"""Ports by identity (docs/formats.md): a port call may name its port by UN/LOCODE or port id as
well as give a point, and the two must agree within 1 km; the approved ports sit where FACTS.md §8
and the World Port Index put them."""

from __future__ import annotations

import copy
import csv
import math

import pytest
import shapely

from highnorth.formats.activity_geojson import PORT_TOLERANCE_M, port_names, read_activities
from highnorth.model.errors import ActivityInputError

from conftest import shared

CALL = {
    "type": "Feature",
    "id": "call",
    "geometry": {"type": "Point", "coordinates": [30.0456, 69.7269]},
    "properties": {
        "kind": "port_call",
        "port": "NO KKN",
        "actor": {"nation": "GBR"},
        "start": "2026-03-02T08:00:00+01:00",
        "end": "2026-03-03T08:00:00+01:00",
        "attributes": {"nuclear_powered": False},
    },
}


def _read(default_policy, **props):
    feature = copy.deepcopy(CALL)
    for key, value in props.items():
        if key == "coordinates":
            feature["geometry"]["coordinates"] = value
        elif value is None:
            feature["properties"].pop(key)
        else:
            feature["properties"][key] = value
    doc = {"type": "FeatureCollection", "features": [feature]}
    return read_activities(
        doc, known_nations=default_policy.actors.nations, ports=port_names(default_policy.zones.values())
    )


def _problem(default_policy, **props) -> str:
    with pytest.raises(ActivityInputError) as caught:
        _read(default_policy, **props)
    (problem,) = caught.value.problems
    return str(problem)


def test_a_port_is_named_by_locode_with_or_without_the_space_or_by_id(default_policy) -> None:
    for name in ("NO KKN", "NOKKN", "nokkn", "kirkenes-port"):
        assert len(_read(default_policy, port=name).activities) == 1
    names = port_names(default_policy.zones.values())
    assert names["NOKKN"].id == "kirkenes-port" and names["grotsund"].id == "grotsund"
    assert "norway-realm" not in names  # only zones tagged `port`


def test_a_point_outside_the_named_port_is_an_error_that_says_how_far(default_policy) -> None:
    # Hammerfest's centre, about 165 km from Kirkenes
    message = _problem(default_policy, coordinates=[23.68, 70.66])
    assert message.startswith("activity `call`: properties.port: the point 70.66000°N 23.68000°E is ")
    assert "km from port `kirkenes-port` (Kirkenes port); expected it within 1 km of the port, or no `port`" in message
    # 2.5 km east of the centre: 0.5 km outside the 2 km circle, within the tolerance
    lon = 30.0456 + 2500 / (111_320 * math.cos(math.radians(69.7269)))
    assert len(_read(default_policy, coordinates=[lon, 69.7269]).activities) == 1
    far = 30.0456 + 3200 / (111_320 * math.cos(math.radians(69.7269)))
    assert "is 1.2 km from port" in _problem(default_policy, coordinates=[far, 69.7269])
    assert PORT_TOLERANCE_M == 1000


def test_unknown_ports_and_ports_of_other_kinds(default_policy) -> None:
    assert "unknown port `NO KKM`; did you mean" in _problem(default_policy, port="NO KKM")
    assert _problem(default_policy, port=7) == (
        "activity `call`: properties.port: expected a UN/LOCODE like `NO KKN` or a port id of the policy, got `7`"
    )
    flight = copy.deepcopy(CALL)
    flight["properties"]["kind"] = "naval_exercise"
    doc = {"type": "FeatureCollection", "features": [flight]}
    with pytest.raises(ActivityInputError, match="only a port call names a port; this activity is a `naval_exercise`"):
        read_activities(doc, ports=port_names(default_policy.zones.values()))


def test_grotsund_sits_on_the_aip_restricted_area(default_policy) -> None:
    """FACTS.md §8: ENR424 Grøtsund's centroid 69.746N 19.138E, box 69.729–69.763N 19.090–19.186E."""
    zone = default_policy.zones["grotsund"]
    assert zone.geometry.contains(shapely.Point(19.138, 69.746))
    assert not zone.geometry.contains(shapely.Point(19.08, 69.775))  # the old, 3.9 km off, position
    w, s, e, n = zone.geometry.bounds
    assert 19.08 < w < 19.10 and 19.18 < e < 19.20 and 69.72 < s < 69.73 and 69.76 < n < 69.77


@pytest.mark.shared_data
def test_every_locode_lies_where_the_world_port_index_puts_it(default_policy) -> None:
    path = shared("ports", "nga_wpi_NOR_SWE_FIN_RUS_subset.csv")
    with path.open(encoding="utf-8-sig") as f:
        index = {row["UN/LOCODE"].replace(" ", ""): row for row in csv.DictReader(f)}
    names = port_names(default_policy.zones.values())
    locodes = {name: zone for name, zone in names.items() if name.isupper() and len(name) == 5}
    assert set(locodes) == {"NOKKN", "NOVAO", "NOVDS", "NOHFT", "NOHVG", "NOHKS"}
    for code, zone in locodes.items():
        row = index[code]
        point = shapely.Point(float(row["Longitude"]), float(row["Latitude"]))
        doc = copy.deepcopy(CALL)
        doc["geometry"]["coordinates"] = [point.x, point.y]
        doc["properties"]["port"] = code
        ok = read_activities({"type": "FeatureCollection", "features": [doc]}, ports=names)
        assert len(ok.activities) == 1, f"{code}: the World Port Index point is not at `{zone.id}`"
