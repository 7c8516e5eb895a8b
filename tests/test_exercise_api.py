"""`/exercises` (docs/api.md): the report of a plan (JSON, or the script-free HTML page), a plan
filed as requests in the workflow, and the report of a filed plan, with the roles and errors of
the rest of the API."""

from __future__ import annotations

import copy
import json

import pytest
from fastapi.testclient import TestClient

from api_helpers import ROOT, make_api
from highnorth.api.app import create_app
from highnorth.service.config import Settings
from highnorth.service.context import Service
from highnorth.service.exercise_html import REPORT_CSP
from highnorth.store import Store

PLAN = json.loads((ROOT / "examples" / "nordic-response" / "activities.geojson").read_text(encoding="utf-8"))


@pytest.fixture
def api(database_url, default_policy, screener):
    api = make_api(database_url, default_policy, screener)
    yield api
    api.service.store.close()


def test_report_of_a_plan_is_the_cli_report(api, tmp_path) -> None:
    from highnorth.cli.app import main

    from conftest import DEFAULT_POLICY

    answer = api.call("POST", "/exercises/report", "approver", json=PLAN)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    out = tmp_path / "report.json"
    path = ROOT / "examples" / "nordic-response" / "activities.geojson"
    main(["exercise", "report", str(path), "--policy", str(DEFAULT_POLICY), "-f", "json", "-o", str(out)])
    assert answer.text == out.read_text(encoding="utf-8")  # the same bytes as the CLI
    june = api.call("POST", "/exercises/report?at=2025-06-01", "approver", json=PLAN).json()
    porsangmoen = next(d for d in june["decisions"] if d["activity"] == "porsangmoen-request")
    assert june["at"] == "2025-05-31T22:00:00Z" and porsangmoen["outcome"] == "conditional"


def test_report_as_html_has_no_script_and_a_policy_that_allows_none(api) -> None:
    answer = api.call("POST", "/exercises/report", "approver", json=PLAN, headers={"Accept": "text/html"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    assert answer.headers["content-security-policy"] == REPORT_CSP
    assert "script-src 'none'" in REPORT_CSP
    assert "<script" not in answer.text and "Nordic Response 2024: exercise report" in answer.text


def test_a_bad_plan_is_422_with_every_problem(api) -> None:
    bad = copy.deepcopy(PLAN)
    bad["exercise"]["participants"][2]["nation"] = "SWD"
    answer = api.call("POST", "/exercises/report", "approver", json=bad)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert {
        "item": "exercise",
        "field": "participants[2].nation",
        "message": "unknown nation `SWD`; did you mean `SWE`?",
    } in error["problems"]


def test_filing_a_plan_makes_one_request_per_activity_and_keeps_its_report(api) -> None:
    assert api.call("POST", "/exercises", None, json=PLAN).status_code == 401
    assert api.call("POST", "/exercises", "requester", json=PLAN).status_code == 403  # USA files only its own
    answer = api.call("POST", "/exercises", "admin", json=PLAN)
    assert answer.status_code == 201
    doc = answer.json()
    assert [r["activity"] for r in doc["requests"]] == [f["id"] for f in PLAN["features"]]
    states = {r["activity"]: r["state"] for r in doc["requests"]}
    assert states["porsangmoen-request"] == "rejected" and states["us-destroyer-kirkenes-2025"] == "referred"
    queue = api.call("GET", "/requests?state=referred", "approver").json()
    assert "us-destroyer-kirkenes-2025" in {r["activity_id"] for r in queue["requests"]}
    again = api.call("GET", "/exercises/nordic-response-2024/report", "approver")
    assert again.status_code == 200 and again.json()["summary"] == doc["summary"]
    html = api.call("GET", "/exercises/nordic-response-2024/report", "viewer", headers={"Accept": "text/html"})
    assert html.status_code == 403  # a viewer does not read requests
    # a requester sees the report only of a plan that is wholly its own nation's
    assert api.call("GET", "/exercises/nordic-response-2024/report", "requester").status_code == 404
    assert api.call("GET", "/exercises/no-such/report", "approver").status_code == 404
    assert api.call("POST", "/exercises", "admin", json=PLAN).status_code == 409  # the same id again
    entries = api.call("GET", "/audit?limit=1000", "approver").json()["entries"]
    filed = [e for e in entries if e["action"] == "submit_exercise"]
    assert len(filed) == 1 and filed[0]["detail"]["requests"] == [r["id"] for r in doc["requests"]]


def test_a_filed_plan_outlives_the_server(database_url, default_policy, screener) -> None:
    first = make_api(database_url, default_policy, screener)
    try:
        assert first.call("POST", "/exercises", "admin", json=PLAN).status_code == 201
    finally:
        first.service.store.close()
    # a new service and application on the same database, as after a restart
    config = Settings.from_env(database_url=database_url)
    service = Service(config, default_policy, screener, Store(database_url))
    try:
        client = TestClient(create_app(config, service))
        headers = {"Authorization": f"Bearer {first.tokens['approver']}"}
        answer = client.get("/exercises/nordic-response-2024/report", headers=headers)
        assert answer.status_code == 200 and answer.json()["exercise"]["id"] == "nordic-response-2024"
    finally:
        service.store.close()


def test_screen_with_alternatives_is_check_with_alternatives(api, tmp_path) -> None:
    from highnorth.cli.app import main

    from conftest import DEFAULT_POLICY

    features = {"type": "FeatureCollection", "features": PLAN["features"]}
    answer = api.call("POST", "/screen?alternatives=true", "approver", json=features)
    assert answer.status_code == 200
    out = tmp_path / "d.json"
    path = ROOT / "examples" / "nordic-response" / "activities.geojson"
    args = ["check", str(path), "--policy", str(DEFAULT_POLICY), "-f", "json", "--alternatives", "-o", str(out)]
    assert main(args) == 4
    assert answer.text == out.read_text(encoding="utf-8")
    assert "alternatives" not in api.call("POST", "/screen", "approver", json=features).text
