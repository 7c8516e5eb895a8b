"""A reservation from request to published NOTAM and the day's plan, through the API: explicit
volumes edited by the airspace manager, allocation with conflicts, publication with one NOTAM a
volume, activation, release with the NOTAMs cancelled, and what each role sees. And the migration
that turned `reserved` into `allocated`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from pyproj import Geod

from api_helpers import collection, example, make_api
from highnorth.formats.notam import format_notam, parse_notams
from highnorth.store import Store, connect
from highnorth.store import tables as t
from test_store import new_request

KIRKENES = [30.0456, 69.7269]
EXERCISE = {
    "shape": {"type": "circle", "center": KIRKENES, "radius_m": 5000},
    "lower": {"ref": "SFC"},
    "upper": {"ref": "FL", "value": 95},
    "schedule": {"from": "2025-06-10", "to": "2025-06-11", "daily": "0600-1800"},
}
CORRIDOR = {
    "shape": {"type": "corridor", "track": [[29.5, 69.9], [30.5, 70.1]], "half_width_m": 2000},
    "lower": {"ref": "AMSL", "value": 300},
    "upper": {"ref": "AMSL", "value": 1500},
    "windows": [{"start": "2025-06-10T09:00:00Z", "end": "2025-06-10T11:00:00Z"}],
}


@pytest.fixture
def api(database_url, default_policy, screener):
    api = make_api(database_url, default_policy, screener)
    yield api
    api.service.store.close()


def _file(api, feature) -> dict:
    r = api.call("POST", "/requests", "requester", json=collection(feature))
    assert r.status_code == 201, r.text
    return r.json()["requests"][0]


def test_from_request_to_published_notam_and_the_plan(api):
    rec = _file(api, example("us-destroyer-kirkenes-2025"))
    rid = rec["id"]
    assert api.call("POST", f"/requests/{rid}/approve", "approver").status_code == 200
    # the defaults first: a 1 NM circle around the berth for the whole visit
    (default,) = api.call("GET", f"/requests/{rid}/volumes", "requester").json()["features"]
    assert default["properties"]["spec"]["shape"] == {"type": "circle", "center": KIRKENES, "radius_m": 1852.0}
    # the airspace manager books an exercise circle by day and a transit corridor instead
    r = api.call("PUT", f"/requests/{rid}/volumes", "airspace_manager", json={"volumes": [EXERCISE, CORRIDOR]})
    assert r.status_code == 200, r.text
    assert [f["id"] for f in r.json()["features"]] == [f"{rid}-v1", f"{rid}-v2"]
    assert len(r.json()["features"][0]["properties"]["windows"]) == 2  # two days, 06-18 each
    r = api.call("POST", f"/requests/{rid}/allocate", "airspace_manager")
    assert r.status_code == 200 and r.json()["state"] == "allocated", r.text
    assert r.json()["conflicts"] == []
    # requesters see their own nation's reservations only
    mine = api.call("GET", "/reservations", "requester").json()["features"]
    assert sorted(f["id"] for f in mine) == [f"{rid}-v1", f"{rid}-v2"]
    assert api.call("GET", "/reservations", "requester_gbr").json()["features"] == []
    # the public sees nothing until it is published
    assert api.call("GET", "/airspace/plan", None, params={"day": "2025-06-10"}).json()["rows"] == []

    r = api.call("POST", f"/requests/{rid}/publish", "airspace_manager")
    assert r.status_code == 200 and r.json()["state"] == "published", r.text
    issued = api.call("GET", f"/requests/{rid}/notams", "requester").json()["notams"]
    yy = dt.datetime.now(dt.UTC).year % 100  # numbered in the year of issue
    assert [(n["id"], n["kind"], n["volume"]) for n in issued] == [
        (f"W0001/{yy:02d}", "N", f"{rid}-v1"),
        (f"W0002/{yy:02d}", "N", f"{rid}-v2"),
    ]
    first = parse_notams(issued[0]["text"]).notams[0]
    assert (first.code, first.lower, first.upper, first.schedule) == ("QRTCA", 0, 95, "DAILY 0600-1800")
    assert first.start.isoformat() == "2025-06-10T06:00:00+00:00"
    # 5 km is 2.7 NM, but the centre moved up to half a minute when rounded: 4 NM holds it all
    assert first.radius_nm == 4 and first.centre == (69 + 44 / 60, 30 + 3 / 60)
    ring = api.call("GET", f"/requests/{rid}/volumes", "requester").json()["features"][0]["geometry"]["coordinates"][0]
    lon, lat = np.array(ring).T
    _, _, dist = Geod(ellps="WGS84").inv(
        np.full(len(lon), first.centre[1]), np.full(len(lat), first.centre[0]), lon, lat
    )
    assert dist.max() < 4 * 1852 and dist.max() > 3 * 1852
    assert format_notam(first) == issued[0]["text"]
    second = parse_notams(issued[1]["text"]).notams[0]
    assert (second.lower, second.upper, second.lower_text, second.upper_text) == (9, 50, "984FT AMSL", "4922FT AMSL")

    plan = api.call("GET", "/airspace/plan", "viewer", params={"day": "2025-06-10"}).json()
    rows = [(r["volume"], r["start"], r["end"], r["lower"], r["upper"], r["notams"]) for r in plan["rows"]]
    assert rows == [
        (f"{rid}-v1", "06:00", "18:00", "SFC", "FL095", issued[0]["id"]),
        (f"{rid}-v2", "09:00", "11:00", "984FT AMSL", "4922FT AMSL", issued[1]["id"]),
    ]
    csv = api.call("GET", "/airspace/plan", "viewer", params={"day": "2025-06-10", "format": "csv"}).text
    assert csv.splitlines()[0].startswith("day,start,end,lower,upper,nation") and len(csv.splitlines()) == 3
    table = api.call("GET", "/airspace/plan", None, params={"day": "2025-06-11", "format": "table"}).text
    assert table.startswith("AIRSPACE USE PLAN 2025-06-11 (UTC)") and f"{rid}-v1" in table and f"{rid}-v2" not in table

    assert api.call("POST", f"/requests/{rid}/activate", "airspace_manager").json()["state"] == "activated"
    r = api.call("PUT", f"/requests/{rid}/volumes", "airspace_manager", json={"volumes": [EXERCISE]})
    assert r.status_code == 422 and "volumes are edited while it is screened, referred, approved or allocated" in r.text
    assert api.call("POST", f"/requests/{rid}/release", "airspace_manager").json()["state"] == "released"
    after = api.call("GET", f"/requests/{rid}/notams", "airspace_manager").json()["notams"]
    cancels = [parse_notams(n["text"]).notams[0] for n in after if n["kind"] == "C"]
    assert [(c.kind, c.replaces) for c in cancels] == [("C", issued[0]["id"]), ("C", issued[1]["id"])]
    assert api.call("GET", "/reservations", "airspace_manager").json()["features"] == []
    actions = [e["action"] for e in api.call("GET", "/audit", "admin", params={"request": rid}).json()["entries"]]
    assert actions == ["submit", "approve", "volumes", "allocate", "publish", "activate", "release"]
    assert api.call("GET", "/audit/verify", "admin").json()["ok"] is True


def test_conflicts_with_each_other_and_with_an_area_active_by_notam(api):
    a = _file(api, example("us-destroyer-kirkenes-2025"))
    b = _file(api, example("us-destroyer-kirkenes-2025", "twin"))
    for rec in (a, b):
        api.call("POST", f"/requests/{rec['id']}/approve", "approver")
        api.call("PUT", f"/requests/{rec['id']}/volumes", "airspace_manager", json={"volumes": [EXERCISE]})
    assert api.call("POST", f"/requests/{a['id']}/allocate", "airspace_manager").json()["conflicts"] == []
    found = api.call("POST", f"/requests/{b['id']}/allocate", "airspace_manager").json()["conflicts"]
    (c,) = found
    assert {c["properties"]["a"], c["properties"]["b"]} == {a["id"], b["id"]}
    assert len(c["properties"]["windows"]) == 2 and c["properties"]["area_km2"] == pytest.approx(78.54, rel=1e-3)
    notam = (
        "A0123/25 NOTAMN\nQ) ENOR/QRTCA/IV/BO /W /000/050/6944N03003E002\nA) ENOR B) 2506101000 C) 2506101200\n"
        "E) TEMPO RESTRICTED AREA RADIUS 2NM CENTRED ON 694400N 0300300E\nF) SFC G) 5000FT AMSL\n"
    )
    loaded = api.call("POST", "/notams/feed", "airspace_manager", content=notam.encode()).json()
    assert (loaded["count"], loaded["areas"], loaded["active"]) == (1, 1, 1)
    features = api.call("GET", "/airspace/conflicts", "approver").json()["features"]
    by_notam = [f["properties"] for f in features if "notam:A0123/25" in (f["properties"]["a"], f["properties"]["b"])]
    assert len(by_notam) == 2  # both volumes cross the NOTAM area between 10:00 and 12:00
    assert all(p["windows"] == [{"start": "2025-06-10T10:00:00Z", "end": "2025-06-10T12:00:00Z"}] for p in by_notam)
    without = api.call("GET", "/airspace/conflicts", "approver", params={"standing": "false"}).json()["features"]
    assert len(without) == 1


def test_bad_volumes_and_notams_are_refused_naming_the_item(api):
    rec = _file(api, example("us-destroyer-kirkenes-2025"))
    inverted = {**EXERCISE, "lower": {"ref": "FL", "value": 100}}
    r = api.call("PUT", f"/requests/{rec['id']}/volumes", "airspace_manager", json={"volumes": [EXERCISE, inverted]})
    assert r.status_code == 422
    assert r.json()["error"]["message"] == (
        f"volume `{rec['id']}-v2`: band: the lower limit `FL100` is not below the upper limit `FL095`"
    )
    assert (
        api.call("GET", f"/requests/{rec['id']}/volumes", "airspace_manager").json()["features"][0]["properties"][
            "shape"
        ]
        == "circle"
    )  # nothing was written
    read = api.call(
        "POST",
        "/notams/parse",
        "requester",
        content=b"A0001/25 NOTAMN\nQ) ENOR/QRTCA/IV\nA) ENOR B) 2501010000\nE) X\n",
    ).json()
    assert read["count"] == 0 and read["quarantine"][0] == {
        "line": 1,
        "reason": "Q line: expected 8 fields separated by `/`, got 3 in `ENOR/QRTCA/IV`",
        "text": "A0001/25 NOTAMN",
    }


def test_the_migration_turns_reserved_into_allocated(tmp_path):
    url = f"sqlite+pysqlite:///{tmp_path / 'old.db'}"
    engine = connect(url)
    config = Config()
    config.set_main_option("script_location", str(Path(t.__file__).parent / "migrations"))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
    old = new_request("old", "permitted")
    feature = {**example("us-destroyer-kirkenes-2025"), "id": "old"}
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                'INSERT INTO requests (id, activity_id, nation, kind, state, outcome, start, "end", feature, input_hash, '
                "decision, policy_hash, version, created_by, created_at, updated_at) VALUES ('req-00000000000000aa', "
                "'old', 'USA', 'port_call', 'reserved', 'permitted', '2025-06-10 06:00:00', '2025-06-12 06:00:00', "
                ":feature, :hash, '{}', :hash, 2, 'ann', '2025-05-01 00:00:00', '2025-05-01 00:00:00')"
            ),
            {"feature": json.dumps(feature), "hash": old.input_hash},
        )
    engine.dispose()
    store = Store(url)  # migrates to the head
    try:
        assert store.get("req-00000000000000aa").state == "allocated"
        assert [r.id for r in store.reserved()] == ["req-00000000000000aa"]
        assert store.volumes() == []  # its volumes are its defaults until it is edited or published
    finally:
        store.close()


def test_a_request_allocated_before_volumes_were_stored_publishes_its_defaults(api):
    """A request `reserved` before migration 0004_airspace has no volume rows: it is listed with its
    default volumes, and publishing stores them with the NOTAMs in the same transaction (one
    version, one audit entry)."""
    rec = _file(api, example("us-destroyer-kirkenes-2025"))
    rid = rec["id"]
    api.call("POST", f"/requests/{rid}/approve", "approver")
    assert api.call("POST", f"/requests/{rid}/allocate", "airspace_manager").status_code == 200
    with api.service.store.engine.begin() as conn:  # as migration 0004_airspace leaves such a request
        conn.execute(t.volumes.delete().where(t.volumes.c.request_id == rid))
    (listed,) = api.call("GET", "/reservations", "airspace_manager").json()["features"]
    assert listed["id"] == f"{rid}-v1" and listed["properties"]["shape"] == "circle"
    r = api.call("POST", f"/requests/{rid}/publish", "airspace_manager", headers={"If-Match": '"3"'})
    assert r.status_code == 200 and r.json()["version"] == 4, r.text
    (notam,) = api.call("GET", f"/requests/{rid}/notams", "airspace_manager").json()["notams"]
    assert notam["volume"] == f"{rid}-v1" and "CIRCLE RADIUS 1.00NM" in notam["text"]
    entries = api.call("GET", "/audit", "admin", params={"request": rid}).json()["entries"]
    assert [e["action"] for e in entries] == ["submit", "approve", "allocate", "publish"]
    assert entries[-1]["detail"]["volumes"] == [f"{rid}-v1"] and entries[-1]["detail"]["notams"] == [notam["id"]]


def test_screening_through_the_api_with_the_loaded_notam_feed(api):
    notam = (
        "W0001/25 NOTAMN\nQ) ENOR/QRTCA/IV/BO/W/000/999/6906N01727E010\nA) ENOR B) 2506010700 C) 2506011200\n"
        "E) TEMPO RESTRICTED AREA CIRCLE RADIUS 10NM CENTRED ON 690600N 0172700E\nF) SFC G) UNL\n"
    )
    track = {"type": "LineString", "coordinates": [[16.0, 68.5, 9000], [18.9, 69.7, 9000]]}
    flight = {"type": "Feature", "id": "f", "geometry": track, "properties": {"kind": "flight", "actor": {"nation": "USA"}, "start": "2025-06-01T10:00:00Z", "end": "2025-06-01T11:00:00Z"}}  # fmt: skip
    plain = api.call("POST", "/screen", "requester", json=collection(flight)).json()
    assert plain["decisions"][0]["outcome"] == "conditional"
    assert api.call("POST", "/notams/feed", "airspace_manager", content=notam.encode()).json()["active"] == 1
    with_feed = api.call("POST", "/screen", "requester", params={"notams": "true"}, json=collection(flight)).json()
    (decision,) = with_feed["decisions"]
    assert decision["outcome"] == "referred"
    assert any(r["rule"] == "notam-w0001-25" and r["source"] == "NOTAM W0001/25" for r in decision["reasons"])
    # without the flag, the same answer as before the feed
    assert api.call("POST", "/screen", "requester", json=collection(flight)).json() == plain
