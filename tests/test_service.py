"""The application layer on its own: one Settings for every process, query checks in each face's
field names, the nation checks with their reasons, and reserved requests in one store query."""

from __future__ import annotations

from pathlib import Path

import pytest

from highnorth.model.errors import InputError
from highnorth.service.config import Settings
from highnorth.service.queries import API, CLI, check_kind, parse_attributes
from highnorth.store import Store
from highnorth.workflow.access import Principal, may, may_file, may_see


def test_settings_from_the_environment_and_options_and_back_from_json(tmp_path: Path):
    env = {"HIGHNORTH_POLICY": str(tmp_path), "HIGHNORTH_NO_CACHE": "1", "HIGHNORTH_MAX_FEATURES": "7"}
    settings = Settings.from_env(env, database_url="sqlite+pysqlite:///x.db", max_vertices=9)
    assert (settings.policy_dir, settings.cache_dir, settings.max_features) == (tmp_path, None, 7)
    assert (settings.database_url, settings.max_vertices, settings.max_body_bytes) == (
        "sqlite+pysqlite:///x.db",
        9,
        10_000_000,
    )
    assert Settings.from_json(settings.to_json()) == settings
    assert Settings.from_env({}).database_url.endswith("/highnorth.db")
    with pytest.raises(InputError, match="HIGHNORTH_MAX_FEATURES: expected a whole number, got `x`"):
        Settings.from_env({"HIGHNORTH_MAX_FEATURES": "x"})


def test_the_public_views_are_on_unless_switched_off():
    assert Settings.from_env({}).public_views is True
    for off in ("0", "false", "No", "off"):
        assert Settings.from_env({"HIGHNORTH_PUBLIC_VIEWS": off}).public_views is False
    assert Settings.from_env({"HIGHNORTH_PUBLIC_VIEWS": "on"}).public_views is True
    assert Settings.from_env({}, public_views=False).public_views is False
    assert Settings.from_json(Settings.from_env({}, public_views=False).to_json()).public_views is False
    with pytest.raises(InputError, match="HIGHNORTH_PUBLIC_VIEWS: expected one of 1, true"):
        Settings.from_env({"HIGHNORTH_PUBLIC_VIEWS": "maybe"})


def test_a_query_field_is_named_as_the_face_names_it():
    for fields, name in ((CLI, "--kind"), (API, "kind")):
        with pytest.raises(InputError, match=f"^{name}: unknown kind `flite`; did you mean `flight`"):
            check_kind("flite", fields)
    assert parse_attributes(["troops=500", "note=x"], CLI) == {"troops": 500, "note": "x"}
    assert parse_attributes('{"troops": 500}', API) == {"troops": 500}
    with pytest.raises(InputError, match=r"^attributes: expected a JSON object"):
        parse_attributes("[1]", API)


def test_access_decisions_carry_their_reasons():
    ann, bo = Principal("ann", "requester", "USA"), Principal("bo", "approver", None)
    assert may(bo, "request.approve").allowed and not may(ann, "request.approve").allowed
    assert "needs `request.approve`" in may(ann, "request.approve").reason
    assert may_file(ann, ["USA"]).allowed and not may_file(ann, ["USA", "GBR"]).allowed
    assert may_see(ann, "GBR").hidden and may_see(bo, "GBR").allowed


def test_reserved_requests_in_one_query(database_url, default_policy, screener):
    from api_helpers import collection, example, make_api

    api = make_api(database_url, default_policy, screener)
    try:
        filed = api.call("POST", "/requests", "requester", json=collection(example("us-marines-setermoen", "r1")))
        rid = filed.json()["requests"][0]["id"]
        store: Store = api.service.store
        assert store.reserved() == []
        assert api.call("POST", f"/requests/{rid}/reserve", "airspace_manager").status_code == 200
        [reserved] = store.reserved()
        assert (reserved.id, reserved.version, reserved.activity_id) == (rid, 2, "r1")
        assert store.features([rid])[rid]["id"] == "r1"
    finally:
        api.service.store.close()
