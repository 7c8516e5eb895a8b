"""The default High North dataset against the public record (FACTS.md) and third-party data."""

from __future__ import annotations

import json

import pytest
import shapely
from shapely.geometry import shape
from shapely.ops import nearest_points

from highnorth.geo.zones.projection import GEOD, Frame

from conftest import shared

# FACTS.md §8 and the paragraph under it: which side of 24°E each place is on
EAST_OF_24 = {
    "Honningsvåg": (25.97, 70.98),
    "Lakselv/Banak": (24.9739, 70.0667),
    "Porsangmoen": (25.0, 69.9),
    "Vadsø": (29.7314, 70.0803),
    "Vardø": (31.1077, 70.3702),
    "Kirkenes": (30.0456, 69.7269),
}
WEST_OF_24 = {
    "Hammerfest": (23.68, 70.66),
    "Alta": (23.27, 69.97),
    "Kvalsund": (23.9739, 70.4990),
    "Kautokeino": (23.0408, 69.0122),
}
FINLAND_EAST_OF_24 = {"Rovaniemi": (25.8308, 66.5617), "Sodankylä": (26.6181, 67.3967), "Ivalo": (27.55, 68.66)}


def inside(policy, zone: str, lon: float, lat: float, tolerance_m: float = 0.0) -> bool:
    geom = policy.zones[zone].geometry
    if geom.covers(shapely.Point(lon, lat)):
        return True
    if tolerance_m:
        nearest = nearest_points(geom, shapely.Point(lon, lat))[0]
        return GEOD.inv(lon, lat, nearest.x, nearest.y)[2] <= tolerance_m
    return False


def test_every_rule_and_zone_states_basis_and_source(default_policy):
    for zone in default_policy.zones.values():
        assert zone.basis in ("official", "reported", "assumption") and zone.source, zone.id
    for version in default_policy.versions:
        for rule in version.rules:
            assert rule.basis in ("official", "reported", "assumption") and rule.source, rule.id


def test_versions_take_effect_at_oslo_midnight(default_policy):
    effective = {v.version: v.effective.isoformat() for v in default_policy.versions}
    assert effective["2025.1"] == "2025-05-21T22:00:00+00:00"  # 22 May 2025 00:00 CEST
    assert effective["2022.1"] == "2022-02-23T23:00:00+00:00"  # 24 Feb 2022 00:00 CET


@pytest.mark.parametrize(("name", "pos"), EAST_OF_24.items())
def test_places_east_of_24_are_in_finnmark_east_24(default_policy, name, pos):
    assert inside(default_policy, "finnmark-east-24", *pos, tolerance_m=2000), name


@pytest.mark.parametrize(("name", "pos"), WEST_OF_24.items())
def test_places_west_of_24_are_in_finnmark_but_not_east_of_it(default_policy, name, pos):
    assert not inside(default_policy, "finnmark-east-24", *pos), name
    assert inside(default_policy, "finnmark", *pos, tolerance_m=2000), name


@pytest.mark.parametrize(("name", "pos"), FINLAND_EAST_OF_24.items())
def test_finnish_places_east_of_24_are_not_finnmark(default_policy, name, pos):
    assert not inside(default_policy, "finnmark", *pos), name
    assert inside(default_policy, "finland", *pos), name


def test_eastern_parts_hold_the_east_finnmark_towns_only(default_policy):
    for name in ("Vadsø", "Vardø", "Kirkenes"):
        assert inside(default_policy, "finnmark-east-parts", *EAST_OF_24[name], tolerance_m=2000), name
    for name in ("Honningsvåg", "Lakselv/Banak", "Porsangmoen"):
        assert not inside(default_policy, "finnmark-east-parts", *EAST_OF_24[name]), name


def test_realm_holds_coastal_towns_and_excludes_russia(default_policy):
    for lon, lat in [
        (18.9553, 69.6492),
        (14.40, 67.28),
        (31.1077, 70.3702),
        (5.32, 60.39),
    ]:  # Tromsø, Bodø, Vardø, Bergen
        assert inside(default_policy, "norway-realm", lon, lat), (lon, lat)
    assert not inside(default_policy, "norway-realm", 33.08, 68.97)  # Murmansk
    assert inside(default_policy, "russia-realm", 33.08, 68.97)
    assert (
        not shapely.intersection(
            default_policy.zones["norway-realm"].geometry, default_policy.zones["russia-land"].geometry
        ).area
        > 1e-6
    )


def test_eastern_parts_assumption_matches_kartverket_municipalities(default_policy):
    path = shared("admin", "no-kartverket-robhop", "Kommuner-S.geojson")
    east = {"5605", "5607", "5628", "5630", "5632", "5634", "5636"}  # Sør-Varanger ... Nesseby (2024 numbers)
    doc = json.loads(path.read_text())
    geoms = {f["properties"]["kommunenummer"]: shapely.make_valid(shape(f["geometry"])) for f in doc["features"]}
    kommuner = shapely.union_all([g for k, g in geoms.items() if k in east])
    county = shapely.union_all([g for k, g in geoms.items() if k.startswith("56")])
    # compare the assumption's line, not the coastlines: only on land both sources call Finnmark
    common = shapely.intersection(county, default_policy.zones["finnmark-land"].geometry)
    ours = shapely.intersection(default_policy.zones["finnmark-east-parts"].geometry, common)
    real = shapely.intersection(kommuner, common)
    frame = Frame(28.0, 70.0)
    real_km2, sym = frame.area_km2(real), frame.area_km2(ours.symmetric_difference(real))
    assert sym / real_km2 < 0.03, f"symmetric difference {sym:.0f} km² of {real_km2:.0f} km²"


def test_kirkenes_port_from_the_world_port_index_is_in_the_eastern_parts(default_policy):
    path = shared("ports", "nga_wpi_NOR_SWE_FIN_RUS_subset.csv")
    import csv

    with path.open(encoding="utf-8-sig") as fh:
        rows = {(r.get("UN/LOCODE") or r.get("UNLOCODE") or "").replace(" ", ""): r for r in csv.DictReader(fh)}
    row = rows.get("NOKKN")
    if row is None:
        pytest.skip("Kirkenes not found in the port index")
    lat = float(row.get("Latitude") or row.get("latitude"))
    lon = float(row.get("Longitude") or row.get("longitude"))
    assert inside(default_policy, "finnmark-east-parts", lon, lat)
    assert inside(default_policy, "kirkenes-port", lon, lat)


def test_aip_border_areas_lie_east_of_24_and_touch_russia(default_policy):
    path = shared("airspace", "luftrom.geojson")
    doc = json.loads(path.read_text())
    russia = default_policy.zones["russia-land"].geometry
    for f in doc["features"]:
        name = f["properties"].get("name", "")
        if name.startswith(("ENR417", "ENR419", "ENR413")):
            geom = shapely.make_valid(shape(f["geometry"]))
            assert geom.bounds[0] > 24.0, name
            assert inside(default_policy, "finnmark-east-parts", geom.centroid.x, geom.centroid.y, tolerance_m=5000), (
                name
            )
            nearest = nearest_points(geom, russia)
            gap = GEOD.inv(nearest[0].x, nearest[0].y, nearest[1].x, nearest[1].y)[2]
            assert gap < 2000, f"{name} is {gap:.0f} m from Russia"  # 1:10m border vs AIP
