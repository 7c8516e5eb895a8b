"""The CLI as a user runs it: exit codes, formats, errors without stack traces."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest

from highnorth.cli.app import main

from conftest import collection, feature, write_geojson

DECISION_SCHEMA = json.loads((resources.files("highnorth") / "schemas" / "decision.schema.json").read_text())

# A US flight from Tromsø east along the coast to Vadsø, on the given day
TRACK = {"type": "LineString", "coordinates": [[18.9, 69.7, 9000], [25.0, 70.0, 9000], [29.7, 70.1, 9000]]}
WEST = {"type": "LineString", "coordinates": [[16.0, 68.5, 9000], [18.9, 69.7, 9000]]}


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main([*args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def flights(tmp_path):
    doc = collection(
        feature("after", TRACK, start="2025-06-01T10:00:00+02:00", end="2025-06-01T11:00:00+02:00"),
        feature("before", TRACK, start="2025-05-21T10:00:00+02:00", end="2025-05-21T11:00:00+02:00"),
        feature("west", WEST, start="2025-06-01T10:00:00+02:00", end="2025-06-01T11:00:00+02:00"),
    )
    return write_geojson(tmp_path / "flights.geojson", doc)


def test_check_table_and_exit_code_for_a_denial(capsys, flights):
    code, out, _ = run(capsys, "check", str(flights))
    assert code == 4
    assert "denied" in out and "referred" in out and "conditional" in out
    assert "fm24-air" in out


def test_check_json_validates_and_is_deterministic(capsys, flights):
    code, out, _ = run(capsys, "check", str(flights), "--format", "json")
    assert code == 4
    doc = json.loads(out)
    jsonschema.validate(doc, DECISION_SCHEMA)
    outcomes = {d["activity"]: d["outcome"] for d in doc["decisions"]}
    assert outcomes == {"after": "referred", "before": "denied", "west": "conditional"}
    _, again, _ = run(capsys, "check", str(flights), "--format", "json")
    assert again == out


def test_exit_codes_for_referred_and_permitted(capsys, tmp_path):
    referred = write_geojson(
        tmp_path / "r.geojson",
        collection(feature("r", TRACK, start="2025-06-01T10:00:00Z", end="2025-06-01T11:00:00Z")),
    )
    assert run(capsys, "check", str(referred))[0] == 3
    ok = write_geojson(tmp_path / "ok.geojson", collection(feature("w", WEST)))
    assert run(capsys, "check", str(ok))[0] == 0


def test_check_at_judges_by_another_date(capsys, flights):
    code, out, _ = run(capsys, "check", str(flights), "--at", "2024-01-01", "--format", "json")
    outcomes = {d["activity"]: d["outcome"] for d in json.loads(out)["decisions"]}
    assert outcomes["after"] == "denied" and code == 4


def test_geojson_and_markdown_formats(capsys, flights, tmp_path):
    out_file = tmp_path / "d.geojson"
    run(capsys, "check", str(flights), "--format", "geojson", "-o", str(out_file))
    doc = json.loads(out_file.read_text())
    roles = {f["properties"]["role"] for f in doc["features"]}
    assert roles == {"activity", "reason"}
    _, md, _ = run(capsys, "check", str(flights), "--format", "markdown")
    assert md.startswith("# Decisions under no-high-north") and "| before | flight | USA | **denied** |" in md


def test_explain_reads_as_prose_with_times_and_basis(capsys, flights):
    code, out, _ = run(capsys, "explain", str(flights), "after")
    assert code == 3
    assert "Outcome: REFERRED" in out
    assert "fm2025-east-case-by-case" in out and "entering at" in out and "°N" in out
    assert "The zone itself is an assumption" in out


def test_bad_input_is_a_clear_error_with_exit_2(capsys, tmp_path):
    bad = write_geojson(
        tmp_path / "bad.geojson", collection(feature("x", TRACK, start="2025-06-01T10:00:00", kind="flihgt"))
    )
    code, out, err = run(capsys, "check", str(bad))
    assert code == 2
    assert "activity `x`: properties.kind: unknown kind `flihgt`; did you mean `flight`?" in err
    assert "activity `x`: properties.start" in err
    assert "Traceback" not in err + out
    code, _, err = run(
        capsys, "explain", str(write_geojson(tmp_path / "g.geojson", collection(feature("w", WEST)))), "v"
    )
    assert code == 2 and "no activity `v`" in err
    code, _, err = run(capsys, "check", str(tmp_path / "missing.geojson"))
    assert code == 2 and "cannot read" in err
    (tmp_path / "broken.json").write_text("{not json")
    code, _, err = run(capsys, "check", str(tmp_path / "broken.json"))
    assert code == 2 and "not valid JSON" in err


def test_skip_invalid_screens_the_rest(capsys, tmp_path):
    doc = collection(feature("good", WEST), feature("bad", WEST, kind="nope"))
    code, out, err = run(capsys, "check", str(write_geojson(tmp_path / "m.geojson", doc)), "--skip-invalid")
    assert code == 0 and "good" in out and "skipped: activity `bad`" in err


def test_diff_of_the_2025_amendment_shows_where_flights_opened(capsys, tmp_path):
    out_file = tmp_path / "diff.geojson"
    code, out, _ = run(
        capsys,
        "diff",
        "--from",
        "2025-05-21",
        "--to",
        "2025-05-23",
        "--actor",
        "USA",
        "--kind",
        "flight",
        "-o",
        str(out_file),
    )
    assert code == 0
    changes = {
        (f["properties"]["before"], f["properties"]["after"]): f["properties"]["area_km2"]
        for f in json.loads(out_file.read_text())["features"]
    }
    assert set(changes) == {("denied", "conditional"), ("denied", "referred")}
    # together they are Finnmark east of 24°E (about 52,000 km² with its sea); the eastern parts are referred
    assert 45_000 < sum(changes.values()) < 60_000
    assert 15_000 < changes[("denied", "referred")] < 30_000
    assert "denied" in out and "km²" in out


def test_map_writes_outcome_polygons(capsys, tmp_path):
    out_file = tmp_path / "map.geojson"
    code, _out, _ = run(capsys, "map", "--actor", "RUS", "--kind", "flight", "--at", "2025-06-01", "-o", str(out_file))
    assert code == 0
    outcomes = {f["properties"]["outcome"] for f in json.loads(out_file.read_text())["features"]}
    assert "denied" in outcomes  # Russian aircraft are barred from Norwegian airspace since 2022


def test_map_and_diff_reject_unknown_names(capsys):
    code, _, err = run(capsys, "map", "--actor", "USB", "--kind", "flight", "--at", "2025-06-01")
    assert code == 2 and "did you mean `USA`" in err
    code, _, err = run(capsys, "diff", "--from", "2025-05-21", "--to", "bad", "--actor", "USA", "--kind", "flight")
    assert code == 2 and "--to" in err


def test_policy_validate_show_and_errors(capsys, tmp_path):
    code, out, _ = run(capsys, "policy", "validate")
    assert code == 0 and "ok: policy `no-high-north` — 3 versions" in out
    code, out, _ = run(capsys, "policy", "show")
    assert code == 0 and "2025.1" in out and "2022.1" in out
    code, out, _ = run(capsys, "policy", "show", "--version", "2025.1")
    assert code == 0 and "fm2025-east-case-by-case" in out
    (tmp_path / "policy.yaml").write_text("id: Bad Id\n")
    code, _, err = run(capsys, "policy", "validate", str(tmp_path))
    assert code == 2 and "policy.yaml:1" in err


def test_zones_list_and_export(capsys, tmp_path):
    code, out, _ = run(capsys, "zones", "list", "--tag", "finnmark")
    assert code == 0 and "finnmark-east-parts" in out and "assumption" in out
    out_file = tmp_path / "zones.geojson"
    code, _, _ = run(capsys, "zones", "export", "--at", "2025-06-01", "-o", str(out_file))
    ids = {f["properties"]["id"] for f in json.loads(out_file.read_text())["features"]}
    assert code == 0 and {"finnmark-east-24", "norway-realm", "grotsund"} <= ids


def test_zones_import_openair(capsys, tmp_path):
    air = tmp_path / "x.txt"
    air.write_text("AC R\nAN TEST AREA\nAL SFC\nAH FL95\nV X=69:00:00 N 025:00:00 E\nDC 2\n")
    code, out, _ = run(capsys, "zones", "import", str(air), "-o", str(tmp_path / "out"), "--name", "test")
    assert code == 0 and "imported 1 zones" in out
    assert (tmp_path / "out" / "test.zones.yaml").is_file()


def test_unwritable_output_is_bad_input_not_a_crash(capsys, flights, tmp_path):
    for fmt in ("json", "table"):
        code, _, err = run(capsys, "check", str(flights), "--format", fmt, "-o", str(tmp_path / "missing" / "x"))
        assert code == 2 and "--output: cannot write" in err
    code, _, err = run(capsys, "zones", "export", "-o", str(tmp_path))  # a directory
    assert code == 2 and "--output: cannot write" in err


def test_no_version_in_force_is_said(capsys, flights):
    code, _, err = run(capsys, "check", str(flights), "--at", "1990-01-01")
    assert code == 2 and "no version of policy `no-high-north` is in force" in err
    code, _, err = run(capsys, "map", "--actor", "USA", "--kind", "flight", "--at", "1990-01-01")
    assert code == 2 and "first version takes effect" in err


def test_skip_invalid_with_nothing_valid_fails_and_json_carries_the_warnings(capsys, tmp_path):
    bad = write_geojson(tmp_path / "bad.geojson", collection(feature("bad", WEST, kind="nope")))
    code, _, err = run(capsys, "check", str(bad), "--skip-invalid")
    assert code == 2 and "no valid activities" in err
    mixed = write_geojson(
        tmp_path / "mixed.geojson", collection(feature("good", WEST), feature("bad", WEST, kind="nope"))
    )
    code, out, _ = run(capsys, "check", str(mixed), "--skip-invalid", "--format", "json")
    doc = json.loads(out)
    assert code == 0 and any("skipped: activity `bad`" in w for w in doc["warnings"])
    jsonschema.validate(doc, DECISION_SCHEMA)


def test_files_that_are_not_utf8_or_hold_no_zones(capsys, tmp_path):
    latin = tmp_path / "latin.geojson"
    latin.write_bytes(b'{"type": "FeatureCollection", "features": [], "name": "Troms\xf8"}')
    code, _, err = run(capsys, "check", str(latin))
    assert code == 2 and "not UTF-8" in err
    empty = tmp_path / "empty.txt"
    empty.write_text("* nothing here\n")
    code, _, err = run(capsys, "zones", "import", str(empty), "-o", str(tmp_path / "z"))
    assert code == 2 and "no zones found" in err
    air = tmp_path / "latin.txt"
    air.write_bytes("AC R\nAN TROMSØ\nAL SFC\nAH FL95\nV X=69:00:00 N 025:00:00 E\nDC 2\n".encode("latin-1"))
    code, _, err = run(capsys, "zones", "import", str(air), "-o", str(tmp_path / "z"))
    assert code == 0 and "read as Latin-1" in err


def test_policy_test_exit_codes(capsys, tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "README.md").write_text("why\n")
    write_geojson(folder / "activities.geojson", collection(feature("w", WEST)))
    (folder / "expected.yaml").write_text("decisions:\n  w: {outcome: conditional}\n")
    assert run(capsys, "policy", "test", str(folder))[0] == 0
    (folder / "expected.yaml").write_text("decisions:\n  w: {outcome: denied}\n")
    assert run(capsys, "policy", "test", str(folder))[0] == 5
    (folder / "expected.yaml").write_text("decisions:\n  w: {outcome: conditional, rule: [x]}\n")
    code, out, _ = run(capsys, "policy", "test", str(folder))
    assert code == 5 and "unknown key `rule`; did you mean `rules`?" in out


def test_check_with_workers_gives_the_same_json(capsys, flights):
    _, one, _ = run(capsys, "check", str(flights), "--format", "json")
    code, two, _ = run(capsys, "check", str(flights), "--format", "json", "--workers", "2")
    assert code == 4 and one == two
    code, _, err = run(capsys, "check", str(flights), "--workers", "0")
    assert code == 2 and "--workers" in err
