"""Decision maps in an altitude band: only the zones whose band overlaps it take part (the rule of
docs/semantics.md §2 for areas and points with an `altitude`), through the core, the service, the
CLI and the API."""

from __future__ import annotations

import math

import pytest
import shapely
from fastapi.testclient import TestClient

from highnorth.api.app import create_app
from highnorth.cli.app import main
from highnorth.engine import Screener
from highnorth.model.errors import InputError
from highnorth.service.config import Settings
from highnorth.service.context import Service
from highnorth.service.maps import TimeField, decision_map_at, map_document, map_query
from highnorth.service.queries import API, CLI
from highnorth.store import Store

AT = TimeField("2025-06-01T00:00:00Z", "at")
HIGH_BOX = shapely.box(1, -1, 2, 1)  # the grid policy's `high` zone: 1,000–3,000 m AMSL, allied flights denied


def map_at(policy, fields, *, at, cache=None, **question):
    """The map for a question checked as the faces check it (`map_query`), at `at`."""
    return decision_map_at(policy, map_query(policy, fields, **question), at, cache)


def denied_area(policy, **band) -> float:
    m = map_at(policy, API, actor="USA", kind="flight", at=AT, **band)
    return m.area_km2().get("denied", 0.0)


@pytest.mark.parametrize(
    ("band", "denied"),
    [
        ({}, True),  # every altitude: the high box is there
        ({"lower_m": 0, "upper_m": 999}, False),  # below it
        ({"lower_m": 0, "upper_m": 1000}, False),  # touching its floor: no positive height in common
        ({"lower_m": 0, "upper_m": 1000.5}, True),  # half a metre into it
        ({"lower_m": 3000, "upper_m": 9000}, False),  # touching its ceiling
        ({"lower_m": 2999, "upper_m": 9000}, True),
        ({"lower_m": 2000, "upper_m": 2000}, True),  # one altitude inside the band
        ({"lower_m": 3000, "upper_m": 3000}, True),  # one altitude on its (closed) ceiling
        ({"upper_m": 500}, False),  # from the surface
        ({"lower_m": 5000}, False),  # to unlimited
    ],
)
def test_a_zone_takes_part_when_its_band_overlaps(grid_policy, band, denied) -> None:
    assert (denied_area(grid_policy, **band) > 0) is denied


def test_the_band_leaves_zones_without_limits_alone(grid_policy) -> None:
    every = map_at(grid_policy, API, actor="USA", kind="flight", at=AT).by_outcome()
    low = map_at(grid_policy, API, actor="USA", kind="flight", at=AT, lower_m=0, upper_m=500).by_outcome()
    # the `box` zone (SFC–UNL) covers the ground of `high`: what was denied there is conditional below it
    assert "denied" not in low
    assert shapely.equals(
        shapely.union(every["denied"], every.get("conditional", shapely.Polygon())), low["conditional"]
    )
    # outside the box nothing changes
    for outcome, area in low.items():
        if outcome != "conditional":
            assert shapely.equals(area, every[outcome]), outcome


def test_the_band_is_in_the_map_document_and_the_cache_key(grid_policy) -> None:
    from highnorth.service.lru import LRU

    cache = LRU(16)
    low = map_at(grid_policy, API, actor="USA", kind="flight", at=AT, lower_m=0, upper_m=500, cache=cache)
    every = map_at(grid_policy, API, actor="USA", kind="flight", at=AT, cache=cache)
    assert low is not every and low.altitude == (0.0, 500.0) and every.altitude is None
    props = map_document(low, "display", cache)["features"][0]["properties"]
    assert props["altitude"] == {"lower_m": 0.0, "upper_m": 500.0}
    assert "altitude" not in map_document(every)["features"][0]["properties"]
    assert map_document(map_at(grid_policy, API, actor="USA", kind="flight", at=AT, upper_m=500))["features"][0][
        "properties"
    ]["altitude"] == {"lower_m": None, "upper_m": 500.0}


@pytest.mark.parametrize(
    ("fields", "band", "message"),
    [
        (API, {"lower_m": 3000, "upper_m": 1000}, "upper_m: expected at least lower_m (3000 m), got 1000 m"),
        (CLI, {"lower_m": 3000, "upper_m": 1000}, "--upper-m: expected at least --lower-m (3000 m), got 1000 m"),
        (API, {"lower_m": math.nan}, "lower_m: expected a finite number of metres, got `nan`"),
        (API, {"upper_m": math.inf}, "upper_m: expected a finite number of metres, got `inf`"),
    ],
)
def test_a_bad_band_names_its_field(grid_policy, fields, band, message) -> None:
    with pytest.raises(InputError) as exc:
        map_at(grid_policy, fields, actor="USA", kind="flight", at=AT, **band)
    assert str(exc.value) == message


def test_the_cli_maps_a_band(grid_dir, capsys) -> None:
    args = ["map", "--policy", str(grid_dir), "--actor", "USA", "--kind", "flight", "--at", AT.value]
    assert main(args) == 0
    every = capsys.readouterr().out
    assert main([*args, "--lower-m", "0", "--upper-m", "500"]) == 0
    low = capsys.readouterr().out
    assert "denied" in every and "denied" not in low
    assert "between 0 m and 500 m AMSL" in low
    assert main([*args, "--lower-m", "9", "--upper-m", "1"]) == 2
    assert capsys.readouterr().err == "error: --upper-m: expected at least --lower-m (9 m), got 1 m\n"


def test_the_api_maps_a_band_and_refuses_a_bad_one(grid_policy, database_url) -> None:
    config = Settings.from_env(database_url=database_url)
    service = Service(config, grid_policy, Screener(grid_policy), Store(config.database_url))
    client = TestClient(create_app(config, service))
    params = {"actor": "USA", "kind": "flight", "at": AT.value}
    every = client.get("/decision-maps", params=params).json()
    low = client.get("/decision-maps", params={**params, "lower_m": 0, "upper_m": 500}).json()
    assert "denied" in {f["properties"]["outcome"] for f in every["features"]}
    assert "denied" not in {f["properties"]["outcome"] for f in low["features"]}
    diff = client.get(
        "/decision-maps/diff",
        params={"actor": "USA", "kind": "flight", "from": AT.value, "to": AT.value, "upper_m": 500},
    )
    assert diff.status_code == 200 and diff.json()["features"] == []
    bad = client.get("/decision-maps", params={**params, "lower_m": 10, "upper_m": 1})
    assert bad.status_code == 422
    assert bad.json()["error"]["message"] == "upper_m: expected at least lower_m (10 m), got 1 m"
    service.store.close()
