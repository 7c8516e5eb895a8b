"""Decision JSON: the streamed writer gives the document's bytes, and reasons about a zone carry
the optional v1 fields (exit place, altitude band, part of the geometry)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema

from highnorth.formats.activity_geojson import load_activities
from highnorth.formats.decision_json import decisions_document, decisions_text, dumps

EXAMPLE = Path(__file__).parent.parent / "examples" / "nordic-response" / "activities.geojson"
SCHEMA = json.loads((resources.files("highnorth") / "schemas" / "decision.schema.json").read_text())


def test_streamed_text_is_the_documents_bytes(default_policy, screener):
    acts = load_activities(EXAMPLE, known_nations=set(default_policy.actors.nations)).activities
    decisions = screener.screen(acts)
    for warnings in ((), ("feature 3: geometry repaired",)):
        text = decisions_text(default_policy, decisions, warnings)
        assert text == dumps(decisions_document(default_policy, decisions, warnings))
        jsonschema.validate(json.loads(text), SCHEMA)
    assert decisions_text(default_policy, []) == dumps(decisions_document(default_policy, []))


def test_a_track_reason_says_where_it_leaves_the_zone_its_band_and_part(default_policy, screener):
    acts = load_activities(EXAMPLE, known_nations=set(default_policy.actors.nations)).activities
    tracks = [a for a in acts if a.geometry.geom_type == "LineString"]
    doc = json.loads(decisions_text(default_policy, screener.screen(tracks)))
    zone_reasons = [r for d in doc["decisions"] for r in d["reasons"] if r["zone"] is not None]
    assert zone_reasons
    for reason in zone_reasons:
        assert reason["part"]["kind"] == "track"
        assert 0 <= reason["part"]["from"] <= reason["part"]["to"]
        lon, lat = reason["exit_where"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        band = reason["altitude"]
        assert set(band) == {"lower_m", "upper_m"}
        if band["lower_m"] is not None and band["upper_m"] is not None:
            assert band["lower_m"] <= band["upper_m"]
    whole = [r for d in doc["decisions"] for r in d["reasons"] if r["zone"] is None]
    assert all("exit_where" not in r and "part" not in r for r in whole)  # only reasons about a zone
