"""`highnorth notam parse|make`, `highnorth airspace plan|conflicts`, `highnorth zones
import|export --format ed269|ed318` as a user runs them."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from api_helpers import collection, example, make_api
from highnorth.cli.app import main
from highnorth.formats.notam import parse_notams

from conftest import shared

BOX = {
    "shape": {"type": "polygon", "coordinates": [[25, 70], [25.5, 70], [25.5, 70.3], [25, 70.3]]},
    "lower": {"ref": "SFC"},
    "upper": {"ref": "FL", "value": 95},
    "windows": [{"start": "2025-06-01T08:00:00Z", "end": "2025-06-01T10:00:00Z"}],
}


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main([*args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.shared_data
def test_notam_parse_reports_the_parse_rate_and_the_quarantine(capsys, tmp_path):
    feed = shared("notam", "snowtam_repo_norway_notams_2018.txt")
    code, out, err = run(capsys, "notam", "parse", str(feed), "-o", str(tmp_path / "read.json"))
    assert code == 0 and "44 of 48 parsed fully, 4 quarantined" in err
    assert ":216: quarantined: a SNOWTAM" in err and "A4321/18" in out
    assert json.loads((tmp_path / "read.json").read_text())["areas"] == 1
    assert run(capsys, "notam", "parse", str(feed), "--strict")[0] == 2


def test_notam_make_and_conflicts_from_a_file(capsys, tmp_path):
    other = {**BOX, "id": "b", "shape": {"type": "circle", "center": [25.5, 70.3], "radius_m": 5000}}
    path = tmp_path / "volumes.json"
    path.write_text(json.dumps({"volumes": [{**BOX, "id": "a"}, other]}))
    code, out, _ = run(
        capsys, "notam", "make", "--volumes", str(path), "--series", "W", "--number", "7", "--year", "2025"
    )
    assert code == 0
    read = parse_notams(out)
    assert [n.id for n in read.notams] == ["W0007/25", "W0008/25"] and read.quarantine == []
    code, out, _ = run(capsys, "airspace", "conflicts", "--volumes", str(path), "--format", "geojson")
    assert code == 5  # conflicts found
    (c,) = json.loads(out)["features"]
    assert (c["properties"]["a"], c["properties"]["b"]) == ("a", "b")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"volumes": [{**BOX, "id": "x", "upper": {"ref": "FL", "value": 1000}}]}))
    code, _, err = run(capsys, "notam", "make", "--volumes", str(bad))
    assert code == 2 and "bad.json: volume `x`: upper.value: `FL1000` is not a flight level from 0 to 999" in err


def test_airspace_plan_from_the_database(capsys, tmp_path, default_policy, screener):
    url = f"sqlite+pysqlite:///{tmp_path / 'hn.db'}"
    api = make_api(url, default_policy, screener)
    rid = api.call("POST", "/requests", "requester", json=collection(example("us-destroyer-kirkenes-2025")))
    rid = rid.json()["requests"][0]["id"]
    for role, action in (("approver", "approve"), ("airspace_manager", "allocate"), ("airspace_manager", "publish")):
        assert api.call("POST", f"/requests/{rid}/{action}", role).status_code == 200
    api.service.store.close()
    code, out, _ = run(capsys, "airspace", "plan", "--day", "2025-06-11", "--db", url, "--format", "csv")
    assert code == 0
    lines = out.strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith(
        f"2025-06-11,00:00,24:00,SFC,UNL,USA,us-destroyer-kirkenes-2025,{rid}"
    )
    yy = dt.datetime.now(dt.UTC).year % 100
    assert lines[1].endswith(f",circle,published,W0001/{yy:02d},")  # allocated after that day: not its update
    code, out, _ = run(capsys, "airspace", "plan", "--day", "2025-06-11", "--db", url)
    assert code == 0 and out.startswith("AIRSPACE USE PLAN 2025-06-11 (UTC)")


@pytest.mark.shared_data
def test_zones_import_and_export_ed318(capsys, tmp_path):
    schema = shared("uas-geozones", "ed318-schema-eurocontrol")
    sample = shared("uas-geozones", "cis_source_sample_ed318.json")
    code, _, _ = run(
        capsys,
        "zones",
        "import",
        str(sample),
        "--format",
        "ed318",
        "--schema",
        str(schema),
        "-o",
        str(tmp_path),
        "--name",
        "swiss",
    )
    assert code == 0 and (tmp_path / "swiss.zones.yaml").exists()
    assert "id: lszb003" in (tmp_path / "swiss.zones.yaml").read_text()
    out = tmp_path / "zones.ed318.json"
    code, _, _ = run(capsys, "zones", "export", "--format", "ed318", "--schema", str(schema), "-o", str(out))
    assert code == 0 and json.loads(out.read_text())["features"]
    code, _, _err = run(
        capsys,
        "zones",
        "import",
        str(shared("uas-geozones", "geo-awareness-che-1.json")),
        "--format",
        "ed269",
        "-o",
        str(tmp_path),
        "--name",
        "che",
    )
    assert code == 0 and (tmp_path / "che.zones.yaml").exists()


NOTAM_AREA = """W0001/25 NOTAMN
Q) ENOR/QRTCA/IV/BO/W/000/999/6906N01727E010
A) ENOR B) 2506010700 C) 2506011200
E) TEMPO RESTRICTED AREA CIRCLE RADIUS 10NM CENTRED ON 690600N 0172700E
F) SFC G) UNL
"""


def test_screening_takes_the_areas_active_by_notam_into_account(capsys, tmp_path):
    """A flight across an area active by NOTAM is referred with a reason naming the NOTAM; the
    same flight after item C is not."""
    notams = tmp_path / "feed.txt"
    notams.write_text(NOTAM_AREA)
    track = {"type": "LineString", "coordinates": [[16.0, 68.5, 9000], [18.9, 69.7, 9000]]}
    acts = tmp_path / "acts.geojson"
    acts.write_text(
        json.dumps(
            collection(
                {
                    "type": "Feature",
                    "id": "during",
                    "geometry": track,
                    "properties": {
                        "kind": "flight",
                        "actor": {"nation": "USA"},
                        "start": "2025-06-01T10:00:00Z",
                        "end": "2025-06-01T11:00:00Z",
                    },
                },
                {
                    "type": "Feature",
                    "id": "after",
                    "geometry": track,
                    "properties": {
                        "kind": "flight",
                        "actor": {"nation": "USA"},
                        "start": "2025-06-01T12:00:00Z",
                        "end": "2025-06-01T13:00:00Z",
                    },
                },
            )
        )
    )
    code, out, _ = run(capsys, "check", str(acts), "-f", "json")
    assert {d["outcome"] for d in json.loads(out)["decisions"]} == {"conditional"}
    code, out, _ = run(capsys, "check", str(acts), "-f", "json", "--notams", str(notams))
    during, after = json.loads(out)["decisions"]
    assert code == 3 and (during["outcome"], after["outcome"]) == ("referred", "conditional")
    (reason,) = [r for r in during["reasons"] if r["rule"] == "notam-w0001-25"]
    assert reason["source"] == "NOTAM W0001/25" and reason["zone"] == "notam-w0001-25"
