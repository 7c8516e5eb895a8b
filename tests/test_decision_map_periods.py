"""Decision maps per period: every time within one period of a nation's timeline is one cached
map (echoing the time asked), a time across 2025-05-22 another; `simplify=display` answers valid
GeoJSON with fewer vertices while the default answer stays the exact map."""

from __future__ import annotations

import json

import shapely

from api_helpers import make_api
from highnorth.service.lru import LRU
from highnorth.service.maps import TimeField, decision_map_at, map_document, map_periods, map_query
from highnorth.service.queries import API


def _map(policy, at: str, cache: LRU | None):
    return decision_map_at(policy, map_query(policy, API, actor="USA", kind="flight"), TimeField(at, "at"), cache)


def test_two_dates_in_one_period_are_one_cached_map(default_policy) -> None:
    cache = LRU(64)
    a, b = _map(default_policy, "2025-05-10", cache), _map(default_policy, "2025-05-21", cache)
    assert len(cache) == 1 and a.cells is b.cells
    assert a.at != b.at  # each echoes the time asked
    for at, m in (("2025-05-10", a), ("2025-05-21", b)):  # the same bytes as a map made at that time
        assert json.dumps(map_document(m)) == json.dumps(map_document(_map(default_policy, at, None)))
    c = _map(default_policy, "2025-05-22", cache)  # version 2025.1 from 2025-05-22 Europe/Oslo
    assert len(cache) == 2 and c.cells is not a.cells and c.version != a.version
    assert any(t.isoformat() == "2025-05-21T22:00:00+00:00" for t in map_periods(default_policy, "USA"))


def _vertices(doc: dict) -> int:
    return sum(
        int(shapely.get_num_coordinates(shapely.from_geojson(json.dumps(f["geometry"])))) for f in doc["features"]
    )


def test_display_maps_are_simplified_and_the_default_stays_exact(database_url, default_policy, screener) -> None:
    api = make_api(database_url, default_policy, screener)
    try:
        params = {"actor": "USA", "kind": "flight", "at": "2025-06-01"}
        exact = api.call("GET", "/decision-maps", "viewer", params=params)
        shown = api.call("GET", "/decision-maps", "viewer", params={**params, "simplify": "display"})
        assert exact.status_code == 200 and shown.status_code == 200
        expected = json.loads(json.dumps(map_document(_map(default_policy, "2025-06-01", None))))
        assert exact.json() == expected  # the default answer: the exact map
        doc = shown.json()
        assert doc["type"] == "FeatureCollection"
        assert [f["properties"] for f in doc["features"]] == [f["properties"] for f in expected["features"]]
        for feature in doc["features"]:
            geometry = shapely.from_geojson(json.dumps(feature["geometry"]))
            assert geometry.is_valid and not geometry.is_empty, feature["properties"]["outcome"]
        assert _vertices(doc) < _vertices(expected) / 2
        assert len(shown.content) < len(exact.content) / 2
        later = api.call(
            "GET", "/decision-maps", "viewer", params={**params, "at": "2025-06-02", "simplify": "display"}
        )
        assert later.json()["features"][0]["properties"]["at"] == "2025-06-01T22:00:00Z"
        bad = api.call("GET", "/decision-maps", "viewer", params={**params, "simplify": "rough"})
        assert bad.status_code == 422
    finally:
        api.service.store.close()


def test_the_nation_list_has_the_periods(database_url, default_policy, screener) -> None:
    api = make_api(database_url, default_policy, screener)
    try:
        usa = next(n for n in api.client.get("/web/nations.json").json()["nations"] if n["code"] == "USA")
        assert "2025-05-21T22:00:00Z" in usa["periods"] and usa["periods"] == sorted(usa["periods"])
    finally:
        api.service.store.close()
